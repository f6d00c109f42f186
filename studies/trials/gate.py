"""The run loop: trial slots handed out under a storage-wide lock, in batches, until the target.

``study.optimize`` stops workers with ``MaxTrialsCallback`` after a trial ends, so N workers sharing
a study can overshoot its target by up to N-1 trials. Here a worker takes its trials under a lock
every worker of the storage shares (:mod:`studies.trials.locks`), after counting what is finished or
running: together the workers finish exactly the target. Each running trial's heartbeat is
recorded (:mod:`studies.trials.heartbeat`).
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable

import optuna
from optuna.trial import TrialState

from studies.trials.counting import FINISHED
from studies.trials.heartbeat import Heartbeat
from studies.trials.interrupt import stop_if_asked
from studies.trials.locks import storage_lock
from studies.trials.progress import Progress
from studies.trials.teller import Teller

log = logging.getLogger(__name__)

#: How long a worker with no free slot waits before looking again (other workers' trials may
#: still fail and free theirs).
POLL_SECONDS = 1.0
#: How long a worker with no free slot waits while nothing changes (no trial of the study ends):
#: longer than any grace period, and than a batch of networks takes to train.
WAIT_FOR_OTHERS_SECONDS = 600.0

#: Runs and tells a batch of asked trials.
RunBatch = Callable[[list[optuna.Trial], Teller], None]


def run_trials(
    study: optuna.Study,
    storage: optuna.storages.BaseStorage,
    target: int,
    batch_size: int,
    run_batch: RunBatch,
    progress: Progress,
    deadline: float | None = None,
) -> int:
    """Ask trials in batches until the study has ``target`` finished ones, across all workers.

    ``run_batch`` runs and tells its trials; any it leaves untold are failed (or, after Ctrl-C,
    marked interrupted). A trial that raises is stored as FAIL and the search goes on, up to
    ``target`` failures in this run. A trial another worker failed as stale meanwhile keeps that
    verdict and is not this run's failure (:class:`~studies.trials.teller.Teller`).

    Returns:
        The trials of this run that failed (interrupted ones not counted).
    """
    gate = TrialGate(study, storage, target)
    failures = 0
    with Heartbeat(study, storage) as heartbeat:
        idle_since, last_seen = time.monotonic(), gate.snapshot()
        while deadline is None or time.monotonic() < deadline:
            stop_if_asked()
            trials = gate.take(batch_size, heartbeat)
            if not trials:
                seen = gate.snapshot()
                if gate.finished() >= target or not gate.others_running():
                    return failures
                if seen != last_seen:
                    idle_since, last_seen = time.monotonic(), seen
                elif time.monotonic() - idle_since > WAIT_FOR_OTHERS_SECONDS:
                    log.warning(
                        "%s: other workers' trials have been running unchanged for %.0f s; "
                        "stopping this worker (run the command again to complete the target)",
                        study.study_name,
                        WAIT_FOR_OTHERS_SECONDS,
                    )
                    return failures
                time.sleep(POLL_SECONDS)
                continue
            teller = Teller(study, progress, heartbeat)
            progress.batch_started([trial.number for trial in trials])
            try:
                run_batch(trials, teller)
            except Exception:
                untold = len(trials) - len(teller.told)
                log.warning("%d trial(s) of %s failed", untold, study.study_name, exc_info=True)
            finally:  # also on Ctrl-C: leave no trial RUNNING
                teller.fail_untold(trials)
                progress.batch_ended()
            failures += teller.failed
            if failures >= target:
                log.error("%d trials failed in this run; stopping %s", failures, study.study_name)
                return failures
    return failures


class TrialGate:
    """Hands out trial slots so that the workers together finish exactly ``target`` trials."""

    def __init__(
        self, study: optuna.Study, storage: optuna.storages.BaseStorage, target: int
    ) -> None:
        self.study = study
        self.target = target
        self._lock = storage_lock(storage, study.study_name)

    def _count(self, *states: TrialState) -> int:
        return len(self.study.get_trials(deepcopy=False, states=states))

    def finished(self) -> int:
        return self._count(*FINISHED)

    def others_running(self) -> bool:
        return self._count(TrialState.RUNNING) > 0

    def snapshot(self) -> tuple[tuple[int, str], ...]:
        """Every trial's number and state: what changes when any worker makes progress."""
        return tuple((t.number, t.state.name) for t in self.study.get_trials(deepcopy=False))

    def take(self, wanted: int, heartbeat: Heartbeat) -> list[optuna.Trial]:
        """Up to ``wanted`` new (or queued retry) trials, never beyond the target.

        Their first heartbeat is recorded before the lock is released: a trial without one
        would never count as stale, and its slot would stay taken if this worker died.
        """
        with self._lock():
            fail_stale_trials(self.study)
            taken = self._count(*FINISHED, TrialState.RUNNING)
            free = max(0, min(wanted, self.target - taken))
            with warnings.catch_warnings():
                # Optuna warns that heartbeats are meant for Study.optimize; here Heartbeat
                # records them for the asked trials instead.
                warnings.filterwarnings("ignore", "Heartbeat of storage", UserWarning)
                trials = [self.study.ask() for _ in range(free)]
            heartbeat.watch(trials)
            return trials


def fail_stale_trials(study: optuna.Study) -> None:
    """Optuna's own sweep of trials whose worker stopped beating (marked experimental)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        optuna.storages.fail_stale_trials(study)
