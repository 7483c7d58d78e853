"""Load a module at its first use, not at import: the ONE way routes and handlers name their services.

`import app` registers every route, schedule and stream handler of every function, but one request needs the
modules of one route only. A route module therefore names its services (and through them the storage, the
boto3 clients, PynamoDB's models, Jinja2, openpyxl, cryptography, PyJWT …) with

    if TYPE_CHECKING:
        from chalicelib.services import tickets as svc
    else:
        svc = on_first_use("chalicelib.services.tickets")

and calls `svc.create_ticket(...)` as before: the first attribute read imports the module (once per process;
`importlib` holds the import lock, so concurrent first uses load it once), later reads are a dict lookup
and a `getattr`. The type checker sees the real module. Setting or deleting an attribute (a test's
`monkeypatch.setattr(svc, ...)`) acts on the real module, so every holder of it sees the change.
`tests/unit/test_cold_import.py` keeps `import app` free of the heavy libraries.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import Any


class _OnFirstUse(ModuleType):
    """Stands for module `__name__`; every attribute access goes to the real module, imported on demand."""

    def _target(self) -> ModuleType:
        loaded = sys.modules.get(self.__name__)
        return loaded if loaded is not None else importlib.import_module(self.__name__)

    def __getattr__(self, name: str) -> Any:  # only for names the stand-in itself lacks: all but its own
        if name.startswith("__") and name.endswith("__") and name not in ("__all__", "__file__", "__path__"):
            raise AttributeError(name)  # copy/pickle/inspect probing the stand-in must not load the module
        return getattr(self._target(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._target(), name, value)

    def __delattr__(self, name: str) -> None:
        delattr(self._target(), name)

    def __dir__(self) -> list[str]:
        return dir(self._target())

    def __repr__(self) -> str:
        state = "loaded" if self.__name__ in sys.modules else "not loaded yet"
        return f"<module {self.__name__!r} on first use, {state}>"


def on_first_use(module_path: str) -> ModuleType:
    """A stand-in for the module `module_path` (absolute dotted path) that imports it at its first use."""
    if module_path.startswith("."):
        raise ValueError(f"on_first_use needs an absolute module path, not {module_path!r}")
    return _OnFirstUse(module_path)
