"""jipc for Python: the shared-memory structures of jipc (Linux IPC for Java) from Python, over its C twins.

The same bytes as the Java library, so a Java, C or Python process can be either end::

    import jipc
    with jipc.Channel.attach("/orders") as channel:
        channel.poll(lambda type, payload: print(type, bytes(payload)), timeout=1.0)

* :class:`Channel` -- the message channel, one producer or many (``jipc.channel``);
* :class:`Topic` with its :class:`Publisher` and :class:`Subscriber` -- one publisher, up to 64 subscribers
  (``jipc.topic``);
* :class:`Semaphore` (jipc's, on the documented futex word) and :class:`NamedSemaphore` (POSIX, ``sem_open``)
  (``jipc.sync``);
* :class:`Rpc` with :class:`RpcClient` and :class:`RpcService` -- request/response (``jipc.rpc``);
* errors are ``OSError`` subclasses (:mod:`jipc.errors`).

The native part is compiled by ``pip install``; run from a clone (``python/`` on ``PYTHONPATH``) it is compiled on
first import with gcc into a private cache directory (``JIPC_CACHE``, else ``~/.cache/jipc``).
"""
from .channel import Channel, Message, unlink
from .rpc import Rpc, RpcClient, RpcService
from .sync import NamedSemaphore, Semaphore
from .topic import Publisher, Subscriber, Topic
from .errors import CorruptedError, ErrnoError, FormatError, RemoteError, RoleTakenError, ServiceUnavailableError

__all__ = ["Channel", "Message", "unlink", "Topic", "Publisher", "Subscriber", "Semaphore",
           "NamedSemaphore", "Rpc", "RpcClient", "RpcService", "ErrnoError", "RoleTakenError", "FormatError", "CorruptedError",
           "ServiceUnavailableError", "RemoteError"]
