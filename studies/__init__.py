"""Studies: run the searches (``python -m studies.heart``, ``python -m studies.tabular``), report on
them (``python -m studies.report``), and use the tuned models (``python -m studies.predict``,
``python -m studies.export``, :func:`load_model`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from studies.saved import load_model


def __getattr__(name: str) -> Any:
    # ``studies.load_model`` without importing scikit-learn and the storage layer for every
    # command that imports a studies module.
    if name == "load_model":
        from studies.saved import load_model

        return load_model
    raise AttributeError(f"module 'studies' has no attribute {name!r}")


__all__ = ["load_model"]
