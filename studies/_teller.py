"""Telling trials their end: state, value, attributes, and the progress line."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import optuna
from optuna.trial import TrialState

from studies._heartbeat import Heartbeat
from studies._interrupt import STOP
from studies._progress import Progress
from studies.trials import INTERRUPTED

log = logging.getLogger(__name__)


class Teller:
    """Tells the trials of one batch and keeps count of which are told."""

    def __init__(self, study: optuna.Study, progress: Progress, heartbeat: Heartbeat) -> None:
        self.study = study
        self.progress = progress
        self.heartbeat = heartbeat
        self.told: set[int] = set()
        self.failed = 0

    def tell(
        self,
        trial: optuna.Trial,
        state: TrialState,
        value: float | Sequence[float] | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> None:
        for key, attr in (attrs or {}).items():
            trial.set_user_attr(key, attr)
        # Another worker may have failed this trial as stale meanwhile: its verdict stands.
        frozen = self.study.tell(trial, value, state=state, skip_if_finished=True)
        self.told.add(trial.number)
        self.heartbeat.forget(trial)
        self.failed += state == TrialState.FAIL and not (attrs or {}).get(INTERRUPTED)
        self.progress(self.study, frozen)

    def fail_untold(self, trials: Sequence[optuna.Trial]) -> None:
        """End every trial not told yet: as interrupted after Ctrl-C, else as failed."""
        interrupted = STOP.is_set()
        for trial in trials:
            if trial.number not in self.told:
                self.tell(trial, TrialState.FAIL, attrs={INTERRUPTED: True} if interrupted else {})
