"""What a user sees while a run works: progress within a batch of networks, estimates built from
measured times, the line form on a terminal without a width, ``--quiet``, and the report's
announcement. The estimator is tested as a pure function on hand-made timings; the display on
tiny runs of the real command."""

from __future__ import annotations

import functools
import io
import math
import os
import re
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState

from studies.tabular import main
from studies.trials.progress import (
    Chunk,
    Progress,
    RunClock,
    batch_seconds,
    seconds_per_step,
    study_seconds_left,
)
from tests.conftest import write_table_both_ways

pytestmark = pytest.mark.usefixtures("work_in_tmp")


@pytest.fixture(autouse=True)
def _no_columns_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)


@pytest.fixture
def table(tmp_path: Path) -> Path:
    points, _ = write_table_both_ways(tmp_path, n_rows=120)
    return points


def argv(table: Path, tmp_path: Path, *flags: str) -> list[str]:
    return ["--data", str(table), "--target", "disease", "--storage",
            f"sqlite:///{tmp_path / 'studies.db'}", "--metric", "log_loss", *flags]  # fmt: skip


#: A network study of one batch: 4 trials trained together, 10 epochs reported at 5 and 10.
NETWORK = ("--models", "mlp", "--trials", "4", "--epochs", "10", "--parallel-trials", "4",
           "--folds", "2", "--no-report")  # fmt: skip


# The estimator, on hand-made timings -----------------------------------------------------------


def test_a_batch_pace_leaves_out_its_first_chunk() -> None:
    chunks = [Chunk(30.0, 5, first=True), Chunk(10.0, 5), Chunk(12.0, 5), Chunk(20.0, 10)]
    assert seconds_per_step(chunks) == pytest.approx(2.0)  # median of 2.0, 2.4, 2.0
    assert math.isnan(seconds_per_step([Chunk(30.0, 5, first=True)]))


def test_the_compile_of_a_studys_first_batch_is_not_expected_again() -> None:
    # 50 s for the first 5 epochs, then 1 s per epoch: 45 s of it was the compile.
    chunks = [Chunk(50.0, 5, first=True)] + [Chunk(5.0, 5)] * 19
    assert batch_seconds(145.0, chunks, compiled_here=True) == pytest.approx(100.0)
    assert batch_seconds(145.0, chunks, compiled_here=False) == pytest.approx(145.0)


def test_the_time_left_in_a_batch_and_after_it_comes_from_its_measured_epochs() -> None:
    # Epoch 20 of 100: a first chunk slowed by the compile, then 2 s per epoch.
    batch = [Chunk(40.0, 5, first=True), Chunk(10.0, 5), Chunk(10.0, 5), Chunk(10.0, 5)]
    at_epoch_20 = functools.partial(
        study_seconds_left, batch=batch, earlier=[], batch_steps=100, steps_left=80,
        in_batch=70.0, batches_later=2,
    )  # fmt: skip
    # Nothing finished yet: two later batches of 100 epochs at the full pack's 2 s per epoch.
    assert at_epoch_20(finished=[]) == pytest.approx(80 * 2 + 2 * 200)
    # 3 s after the report of epoch 20 the batch has trained on.
    assert at_epoch_20(finished=[], since_step=3.0) == pytest.approx(80 * 2 - 3 + 2 * 200)
    # Finished batches spent 4 s telling their trials after their last report step.
    assert at_epoch_20(finished=[], tail=4.0) == pytest.approx(80 * 2 + 4 + 2 * 200)
    # A finished batch: later ones take its time, compile excluded.
    assert at_epoch_20(finished=[220.0]) == pytest.approx(80 * 2 + 2 * 220)
    # Several: the mean of those after the first (its compile correction is the coarser).
    assert at_epoch_20(finished=[200.0, 250.0, 230.0]) == pytest.approx(80 * 2 + 2 * 240)
    # After a repack the batch runs faster: its latest report steps set its pace.
    faster = [*batch, Chunk(5.0, 5), Chunk(5.0, 5), Chunk(5.0, 5)]
    left = study_seconds_left(
        batch=faster, earlier=[], batch_steps=100, steps_left=65, in_batch=85.0, finished=[],
        batches_later=0,
    )  # fmt: skip
    assert left == pytest.approx(65 * 1.0)


