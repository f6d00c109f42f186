"""Reading a study's trials the same way everywhere: counts, the best trial, interrupted ones."""

from __future__ import annotations

import math
from collections.abc import Sequence

import optuna
from optuna.study import StudyDirection
from optuna.trial import FrozenTrial, TrialState

FINISHED = (TrialState.COMPLETE, TrialState.PRUNED)
#: User attribute of a trial cut short by Ctrl-C: stored as FAIL (Optuna has no other end state
#: for it) but counted apart from trials that raised.
INTERRUPTED = "interrupted"


def is_interrupted(trial: FrozenTrial) -> bool:
    return trial.state == TrialState.FAIL and bool(trial.user_attrs.get(INTERRUPTED))


def count_outcomes(trials: Sequence[FrozenTrial]) -> dict[str, int]:
    """How many trials completed, were pruned, failed (raised), were interrupted, or run."""
    counts = dict.fromkeys(("complete", "pruned", "failed", "interrupted", "running", "waiting"), 0)
    for trial in trials:
        if trial.state == TrialState.COMPLETE:
            counts["complete"] += 1
        elif trial.state == TrialState.PRUNED:
            counts["pruned"] += 1
        elif trial.state == TrialState.FAIL:
            counts["interrupted" if is_interrupted(trial) else "failed"] += 1
        elif trial.state == TrialState.RUNNING:
            counts["running"] += 1
        else:
            counts["waiting"] += 1
    return counts


def n_finished(study: optuna.Study) -> int:
    return len(study.get_trials(deepcopy=False, states=FINISHED))


#: ``protocol["reports"]`` of a study whose trials report each fold's own score at each step
#: (what ``--pruner wilcoxon`` pairs), instead of the running mean the other pruners compare.
FOLD_SCORES = "each fold's score"


def best_trial(
    trials: Sequence[FrozenTrial], direction: StudyDirection = StudyDirection.MAXIMIZE
) -> FrozenTrial | None:
    """The complete trial with the best value (of the first objective, for a study with several),
    the earliest among ties.

    Optuna leaves the order of tied best trials to the storage (undefined on PostgreSQL); the
    test-set refit, the closing table and the report all use this one, so they agree.
    """
    complete = [
        t
        for t in trials
        if t.state == TrialState.COMPLETE and t.values and not math.isnan(t.values[0])
    ]
    if not complete:
        return None
    sign = 1.0 if direction == StudyDirection.MAXIMIZE else -1.0
    return max(complete, key=lambda t: (sign * float(t.values[0]), -t.number))


def primary_value(trial: FrozenTrial | None) -> float:
    """A finished trial's (first) objective value, its score; NaN when there is none."""
    return float(trial.values[0]) if trial is not None and trial.values else math.nan


def primary_direction(study: optuna.Study) -> StudyDirection:
    """The direction of the study's (first) objective: its score."""
    return study.directions[0]


def study_best(study: optuna.Study) -> FrozenTrial | None:
    """:func:`best_trial` of a stored study, by its (first) objective."""
    return best_trial(study.get_trials(deepcopy=False), primary_direction(study))
