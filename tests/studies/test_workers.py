"""Many workers on one storage, and faults: against a real SQLite file, the real PostgreSQL and
the real MariaDB (MySQL).

The servers' URLs come from HEART_TEST_POSTGRES_URL and HEART_TEST_MYSQL_URL (.ci/run sets them);
without one, its tests skip, except under CI, where a missing database fails the run.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import optuna
import pytest
import sqlalchemy
from optuna.distributions import FloatDistribution
from optuna.trial import TrialState

from objectives import METRICS, ModelFamily, Outcome, TrainOptions
from objectives.task import BINARY
from studies.run.engines.optuna import family_runner
from studies.trials import storage as _storage
from studies.trials.gate import run_trials
from studies.trials.locks import storage_lock
from studies.trials.progress import Progress
from studies.trials.pruning import BatchPruner
from studies.trials.storage import open_storage
from tests.conftest import make_heart_frame

pytestmark = pytest.mark.slow
SERVER_ENV = {"postgresql": "HEART_TEST_POSTGRES_URL", "mysql": "HEART_TEST_MYSQL_URL"}


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "heart.csv"
    make_heart_frame(60).to_csv(path, index=False)
    return path


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "mysql" and request.node.get_closest_marker("mlp"):
        # The network's worker life (kill, Ctrl-C, retry) is the same code on every server and
        # takes minutes each; MySQL's own parts (the gate's lock, lock timeouts, stale trials)
        # are tested by the other tests here.
        pytest.skip("network worker tests run on SQLite and PostgreSQL")
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'shared.db'}"
        return
    variable = SERVER_ENV[request.param]
    url = os.environ.get(variable)
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs {request.param}: set {variable}")
        pytest.skip(f"{variable} is not set")
    yield url


@pytest.fixture
def prefix(storage: str) -> Iterator[str]:
    """A study prefix of this test alone; its studies are deleted afterwards."""
    name = f"t{uuid.uuid4().hex[:10]}"
    yield name
    rdb = optuna.storages.RDBStorage(storage)
    for study in optuna.get_all_study_names(rdb):
        if study.startswith(f"{name}-"):
            optuna.delete_study(study_name=study, storage=rdb)


def heart(data: Path, storage: str, prefix: str, *flags: str) -> list[str]:
    return [sys.executable, "-m", "studies.heart", "--data", str(data), "--storage", storage,
            "--study-prefix", prefix, "--no-report", "--quiet", *flags]  # fmt: skip


def trials(storage: str, name: str) -> list[optuna.trial.FrozenTrial]:
    return optuna.load_study(study_name=name, storage=storage).get_trials()


def finished(trial_list: list[optuna.trial.FrozenTrial]) -> int:
    return sum(t.state in (TrialState.COMPLETE, TrialState.PRUNED) for t in trial_list)


def test_workers_finish_exactly_the_target(data: Path, storage: str, prefix: str) -> None:
    command = heart(data, storage, prefix, "--models", "logreg-l1,logreg-l2", "--trials", "45",
                    "--workers", "3")  # fmt: skip
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "database is locked" not in completed.stderr
    for model in ("logreg-l1", "logreg-l2"):
        found = trials(storage, f"{prefix}-{model}")
        assert finished(found) == 45
        assert len(found) == 45
        assert len({t.number for t in found}) == 45
    # Each worker drew from its own seed stream: the first trials are not copies of each other.
    first = [t.params["C"] for t in trials(storage, f"{prefix}-logreg-l1")[:3]]
    assert len(set(first)) == 3


def test_two_machines_with_several_workers_draw_distinct_trials(
    data: Path, storage: str, prefix: str
) -> None:
    """Two commands sharing one storage, as two machines would, each with two workers: every
    worker has a sampler stream of its own, so no trial repeats another's parameters."""
    flags = ("--models", "logreg-l1", "--trials", "24", "--workers", "2", "--sampler", "random")
    machines = [
        subprocess.Popen(heart(data, storage, prefix, *flags, "--worker-index", str(index)),
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for index in (0, 1)
    ]  # fmt: skip
    for machine in machines:
        _, stderr = machine.communicate(timeout=300)
        assert machine.returncode == 0, stderr[-3000:]
    found = trials(storage, f"{prefix}-logreg-l1")
    assert finished(found) == 24
    values = [t.params["C"] for t in found]
    assert len(set(values)) == len(values)


def test_each_worker_of_each_machine_has_its_own_sampler_seed() -> None:
    from studies.settings import Settings

    seeds = {
        Settings(worker_index=machine, worker_slot=slot).sampler_seed
        for machine in range(3)
        for slot in range(3)
    }
    assert len(seeds) == 9
    assert Settings(seed=5).sampler_seed == 5  # a lone worker keeps --seed itself


def wait_for_running(storage: str, name: str, timeout: float = 120) -> optuna.trial.FrozenTrial:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            running = [t for t in trials(storage, name) if t.state == TrialState.RUNNING]
        except KeyError:  # the study does not exist yet
            running = []
        if running:
            return running[0]
        time.sleep(0.2)
    raise AssertionError(f"no trial of {name} started running within {timeout} s")


MLP_FLAGS = ("--models", "mlp", "--trials", "4", "--epochs", "300", "--folds", "2",
             "--parallel-trials", "2", "--pruner", "none")  # fmt: skip


@pytest.mark.mlp
def test_a_killed_worker_is_retried_with_the_same_parameters(
    data: Path, storage: str, prefix: str
) -> None:
    command = heart(data, storage, prefix, *MLP_FLAGS)
    worker = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    number = wait_for_running(storage, f"{prefix}-mlp").number
    time.sleep(1)  # let the batch get going: every parameter suggested
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    victim = trials(storage, f"{prefix}-mlp")[number]
    assert victim.state == TrialState.RUNNING

    # Running the same command again completes the target; after the grace period it fails the
    # dead worker's trials and runs them again with the same parameters.
    completed = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    assert completed.returncode == 0, completed.stderr[-3000:]
    found = trials(storage, f"{prefix}-mlp")
    assert finished(found) == 4
    assert found[victim.number].state == TrialState.FAIL
    retried = [t for t in found if t.system_attrs.get("failed_trial") == victim.number]
    assert len(retried) == 1
    assert retried[0].params == victim.params
    assert retried[0].state == TrialState.COMPLETE
    assert not [t for t in found if t.state == TrialState.RUNNING]


@pytest.mark.mlp
def test_ctrl_c_stops_cleanly_and_a_rerun_completes(data: Path, storage: str, prefix: str) -> None:
    command = heart(data, storage, prefix, *MLP_FLAGS)
    worker = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wait_for_running(storage, f"{prefix}-mlp")
    worker.send_signal(signal.SIGINT)
    try:
        _, stderr = worker.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
        raise AssertionError("Ctrl-C did not stop the run within 20 s") from None
    assert worker.returncode == 130, stderr
    assert "interrupted; finished trials are stored" in stderr
    cut = trials(storage, f"{prefix}-mlp")
    assert not [t for t in cut if t.state == TrialState.RUNNING]
    # The trials the interrupt cut short are stored apart from trials that raised.
    failed = [t for t in cut if t.state == TrialState.FAIL]
    assert failed
    assert all(t.user_attrs.get("interrupted") is True for t in failed)

    completed = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert finished(trials(storage, f"{prefix}-mlp")) == 4


def toy_family(at_step: Callable[[int], None], raise_at: int | None) -> ModelFamily:
    """A batched family whose trial scores its own ``x`` at each of three steps; ``at_step`` is
    called before each step and once after the last (step 4). Its first batch raises before
    step ``raise_at``'s reports."""
    batches: list[int] = []

    def evaluate(params, folds, options, on_report):  # type: ignore[no-untyped-def]
        batches.append(len(params))
        outcomes = [Outcome() for _ in params]
        stopped = [False] * len(params)
        for step in (1, 2, 3, 4):
            at_step(step)
            if step == raise_at and len(batches) == 1:
                raise RuntimeError("the batch's training failed")
            if step == 4:
                break
            for index, trial_params in enumerate(params):
                if not stopped[index]:
                    outcomes[index].folds.add(dict.fromkeys(METRICS, trial_params["x"]))
                    outcomes[index].step = step
                    stopped[index] = on_report(index, step, outcomes[index])
        for outcome, stop in zip(outcomes, stopped, strict=True):
            outcome.complete = not stop
        return outcomes

    return ModelFamily(
        name="toy",
        label="toy",
        space={"x": FloatDistribution(0.0, 1.0)},
        evaluate=evaluate,
        refit=lambda *_: None,  # type: ignore[arg-type,return-value]
        step_name="epoch",
        report_steps=lambda options, n_folds: [1, 2, 3],
        warmup_steps=lambda options, n_folds: 0,
        protocol=lambda options: {},
        batched=True,
    )


@pytest.mark.parametrize(
    ("fail_at", "raise_at", "failures"),
    [(2, None, 0), (4, None, 0), (3, 3, 3)],
    ids=["between-reports", "after-training", "then-the-batch-raises"],
)
def test_a_trial_failed_as_stale_by_another_worker_leaves_the_rest_of_its_batch_alone(
    storage: str, prefix: str, fail_at: int, raise_at: int | None, failures: int
) -> None:
    """Another worker, through its own connection, fails one running trial of a batch as
    ``fail_stale_trials`` does (its heartbeat looked late). Its verdict stands, it is not this
    worker's failure, and the batch's other trials end as they would have."""
    name = f"{prefix}-toy"
    other = optuna.storages.RDBStorage(storage)  # the other worker's own connection
    victim, met = 1, list[int]()

    def another_worker_fails_the_victim(step: int) -> None:
        if step == fail_at and not met:  # only the first batch meets the other worker
            met.append(step)
            trial_id = other.get_trial_id_from_study_id_trial_number(
                other.get_study_id_from_name(name), victim
            )
            assert other.set_trial_state_values(trial_id, TrialState.FAIL)

    family = toy_family(another_worker_fails_the_victim, raise_at)
    pruner = BatchPruner(n_startup_trials=5, n_warmup_steps=0)
    rdb = open_storage(storage)
    study = optuna.create_study(storage=rdb, study_name=name, direction="maximize", pruner=pruner)
    run_batch = family_runner(
        family, [], TrainOptions(task=BINARY, parallel_trials=4), 3, pruner=pruner
    )
    with Progress(name, 4, 0, quiet=True) as progress:
        counted = run_trials(study, rdb, 4, 4, run_batch, progress)

    assert met
    assert counted == failures
    found = trials(storage, name)
    assert found[victim].state == TrialState.FAIL
    # Nothing was written after the verdict.
    assert max(found[victim].intermediate_values) == fail_at - 1
    assert "fold_accuracy" not in found[victim].user_attrs
    batch = [t for t in found[:4] if t.number != victim]
    if raise_at is None:
        assert [t.state for t in batch] == [TrialState.COMPLETE] * 3
        for trial in batch:
            assert trial.value == pytest.approx(trial.params["x"])
            assert trial.intermediate_values == pytest.approx(dict.fromkeys((1, 2, 3), trial.value))
    else:
        assert [t.state for t in batch] == [TrialState.FAIL] * 3
    assert not [t for t in found if t.state == TrialState.RUNNING]
    assert finished(found) == 4  # the run went on to its target


@pytest.mark.filterwarnings("ignore:Heartbeat of storage:UserWarning")
def test_a_heartbeat_waits_for_a_lock_at_most_the_lock_timeout_and_the_gate_longer(
    storage: str, prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the grace period is derived from (studies.trials.storage.GRACE_SECONDS): on every
    backend a heartbeat's write gives up a lock wait after LOCK_TIMEOUT_S (1 s here), while the
    trial gate outwaits it."""
    monkeypatch.setattr(_storage, "LOCK_TIMEOUT_S", 1)
    rdb = open_storage(storage)
    assert isinstance(rdb, optuna.storages.RDBStorage)
    study = optuna.create_study(storage=rdb, study_name=f"{prefix}-locks")
    study_id = rdb.get_study_id_from_name(study.study_name)
    trial_id = rdb.get_trial_id_from_study_id_trial_number(study_id, study.ask().number)
    rdb.record_heartbeat(trial_id)
    time.sleep(1.1)  # the next heartbeat's time differs (SQLite and MySQL count seconds)

    # Another connection holds a lock the heartbeat's write needs (for 6 s at most: a write
    # that waits longer would then go through).
    with contextlib.ExitStack() as held:
        if rdb.engine.dialect.name == "sqlite":
            writer = held.enter_context(
                contextlib.closing(
                    sqlite3.connect(
                        str(rdb.engine.url.database), isolation_level=None, check_same_thread=False
                    )
                )
            )
            writer.execute("BEGIN IMMEDIATE")
            release = threading.Timer(6, writer.execute, ["ROLLBACK"])
        else:
            holder = held.enter_context(rdb.engine.connect())
            holder.execute(
                sqlalchemy.text("SELECT * FROM trial_heartbeats WHERE trial_id = :id FOR UPDATE"),
                {"id": trial_id},
            )
            release = threading.Timer(6, holder.rollback)
        release.start()
        held.callback(release.join)
        held.callback(release.cancel)
        started = time.monotonic()
        with pytest.raises(optuna.exceptions.StorageInternalError) as error:
            rdb.record_heartbeat(trial_id)
        assert 0.8 < time.monotonic() - started < 5
        # SQLite: "database is locked"; PostgreSQL: "lock timeout"; MySQL: "Lock wait timeout".
        assert "lock" in str(error.value.__cause__).lower()

    gate = storage_lock(rdb, f"{prefix}-locks")
    taken = threading.Event()

    def hold_the_gate() -> None:
        with gate():
            taken.set()
            time.sleep(2.5)

    holder_thread = threading.Thread(target=hold_the_gate)
    holder_thread.start()
    assert taken.wait(10)
    started = time.monotonic()
    with gate():  # waits out the other worker, well past the lock timeout
        assert time.monotonic() - started > 1.5
    holder_thread.join()


def test_workers_share_the_bootstrap_samples_and_none_is_done_twice(
    data: Path, storage: str, prefix: str
) -> None:
    """Two workers run the bootstrap design against one storage: every sample's search ends
    with exactly its budget of trials, none searched twice or left short."""
    flags = ["--models", "logreg-l1", "--bootstrap", "3", "--trials", "5",
             "--bootstrap-trials", "4", "--folds", "3", "--workers", "2"]  # fmt: skip
    command = heart(data, storage, prefix, *flags)
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    names = sorted(n for n in optuna.get_all_study_names(storage) if n.startswith(f"{prefix}-"))
    assert names == [f"{prefix}-logreg-l1"] + [f"{prefix}-logreg-l1-boot-{b}" for b in (1, 2, 3)]
    assert finished(trials(storage, f"{prefix}-logreg-l1")) == 5
    for name in names[1:]:
        assert finished(trials(storage, name)) == 4
        assert optuna.load_study(study_name=name, storage=storage).user_attrs.get("test_proba")