def test_a_study_in_progress_counts_down_from_its_measured_report_steps(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [0.0]
    monkeypatch.setattr("studies.trials.progress.time.monotonic", lambda: now[0])
    progress = Progress("s", target=4, done=0, quiet=True, steps=100)
    progress.batch_started([0, 1])
    assert math.isnan(progress.remaining())
    for now[0], step in ((40.0, 5), (50.0, 10), (60.0, 15)):  # the first 5 epochs compile
        progress.reached(0, step)
        progress.reached(1, step)
    now[0] = 70.0
    progress.reached(0, 20)  # halfway through a round of reports
    # 2 s per epoch: about 82.5 epochs left of this batch, then one batch of 100 epochs.
    assert progress.remaining() == pytest.approx(82.5 * 2 + 200)
    now[0] = 74.0  # it trains on
    assert progress.remaining() == pytest.approx(82.5 * 2 - 4 + 200)


def test_a_batch_adds_the_time_finished_ones_took_to_tell_their_trials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [0.0]
    monkeypatch.setattr("studies.trials.progress.time.monotonic", lambda: now[0])
    study = optuna.create_study()
    progress = Progress("s", target=4, done=0, quiet=True, steps=10)
    first = [study.ask() for _ in range(2)]
    progress.batch_started([t.number for t in first])
    for now[0], step in ((10.0, 5), (12.0, 10)):  # 0.4 s per epoch after the compile
        for trial in first:
            progress.reached(trial.number, step)
    now[0] = 15.0  # 3 s to tell them
    for trial in first:
        progress(study, study.tell(trial, 0.5))
    progress.batch_ended()
    second = [study.ask() for _ in range(2)]
    progress.batch_started([t.number for t in second])
    now[0] = 17.0
    for trial in second:
        progress.reached(trial.number, 5)
    assert progress.remaining() == pytest.approx(5 * 0.4 + 3.0)


def test_nothing_is_estimated_before_a_pace_is_measured() -> None:
    only_first = [Chunk(40.0, 5, first=True)]
    left = study_seconds_left(
        batch=only_first, earlier=[], finished=[], batch_steps=100, steps_left=95,
        in_batch=40.0, batches_later=1,
    )  # fmt: skip
    assert math.isnan(left)
    # A trial-by-trial study: each trial is a batch; the next ones take the mean so far.
    left = study_seconds_left(
        batch=[], earlier=[], finished=[0.5, 0.2, 0.4], batch_steps=1, steps_left=None,
        in_batch=0.1, batches_later=5,
    )  # fmt: skip
    assert left == pytest.approx((0.3 - 0.1) + 5 * 0.3)


def test_the_run_adds_later_studies_at_their_familys_measured_pace() -> None:
    clock = RunClock([("t-logreg-l2", "logreg-l2", 20), ("t-mlp", "mlp", 40),
                      ("t-logreg-l1", "logreg-l1", 20)])  # fmt: skip
    assert clock.after("t-logreg-l2") == (0.0, ["t-mlp", "t-logreg-l1"], 2)
    clock.record("t-mlp", 300.0, 20)  # one batch of 20 networks: 15 s per trial
    clock.record("t-logreg-l1", 1.0, 4)  # not timed by its own study yet: another family
    seconds, untimed, n_later = clock.after("t-logreg-l2")
    assert (seconds, untimed, n_later) == (pytest.approx(40 * 15 + 20 * 0.25), [], 2)
    assert clock.after("t-logreg-l1") == (0.0, [], 0)


def test_a_pruned_trial_counts_its_epochs_and_frees_the_rest() -> None:
    study = optuna.create_study()
    trials = [study.ask() for _ in range(2)]
    progress = Progress("s", target=2, done=0, quiet=True, steps=100)
    progress.batch_started([t.number for t in trials])
    for trial in trials:
        progress.reached(trial.number, 25)
    assert progress.fraction() == pytest.approx(50 / 200)
    progress(study, study.tell(trials[0], state=TrialState.PRUNED))
    assert progress.fraction() == pytest.approx(50 / 125)  # 25 + 25 done, 75 left
    progress(study, study.tell(trials[1], 0.5))
    assert progress.fraction() == 1.0
    assert progress.done == 2


# The display, on tiny runs of the command ---------------------------------------------------


def progress_lines(text: str, study: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(f"{study}: ")]


@pytest.mark.mlp
def test_the_line_form_moves_within_a_batch_of_networks(
    table: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv(table, tmp_path, *NETWORK)) == 0
    lines = progress_lines(capsys.readouterr().err, "points-mlp")  # stderr: not a terminal
    assert lines[0] == "points-mlp: training trials 1-4 of 4 together, 10 epochs each"
    # Half the work is done after epoch 5, while none of the batch's trials is told yet.
    within = [line for line in lines if "0/4 trials, epoch 5/10" in line]
    assert within
    assert within[0].startswith("points-mlp:  50%, 0/4 trials, epoch 5/10; ")
    assert lines.index(within[0]) < min(i for i, line in enumerate(lines) if "4/4 trials" in line)
    # Only the first chunk is timed then, and it includes the compile: no estimate from it.
    assert re.search(r"epoch 5/10; \d+ s elapsed, time left not known yet; best -$", within[0])
    assert lines[-1].startswith("points-mlp: 100%, 4/4 trials; ")  # said once, all told
    assert sum(" 100%, " in line for line in lines) == 1


class FakeTerminal(io.StringIO):
    """A stream that says it is a terminal, whose size ``os.get_terminal_size`` is made to say."""

    def isatty(self) -> bool:
        return True

    def fileno(self) -> int:
        return 2


def run_on_a_terminal(
    table: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, columns: int, *flags: str
) -> str:
    terminal = FakeTerminal()
    monkeypatch.setattr(os, "get_terminal_size", lambda fd=None: os.terminal_size((columns, 0)))
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(argv(table, tmp_path, *flags)) == 0
    return terminal.getvalue()


LOGISTIC = ("--models", "logreg-l2", "--trials", "5", "--no-report")


@pytest.mark.parametrize("how", ["stty cols 0", "COLUMNS=0"])
def test_a_terminal_without_a_width_gets_the_line_form(
    how: str, table: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if how == "COLUMNS=0":  # the terminal itself says 120, the variable 0
        monkeypatch.setenv("COLUMNS", "0")
    shown = run_on_a_terminal(table, tmp_path, monkeypatch, 0 if how == "stty cols 0" else 120,
                              *LOGISTIC)  # fmt: skip
    assert "\r" not in shown  # no bar redrawn in place
    lines = progress_lines(shown, "points-logreg-l2")
    assert [line.split(",")[0] for line in lines] == [
        "points-logreg-l2:  20%",
        "points-logreg-l2:  40%",
        "points-logreg-l2:  60%",
        "points-logreg-l2:  80%",
        "points-logreg-l2: 100%",
    ]
    assert lines[-1].startswith("points-logreg-l2: 100%, 5/5 trials; ")


@pytest.mark.mlp
def test_a_terminal_bar_moves_within_a_batch_and_its_clock_ticks(
    table: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = run_on_a_terminal(table, tmp_path, monkeypatch, 100, *NETWORK)
    frames = [frame for frame in shown.split("\r") if frame.startswith("points-mlp:")]
    assert frames
    assert all(len(frame.rstrip("\n")) <= 99 for frame in frames)
    assert any(re.match(r"points-mlp:  50%\|.*\| 0/4 trials, epoch 5/10 \[", f) for f in frames)
    assert frames[-1].startswith("points-mlp: 100%|")


@pytest.mark.mlp
def test_quiet_shows_none_of_it(
    table: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The same run, loud then quiet (another study prefix, so it trains again).
    assert main(argv(table, tmp_path, *NETWORK, "--name", "loud")) == 0
    loud = capsys.readouterr()
    assert "loud-mlp: training trials 1-4" in loud.err
    assert "epoch 5/10" in loud.err
    assert main(argv(table, tmp_path, *NETWORK, "--name", "hush", "--quiet")) == 0
    quiet = capsys.readouterr()
    assert quiet.err == ""
    closing = quiet.out.splitlines()  # only the closing table
    assert closing[0].startswith("model ")
    assert closing[1].startswith("----")
    assert [line.split()[0] for line in closing[2:]] == ["hush-mlp"]


@pytest.mark.slow
def test_the_report_is_announced_before_it_is_written(
    table: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flags = ["--models", "logreg-l2", "--trials", "4", "--out", str(tmp_path / "report")]
    assert main(argv(table, tmp_path, *flags)) == 0
    out = capsys.readouterr().out.splitlines()
    announced = out.index(f"Writing the report to {tmp_path / 'report'} ...")
    assert announced < out.index("What the numbers say (the evidence):")
    assert announced < next(i for i, line in enumerate(out) if line.startswith("Report: "))
    assert main(argv(table, tmp_path, *flags, "--trials", "5", "--quiet")) == 0
    assert "Writing the report" not in capsys.readouterr().out
