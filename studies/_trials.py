"""How trials run: slots handed out under a storage-wide lock, heartbeats, ask-and-tell.

``study.optimize`` stops workers with ``MaxTrialsCallback`` after a trial ends, so N workers sharing
a study can overshoot its target by up to N-1 trials. Here a worker takes its trials under a lock
every worker of the storage shares (a lock file beside an SQLite file, an advisory lock on
PostgreSQL, ``GET_LOCK`` on MySQL), after counting what is finished or running: together the
workers finish exactly the target. Each running trial's heartbeat is recorded, so a worker that
dies (kill -9) leaves trials that the next worker fails after the grace period, and Optuna's
``RetryHeartbeatStaleTrialCallback`` queues them again with the same parameters.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import signal
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import optuna
import sqlalchemy
from optuna.trial import TrialState

from studies._progress import FINISHED, Progress, count_states

log = logging.getLogger(__name__)

#: How long a worker with no free slot waits before looking again (other workers' trials may
#: still fail and free theirs).
POLL_SECONDS = 1.0
#: How long a worker with no free slot waits while nothing changes (no trial of the study ends):
#: longer than any grace period, and than a batch of networks takes to train.
WAIT_FOR_OTHERS_SECONDS = 600.0

RunBatch = Callable[[list[optuna.Trial], "Teller"], None]

#: Set by the Ctrl-C handler; the loops below check it between trials, batches and epochs.
STOP = threading.Event()


def stop_if_asked() -> None:
    """Raise KeyboardInterrupt if Ctrl-C was pressed (at a point where Python code runs)."""
    if STOP.is_set():
        raise KeyboardInterrupt


@contextlib.contextmanager
def ctrl_c_stops() -> Iterator[None]:
    """While inside, the first Ctrl-C only sets :data:`STOP`; the run stops at the next trial,
    batch or epoch boundary. Raising KeyboardInterrupt from the handler itself can land inside
    JAX's native code, which then aborts the process (seen as exit -11) or swallows it in a
    finalizer. A second Ctrl-C raises at once."""

    def handler(signum: int, frame: object) -> None:
        if STOP.is_set():
            raise KeyboardInterrupt
        STOP.set()

    STOP.clear()
    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class Teller:
    """Tells trials of one batch and keeps count of which are told."""

    def __init__(self, study: optuna.Study, progress: Progress, heartbeat: Heartbeat) -> None:
        self.study = study
        self.progress = progress
        self.heartbeat = heartbeat
        self.told: set[int] = set()
        self.failed = 0

    def tell(self, trial: optuna.Trial, state: TrialState, value: float | None = None) -> None:
        # Another worker may have failed this trial as stale meanwhile: its verdict stands.
        frozen = self.study.tell(trial, value, state=state, skip_if_finished=True)
        self.told.add(trial.number)
        self.heartbeat.forget(trial)
        self.failed += state == TrialState.FAIL
        self.progress(self.study, frozen)

    def fail_untold(self, trials: Sequence[optuna.Trial]) -> None:
        for trial in trials:
            if trial.number not in self.told:
                self.tell(trial, TrialState.FAIL)


def run_trials(
    study: optuna.Study,
    storage: optuna.storages.BaseStorage,
    target: int,
    batch_size: int,
    run_batch: RunBatch,
    progress: Progress,
    deadline: float | None = None,
) -> None:
    """Ask trials in batches until the study has ``target`` finished ones, across all workers.

    ``run_batch`` runs and tells its trials; any it leaves untold are failed. A trial that
    raises is stored as FAIL and the search goes on, up to ``target`` failures in this run.
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
                    return
                if seen != last_seen:
                    idle_since, last_seen = time.monotonic(), seen
                elif time.monotonic() - idle_since > WAIT_FOR_OTHERS_SECONDS:
                    log.warning(
                        "%s: other workers' trials have been running unchanged for %.0f s; "
                        "stopping this worker (run the command again to complete the target)",
                        study.study_name, WAIT_FOR_OTHERS_SECONDS,
                    )  # fmt: skip
                    return
                time.sleep(POLL_SECONDS)
                continue
            teller = Teller(study, progress, heartbeat)
            try:
                run_batch(trials, teller)
            except Exception:
                untold = len(trials) - len(teller.told)
                log.warning("%d trial(s) of %s failed", untold, study.study_name, exc_info=True)
            finally:  # also on Ctrl-C: leave no trial RUNNING
                teller.fail_untold(trials)
            failures += teller.failed
            if failures >= target:
                log.error("%d trials failed in this run; stopping %s", failures, study.study_name)
                return


class TrialGate:
    """Hands out trial slots so that the workers together finish exactly ``target`` trials."""

    def __init__(
        self, study: optuna.Study, storage: optuna.storages.BaseStorage, target: int
    ) -> None:
        self.study = study
        self.target = target
        self._lock = storage_lock(storage, study.study_name)

    def finished(self) -> int:
        counts = count_states(self.study)
        return sum(counts[state] for state in FINISHED)

    def others_running(self) -> bool:
        return count_states(self.study)[TrialState.RUNNING] > 0

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
            counts = count_states(self.study)
            taken = sum(counts[state] for state in (*FINISHED, TrialState.RUNNING))
            free = max(0, min(wanted, self.target - taken))
            with warnings.catch_warnings():
                # Optuna warns that heartbeats are meant for Study.optimize; here Heartbeat
                # (below) records them for the asked trials instead.
                warnings.filterwarnings("ignore", "Heartbeat of storage", UserWarning)
                trials = [self.study.ask() for _ in range(free)]
            heartbeat.watch(trials)
            return trials


def fail_stale_trials(study: optuna.Study) -> None:
    """Optuna's own sweep of trials whose worker stopped beating (marked experimental)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        optuna.storages.fail_stale_trials(study)


def storage_lock(
    storage: optuna.storages.BaseStorage, name: str
) -> Callable[[], contextlib.AbstractContextManager[None]]:
    """A lock named ``name`` shared by every worker of ``storage``, on any machine."""
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    if isinstance(storage, optuna.storages.RDBStorage):
        engine = storage.engine
        if engine.dialect.name == "sqlite":
            path = Path(str(engine.url.database) + ".lock")
            return lambda: _file_lock(path)
        if engine.dialect.name == "postgresql":
            return lambda: _sql_lock(engine, "SELECT pg_advisory_lock(:key)",
                                     "SELECT pg_advisory_unlock(:key)", key)  # fmt: skip
        if engine.dialect.name == "mysql":
            return lambda: _sql_lock(engine, "SELECT GET_LOCK(:key, 600)",
                                     "SELECT RELEASE_LOCK(:key)", str(key))  # fmt: skip
    lock = threading.Lock()  # in memory: one process
    return lambda: _thread_lock(lock)


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def _sql_lock(engine: sqlalchemy.Engine, take: str, give: str, key: int | str) -> Iterator[None]:
    with engine.connect() as connection:
        got = connection.execute(sqlalchemy.text(take), {"key": key}).scalar()
        if got == 0:  # MySQL's GET_LOCK timed out (PostgreSQL's lock waits, returning NULL)
            raise TimeoutError(f"no storage lock {key} after 600 s: is another worker stuck?")
        try:
            yield
        finally:
            connection.execute(sqlalchemy.text(give), {"key": key})
            connection.commit()


@contextlib.contextmanager
def _thread_lock(lock: threading.Lock) -> Iterator[None]:
    with lock:
        yield


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
