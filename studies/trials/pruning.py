"""The median pruner, asked about a batch of trials against one read of the study per step.

A question before the warmup is answered without reading at all: the median pruner prunes
nothing there.

``MedianPruner.prune`` starts with ``study.get_trials(states=(COMPLETE,))``. On SQLite or
PostgreSQL that read also re-fetches every running trial with all its reports (Optuna's cached
storage refreshes unfinished trials on each read): some 6 ms with a batch of 20 networks, and a
batch asks 20 questions at each report step, ~1,400 in the default main command. Within one
batch, at one step, the completed trials are the same for every question (this worker completes
a trial only when its batch ends), so :class:`BatchPruner` reads them once per step and answers
every question of that step from the one read. Other workers' trials completed during the
step's questions (tens of milliseconds) count from the next step on.
"""

from __future__ import annotations

from collections.abc import Container, Iterator
from contextlib import contextmanager

import optuna
from optuna.pruners import MedianPruner
from optuna.study import StudyDirection
from optuna.trial import FrozenTrial, TrialState

_COMPLETE = (TrialState.COMPLETE,)


class _CompletedAtStep:
    """What the median pruner reads of a study: its direction and its completed trials, as
    they were at one read."""

    def __init__(self, study: optuna.Study, step: int) -> None:
        self.study = study
        self.step = step
        self.direction: StudyDirection = study.direction
        self._completed = study.get_trials(deepcopy=False, states=_COMPLETE)

    def get_trials(
        self, deepcopy: bool = True, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        if states is None or tuple(states) != _COMPLETE:  # type: ignore[arg-type]
            return self.study.get_trials(deepcopy=deepcopy, states=states)
        return list(self._completed)


class BatchPruner(MedianPruner):
    """Optuna's median pruner that reads the study only where it may prune: never before the
    warmup, and inside :meth:`batch` once per report step.

    Its answers are the median pruner's. A subclass, so that what checks for the median pruner
    (Optuna, its settings) still sees one.
    """

    def __init__(self, n_startup_trials: int, n_warmup_steps: int) -> None:
        super().__init__(n_startup_trials=n_startup_trials, n_warmup_steps=n_warmup_steps)
        self.warmup = n_warmup_steps
        self._in_batch = False
        self._read: _CompletedAtStep | None = None

    @contextmanager
    def batch(self) -> Iterator[None]:
        """The questions asked inside share one read per (study, step); none outlives it."""
        self._in_batch, self._read = True, None
        try:
            yield
        finally:
            self._in_batch, self._read = False, None

    def prune(self, study: optuna.Study, trial: FrozenTrial) -> bool:
        if trial.last_step is not None and trial.last_step < self.warmup:
            return False  # what the median pruner answers there, after reading the study
        if not self._in_batch or trial.last_step is None:
            return super().prune(study, trial)
        read = self._read
        if read is None or read.study is not study or read.step != trial.last_step:
            read = self._read = _CompletedAtStep(study, trial.last_step)
        return super().prune(read, trial)  # type: ignore[arg-type]
