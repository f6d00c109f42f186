"""A study's protocol: what must stay the same for its trials to be comparable.

It is stored on the study (user attribute ``protocol``) when the study is made, and every later
run checks it before writing anything: another fold plan, data file, search range, solver, split,
trainer, epochs or batch size is refused, since old and new trials would not be comparable.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import optuna


class ProtocolMismatch(ValueError):
    """An existing study was run under another protocol; adding trials would mix them."""


def normalized(protocol: dict[str, Any]) -> dict[str, Any]:
    """The protocol as storage gives it back (JSON: tuples become lists)."""
    result: dict[str, Any] = json.loads(json.dumps(protocol))
    return result


def check_protocol(
    storage: optuna.storages.BaseStorage, study_name: str, expected: dict[str, Any]
) -> None:
    """Raise :class:`ProtocolMismatch` if ``study_name`` exists with another protocol.

    A stored study without any protocol (made by another tool, or by hand) is adopted with a
    warning. Reads only: nothing is written to storage.
    """
    if study_name not in optuna.get_all_study_names(storage):
        return
    study = optuna.load_study(study_name=study_name, storage=storage)
    stored = study.user_attrs.get("protocol")
    expected = normalized(expected)
    if stored is None:
        n_trials = len(study.get_trials(deepcopy=False))
        print(
            f"Warning: study {study_name!r} has no stored protocol (made by another tool or by "
            f"hand); adopting it, so its {n_trials} trial(s) are taken as comparable with new ones",
            file=sys.stderr,
        )
        return
    if stored == expected:
        return
    changed = [
        f"{key} {_short(stored.get(key))} -> {_short(expected.get(key))}"
        for key in sorted(set(stored) | set(expected))
        if stored.get(key) != expected.get(key)
    ]
    raise ProtocolMismatch(
        f"study {study_name!r} in this storage was run with other settings ({'; '.join(changed)}); "
        "its trials would not be comparable: use another --study-prefix or the original settings"
    )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
