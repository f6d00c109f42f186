"""A thread that records the heartbeat of every running trial of this worker.

A worker that dies (kill -9, a lost machine) stops beating; once a trial has been silent for the
storage's grace period, the next worker to take a trial fails it and Optuna's
``RetryHeartbeatStaleTrialCallback`` queues it again with the same parameters.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

import optuna

log = logging.getLogger(__name__)


class Heartbeat:
    """Records the heartbeat of every watched trial every ``heartbeat_interval`` seconds.

    Does nothing for storages without heartbeats (in memory).
    """

    def __init__(self, study: optuna.Study, storage: optuna.storages.BaseStorage) -> None:
        self.study = study
        self.storage = storage
        interval = getattr(storage, "heartbeat_interval", None)
        self.interval: float | None = float(interval) if interval else None
        self._trial_ids: dict[int, int] = {}
        self._guard = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def watch(self, trials: Sequence[optuna.Trial]) -> None:
        if self.interval is None or not trials:
            return
        study_id = self.storage.get_study_id_from_name(self.study.study_name)
        with self._guard:
            for trial in trials:
                self._trial_ids[trial.number] = (
                    self.storage.get_trial_id_from_study_id_trial_number(study_id, trial.number)
                )
        self._beat()

    def forget(self, trial: optuna.Trial) -> None:
        with self._guard:
            self._trial_ids.pop(trial.number, None)

    def _beat(self) -> None:
        with self._guard:
            trial_ids = list(self._trial_ids.values())
        for trial_id in trial_ids:
            try:
                self.storage.record_heartbeat(trial_id)  # type: ignore[attr-defined]
            except Exception as error:  # the trial goes on; others may fail it as stale
                log.warning("could not record the heartbeat of trial id %d: %r", trial_id, error)

    def _run(self) -> None:
        assert self.interval is not None
        while not self._stop.wait(self.interval):
            self._beat()

    def __enter__(self) -> Heartbeat:
        if self.interval is not None:
            self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
