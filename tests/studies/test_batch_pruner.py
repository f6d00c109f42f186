"""The batch pruner answers what the median pruner answers, from one read of the study per step,
and never answers from a read older than its batch and step."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import optuna
import pytest
from optuna.trial import FrozenTrial, TrialState

from studies.heart import main
from studies.run.engines.optuna import make_pruner
from studies.trials import pruning as _pruning
from studies.trials.pruning import BatchPruner
from tests.conftest import make_heart_frame

# Five completed trials: their reports at step 3 are 0.1, 0.2, 0.3, 0.4, 0.5 (median 0.3).
COMPLETED = [0.1, 0.2, 0.3, 0.4, 0.5]


class CountingStudy(optuna.Study):
    """A real study on a real SQLite file that counts its reads of the completed trials."""

    reads = 0

    def get_trials(self, deepcopy=True, states=None):  # type: ignore[no-untyped-def]
        if states is not None and tuple(states) == (TrialState.COMPLETE,):
            CountingStudy.reads += 1
        return super().get_trials(deepcopy=deepcopy, states=states)


def make_study(
    tmp_path: Path,
    pruner: optuna.pruners.BasePruner,
    direction: Literal["minimize", "maximize"] = "maximize",
) -> optuna.Study:
    storage = f"sqlite:///{tmp_path / 'p.db'}"
    study = optuna.create_study(storage=storage, study_name="s", direction=direction)
    for value in COMPLETED:
        trial = study.ask()
        for step in (1, 2, 3):
            trial.report(value, step)
        study.tell(trial, value)
    CountingStudy.reads = 0
    return CountingStudy(study_name="s", storage=storage, pruner=pruner)


@pytest.mark.parametrize(
    ("direction", "expected"),
    [("maximize", [False, False, True, True]), ("minimize", [True, False, False, False])],
)
def test_questions_of_a_batch_at_one_step_share_one_read_and_get_the_median_pruners_answers(
    tmp_path: Path, direction: Literal["minimize", "maximize"], expected: list[bool]
) -> None:
    study = make_study(tmp_path, BatchPruner(n_startup_trials=5, n_warmup_steps=0), direction)
    median = optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=0)
    # Above, at and below the median of 0.3 (a trial at the median is kept: pruned if worse).
    reported = [0.35, 0.3, 0.25, 0.05]
    trials = [study.ask() for _ in reported]
    assert isinstance(study.pruner, BatchPruner)
    with study.pruner.batch():
        for trial, value in zip(trials, reported, strict=True):
            trial.report(value, 3)
        answers = [trial.should_prune() for trial in trials]
    assert CountingStudy.reads == 1
    assert answers == expected
    frozen = [study.get_trials(deepcopy=False)[t.number] for t in trials]
    assert answers == [median.prune(study, t) for t in frozen]


def test_a_new_step_or_a_new_batch_reads_again_and_sees_trials_completed_meanwhile(
    tmp_path: Path,
) -> None:
    study = make_study(tmp_path, BatchPruner(n_startup_trials=5, n_warmup_steps=0))
    other_worker = optuna.load_study(study_name="s", storage=f"sqlite:///{tmp_path / 'p.db'}")
    pruner = study.pruner
    assert isinstance(pruner, BatchPruner)
    trial = study.ask()
    with pruner.batch():
        trial.report(0.2, 2)  # below the median 0.3 of five
        assert trial.should_prune()
        # Another worker completes three better trials: the median at step 3 becomes 0.45.
        for value in (0.6, 0.7, 0.8):
            theirs = other_worker.ask()
            theirs.report(value, 3)
            other_worker.tell(theirs, value)
        trial.report(0.35, 3)
        assert trial.should_prune()  # 0.35 < 0.45: step 3's read includes the new trials
    assert CountingStudy.reads == 2
    with pruner.batch():
        assert trial.should_prune()  # the same step in a new batch reads again
    assert CountingStudy.reads == 3


def test_outside_a_batch_every_question_reads_also_after_a_batch_that_raised(
    tmp_path: Path,
) -> None:
    study = make_study(tmp_path, BatchPruner(n_startup_trials=5, n_warmup_steps=0))
    assert isinstance(study.pruner, BatchPruner)
    trial = study.ask()
    trial.report(0.4, 3)
    pruner = study.pruner

    def batch_that_raises() -> None:
        with pruner.batch():
            assert not trial.should_prune()
            raise RuntimeError("a trial's training failed")

    with pytest.raises(RuntimeError, match="training failed"):
        batch_that_raises()
    assert [trial.should_prune() for _ in range(3)] == [False, False, False]
    assert CountingStudy.reads == 4


@pytest.mark.parametrize(("n_startup_trials", "n_warmup_steps"), [(6, 0), (5, 4)])
def test_startup_and_warmup_are_the_median_pruners(
    tmp_path: Path, n_startup_trials: int, n_warmup_steps: int
) -> None:
    study = make_study(tmp_path, BatchPruner(n_startup_trials, n_warmup_steps))
    trial = study.ask()
    assert isinstance(study.pruner, BatchPruner)
    with study.pruner.batch():
        trial.report(0.0, 3)  # the worst value: pruned were it not for too few trials or steps
        assert not trial.should_prune()
    # Before its warmup the pruner answers without reading the study.
    assert CountingStudy.reads == (0 if n_warmup_steps > 3 else 1)


@pytest.mark.slow
def test_a_network_study_prunes_the_same_trials_as_with_the_median_pruner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "heart.csv"
    make_heart_frame(120).to_csv(data, index=False)

    def run(name: str) -> list[tuple[TrialState, dict[int, float]]]:
        storage = f"sqlite:///{tmp_path / name}.db"
        argv = ["--data", str(data), "--storage", storage, "--models", "mlp", "--trials", "16",
                "--epochs", "12", "--folds", "2", "--parallel-trials", "4", "--no-report",
                "--quiet"]  # fmt: skip
        assert main(argv) == 0
        study = optuna.load_study(study_name="heart-mlp", storage=storage)
        return [(t.state, t.intermediate_values) for t in study.trials]

    questions, reads = [0], [0]
    prune = BatchPruner.prune

    def counting_prune(self: BatchPruner, study: optuna.Study, trial: FrozenTrial) -> bool:
        questions[0] += 1
        return prune(self, study, trial)

    class CountingRead(_pruning._CompletedAtStep):
        def __init__(self, study: optuna.Study, step: int) -> None:
            reads[0] += 1
            super().__init__(study, step)

    with monkeypatch.context() as patched:
        patched.setattr(BatchPruner, "prune", counting_prune)
        patched.setattr(_pruning, "_CompletedAtStep", CountingRead)
        batched = run("batched")
    # The batch pruner is in use: four trials' questions at a step share a read.
    assert 0 < 2 * reads[0] <= questions[0], (reads, questions)
    median = optuna.pruners.MedianPruner

    def make_median(*args: object) -> optuna.pruners.BasePruner:
        pruner = make_pruner(*args)  # type: ignore[arg-type]
        assert isinstance(pruner, BatchPruner)
        return median(
            n_startup_trials=pruner._n_startup_trials, n_warmup_steps=pruner._n_warmup_steps
        )

    monkeypatch.setattr("studies.run.engines.optuna.make_pruner", make_median)
    median_run = run("median")
    # The same trials pruned at the same steps; the reported log losses agree to float32's
    # rounding (a pack trained after other trials were pruned is padded to another size).
    assert [state for state, _ in median_run] == [state for state, _ in batched]
    for (_, reported), (_, expected) in zip(median_run, batched, strict=True):
        assert sorted(reported) == sorted(expected)
        assert [reported[s] for s in sorted(reported)] == pytest.approx(
            [expected[s] for s in sorted(expected)], rel=1e-6
        )
    assert sum(state == TrialState.PRUNED for state, _ in batched) >= 2
