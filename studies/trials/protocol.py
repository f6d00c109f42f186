"""A study's protocol: what must stay the same for its trials to be comparable.

It is stored on the study (user attribute ``protocol``) when the study is made, and every later
run checks it before writing anything: another fold plan, data file, search range, solver, split,
trainer, epochs or batch size is refused, since old and new trials would not be comparable.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

import optuna
from optuna.study import StudyDirection

from objectives import METRIC

#: The outer designs a protocol records (``design``).
SPLIT, NESTED, SITES, BOOTSTRAP = "split", "nested", "sites", "bootstrap"
#: The roles a part plays in its design (``role``): the default test split (which a nested run
#: keeps beside its outer parts; in the bootstrap design, every row), a nested outer part, a site
#: held out, the classic design's search on Cleveland scored at the other sites, or a bootstrap
#: sample (trained on the sample, scored on every row).
DEFAULT, OUTER, HELD_OUT, FROM_CLEVELAND, REPLICATE = (
    "default",
    "outer part",
    "held-out site",
    "tuned on Cleveland",
    "bootstrap sample",
)


class ProtocolMismatch(ValueError):
    """An existing study was run under another protocol; adding trials would mix them."""


def normalized(protocol: dict[str, Any]) -> dict[str, Any]:
    """The protocol as storage gives it back (JSON: tuples become lists)."""
    result: dict[str, Any] = json.loads(json.dumps(protocol))
    return result


#: The score of studies stored before the protocol recorded one: the article's, accuracy.
LEGACY_METRIC = "accuracy"


def metric_of(protocol: dict[str, Any]) -> str:
    """The score a study's trials are, as its protocol records it (:data:`LEGACY_METRIC` for a
    study stored before that)."""
    return str(protocol.get("metric") or LEGACY_METRIC)


def check_directions(
    study_name: str, stored: Sequence[StudyDirection], expected: Sequence[str]
) -> None:
    """Raise :class:`ProtocolMismatch` unless a stored study optimizes its values the way
    ``expected`` (Optuna's direction names, the first its score's: ``Metric.direction``) says:
    a study made by hand, or by another tool, that maximizes a loss would make every "best"
    the worst."""
    wanted = [StudyDirection.MAXIMIZE if d == "maximize" else StudyDirection.MINIMIZE
              for d in expected]  # fmt: skip
    if list(stored) != wanted:
        shown = ", ".join(d.name.lower() for d in stored)
        raise ProtocolMismatch(
            f"study {study_name!r} in this storage is set to {shown}, but its values need "
            f"{', '.join(expected)}; it was not made by this tool's settings: use another "
            "--study-prefix (or another storage)"
        )


def check_protocol(
    storage: optuna.storages.BaseStorage,
    study_name: str,
    expected: dict[str, Any],
    directions: Sequence[str] | None = None,
) -> None:
    """Raise :class:`ProtocolMismatch` if ``study_name`` exists with another protocol, or
    optimizing another way than ``directions`` (:func:`check_directions`; by default the way
    the protocol's score is better).

    A stored study without any protocol (made by another tool, or by hand) is adopted with a
    warning. Reads only: nothing is written to storage.
    """
    if study_name not in optuna.get_all_study_names(storage):
        return
    study = optuna.load_study(study_name=study_name, storage=storage)
    if directions is None:
        directions = [METRIC[metric_of(expected)].direction]
    check_directions(study_name, study.directions, directions)
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
