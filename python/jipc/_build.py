"""Finds or builds jipc's native part, ``jipc._jipc``.

``pip install ./python`` compiles it into the package. Run from a clone instead (``python/`` on ``PYTHONPATH``), the
package compiles it on first import with ``gcc`` from ``jipc/_jipc.c`` and the C twins in the repository's
``native/`` directory, into a cache directory:

* ``$JIPC_CACHE`` if set, else ``$XDG_CACHE_HOME/jipc``, else ``~/.cache/jipc``;
* made with mode 0700, and used only if this user owns it and nobody else may write to it (a shared library that
  another user could replace would run their code in this process);
* one file per source digest and Python ABI (``_jipc-<sha256 prefix><EXT_SUFFIX>``), written under a temporary name
  and renamed into place, so that concurrent first imports do not trip over each other.

Costs one ``gcc`` run (a few seconds) the first time, a directory listing and a digest of ~100 KB of sources after.
"""
from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import os
import shutil
import stat
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path
from types import ModuleType

_PACKAGE_DIR = Path(__file__).resolve().parent
_MODULE = "jipc._jipc"
_TWINS = ("jipc_channel.c", "jipc_live.c", "jipc_topic.c", "jipc_sem.c", "jipc_rpc.c")


class BuildError(ImportError):
    """The native part could not be built (no compiler, no Python headers, a compile error)."""


def native_dir() -> Path:
    """The C twins: ``jipc/_native`` inside an installed package that carries them, else ``native/`` of the clone."""
    inside = _PACKAGE_DIR / "_native"
    if (inside / "jipc_channel.h").is_file():
        return inside
    return _PACKAGE_DIR.parent.parent / "native"


def sources() -> list[Path]:
    """The C files the native part is built from, in a fixed order."""
    native = native_dir()
    found = [_PACKAGE_DIR / "_jipc.c"]
    found += [native / name for name in _TWINS if (native / name).is_file()]
    return found


def cache_dir() -> Path:
    """Where a module built on import is kept (see the module's docstring)."""
    explicit = os.environ.get("JIPC_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "jipc"


def _private_dir(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = path.stat()
    if st.st_uid != os.geteuid() or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise BuildError(
            f"jipc: cache directory {path} is not private (owner uid {st.st_uid}, mode {stat.S_IMODE(st.st_mode):o});"
            f" a shared library another user can replace would run their code here. Set JIPC_CACHE to a directory"
            f" of your own (mode 0700)")
    return path


def _digest(files: list[Path]) -> str:
    h = hashlib.sha256()
    h.update(sys.version.encode())
    h.update((sysconfig.get_config_var("EXT_SUFFIX") or "").encode())
    for f in files + sorted(native_dir().glob("*.h")) + [_PACKAGE_DIR / "_build.py"]:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def _compile(files: list[Path], target: Path) -> None:
    compiler = os.environ.get("CC", "gcc")
    if shutil.which(compiler) is None:
        raise BuildError(
            f"jipc: no C compiler ({compiler!r} is not on PATH) to build the native part from {native_dir()}:"
            f" install gcc and the C library headers (Debian/Ubuntu: apt-get install gcc libc6-dev), or install"
            f" jipc with 'pip install ./python' where a compiler is available")
    include = sysconfig.get_paths()["include"]
    if not (Path(include) / "Python.h").is_file():
        raise BuildError(
            f"jipc: Python.h is not in {include}: install the Python development headers (Debian/Ubuntu:"
            f" apt-get install python3-dev) to build the native part")
    fd, partial = tempfile.mkstemp(prefix=target.name + ".", suffix=".partial", dir=target.parent)
    os.close(fd)
    command = [compiler, "-std=gnu11", "-O2", "-fPIC", "-shared", "-pthread", "-fvisibility=hidden",
               f"-I{include}", f"-I{native_dir()}", "-o", partial] + [str(f) for f in files]
    try:
        done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise BuildError(f"jipc: building the native part failed ({' '.join(command)}):\n{done.stderr}")
        os.chmod(partial, 0o700)
        os.replace(partial, target)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)


def _load(path: Path) -> ModuleType:
    loader = importlib.machinery.ExtensionFileLoader(_MODULE, str(path))
    spec = importlib.util.spec_from_file_location(_MODULE, str(path), loader=loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    sys.modules[_MODULE] = module
    return module


def native() -> ModuleType:
    """``jipc._jipc``: the one pip built into the package, else one built (once) into the cache."""
    try:
        from . import _jipc  # type: ignore[attr-defined]
        return _jipc
    except ImportError:
        pass
    files = sources()
    if not (native_dir() / "jipc_channel.h").is_file():
        raise BuildError(f"jipc: the native part is not built and its C sources are not in {native_dir()}:"
                         f" install jipc with 'pip install ./python' from a clone of the repository")
    directory = _private_dir(cache_dir())
    target = directory / f"_jipc-{_digest(files)}{sysconfig.get_config_var('EXT_SUFFIX') or '.so'}"
    if not target.is_file():
        _compile(files, target)
        _prune(directory, keep=target)
    return _load(target)


def _prune(directory: Path, keep: Path) -> None:
    """Removes modules built from older sources for this Python ABI (a process that loaded one keeps its mapping)."""
    for old in directory.glob(f"_jipc-*{sysconfig.get_config_var('EXT_SUFFIX') or '.so'}"):
        if old != keep and not old.name.endswith(".partial"):
            try:
                old.unlink()
            except OSError:
                pass
