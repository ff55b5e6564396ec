"""The native part, loaded (or built on first import) once for the package: ``lib``."""
from . import _build
from . import errors as _errors

lib = _build.native()
lib._set_error_factory(_errors.from_native)
