"""Many workers on one storage, and faults: against a real SQLite file and the real PostgreSQL.

PostgreSQL's URL comes from HEART_TEST_POSTGRES_URL (.ci/run sets it); without it these tests
skip, except under CI, where a missing database fails the run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState

from tests.conftest import make_heart_frame

pytestmark = pytest.mark.slow
POSTGRES_ENV = "HEART_TEST_POSTGRES_URL"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "heart.csv"
    make_heart_frame(60).to_csv(path, index=False)
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'shared.db'}"
        return
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs PostgreSQL: set {POSTGRES_ENV}")
        pytest.skip(f"{POSTGRES_ENV} is not set")
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
