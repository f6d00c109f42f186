"""Telling trials their end: state, value, attributes, and the progress line."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import optuna
from optuna.exceptions import UpdateFinishedTrialError
from optuna.trial import TrialState

from studies.trials.counting import INTERRUPTED
from studies.trials.heartbeat import Heartbeat
from studies.trials.interrupt import STOP
from studies.trials.progress import Progress

log = logging.getLogger(__name__)


class Teller:
    """Tells the trials of one batch and keeps count of which are told.

    Another worker may fail one of this batch's trials as stale while this worker still runs it
    (its heartbeats were late: a long lock wait, a suspended machine). That trial is *lost*: its
    verdict stands, it is not counted among this worker's failures, and the rest of the batch goes
    on.
    """

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
        try:
            for key, attr in (attrs or {}).items():
                trial.set_user_attr(key, attr)
            # A failure writes nothing else that would reveal a trial failed meanwhile.
            if state == TrialState.FAIL and not self._running(trial):
                raise UpdateFinishedTrialError
            frozen = self.study.tell(trial, value, state=state, skip_if_finished=True)
        except UpdateFinishedTrialError:
            self.lose(trial)
            return
        if frozen.state != state:  # finished elsewhere between the last write and the tell
            self.lose(trial)
            return
        self.told.add(trial.number)
        self.heartbeat.forget(trial)
        self.failed += state == TrialState.FAIL and not (attrs or {}).get(INTERRUPTED)
        self.progress(self.study, frozen)

    def report(self, trial: optuna.Trial, value: float, step: int) -> bool:
        """Report ``value`` at ``step``; False if the trial is lost (nothing more to tell)."""
        try:
            trial.report(value, step)
        except UpdateFinishedTrialError:
            self.lose(trial)
            return False
        return True

    def lose(self, trial: optuna.Trial) -> None:
        """Leave ``trial`` to the verdict another worker stored."""
        log.warning(
            "trial %d of %s was failed by another worker, which found its heartbeat late; "
            "that verdict stands and the rest of the batch goes on",
            trial.number,
            self.study.study_name,
        )
        self.told.add(trial.number)
        self.heartbeat.forget(trial)
        self.progress.lost(trial.number)

    def _running(self, trial: optuna.Trial) -> bool:
        running = self.study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
        return any(t.number == trial.number for t in running)

    def fail_untold(self, trials: Sequence[optuna.Trial]) -> None:
        """End every trial not told yet: as interrupted after Ctrl-C, else as failed."""
        interrupted = STOP.is_set()
        for trial in trials:
            if trial.number not in self.told:
                self.tell(trial, TrialState.FAIL, attrs={INTERRUPTED: True} if interrupted else {})
