"""Show a study's progress while it runs: a bar on a terminal, a plain line per tenth of the work
otherwise (or when the terminal reports no usable width); both with the time spent and an
estimate of the time left, for the study and for the run.

Work is counted in trial-steps: a network trial is its epochs, trained in report steps, so the
bar moves at each report step of a batch, not only when the batch's trials are told; a trial
pruned at epoch 25 counts its 25 epochs and frees the rest. A logistic trial is one step.

The time left is built from measured times only (:func:`study_seconds_left`): the current
batch's epochs left at the seconds per epoch of its latest report steps, plus each batch still
to take at the wall time of the study's finished batches in this run. The run's estimate adds
each later study's trials at the seconds per trial its family took earlier in this run
(:class:`RunClock`); a study whose family has not run yet is named as not timed, never guessed.
"""

from __future__ import annotations

import math
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TextIO

import optuna
from optuna.trial import FrozenTrial, TrialState
from tqdm import tqdm

from studies.trials.counting import FINISHED, primary_value, study_best

#: Below this many columns a bar and its numbers do not fit: the line form is used instead
#: (tqdm draws nothing at all on a terminal that reports 0 columns).
MIN_COLUMNS = 40
#: The rows tqdm is told the terminal has: it hides a bar below them, and a terminal that reports
#: 0 rows would hide every bar. One study's bar is drawn at a time.
BAR_ROWS = 24
#: Seconds between two redraws of a bar while nothing else changes, so its elapsed time moves.
TICK_SECONDS = 1.0
#: How many of the latest finished batches the pace of the later ones is taken from: a study's
#: trials get cheaper as the pruner learns, dearer as the sampler's model grows.
RECENT_BATCHES = 10
#: How many of the current batch's latest report steps its pace is taken from (after a repack to
#: fewer survivors the pack runs faster).
RECENT_CHUNKS = 3


def format_seconds(seconds: float) -> str:
    if math.isnan(seconds) or seconds < 0:
        return "-"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(round(seconds), 60)
    return (
        f"{minutes} min {rest:02d} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"
    )


def terminal_columns(stream: TextIO) -> int:
    """The width ``stream``'s terminal reports: ``$COLUMNS`` when set to a number (0 included,
    unlike :func:`shutil.get_terminal_size`, which then asks the terminal), else the terminal's
    own; 0 when there is no terminal or it does not say."""
    from_env = os.environ.get("COLUMNS", "").strip()
    if from_env.isdigit():
        return int(from_env)
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):
        return 0


def draws_a_bar(stream: TextIO) -> bool:
    """Whether ``stream`` is a terminal wide enough for a bar."""
    try:
        is_terminal = stream.isatty()
    except (AttributeError, ValueError):
        return False
    return is_terminal and terminal_columns(stream) >= MIN_COLUMNS


@dataclass(frozen=True)
class Chunk:
    """A batch's training between two report steps, as timed.

    Attributes:
        seconds: wall time from the previous report step (or the batch's start) to this one.
        steps: the steps (epochs) it trained.
        first: the batch's first chunk, which also builds the pack (and, the first time a pack of
            its size runs in the process, compiles its training step): not the batch's pace.
        full: every trial of the batch was still training (the whole pack's pace).
    """

    seconds: float
    steps: int
    first: bool = False
    full: bool = True


def seconds_per_step(chunks: Sequence[Chunk]) -> float:
    """The median seconds per step of ``chunks``, leaving out each batch's first; NaN if none."""
    paces = [chunk.seconds / chunk.steps for chunk in chunks if not chunk.first and chunk.steps]
    return statistics.median(paces) if paces else math.nan


def batch_seconds(seconds: float, chunks: Sequence[Chunk], compiled_here: bool) -> float:
    """What a finished batch tells of the later ones: its wall time, less, for a batch that
    compiled its pack (``compiled_here``: the study's first), its first chunk's excess over the
    batch's own pace (a later batch of the same size reuses the compiled step)."""
    if not compiled_here or not chunks or not chunks[0].first:
        return seconds
    pace = seconds_per_step(chunks)
    if math.isnan(pace):
        return seconds
    excess = max(chunks[0].seconds - pace * chunks[0].steps, 0.0)
    return seconds - excess


def study_seconds_left(
    *,
    batch: Sequence[Chunk],
    earlier: Sequence[Chunk],
    finished: Sequence[float],
    batch_steps: float,
    steps_left: float | None,
    in_batch: float | None,
    batches_later: int,
    since_step: float = 0.0,
    tail: float = 0.0,
) -> float:
    """Seconds until the study's target, from measured times only (NaN until they suffice).

    Args:
        batch: the current batch's chunks so far.
        earlier: the chunks of the study's earlier batches in this run.
        finished: the study's finished batches in this run, as :func:`batch_seconds`.
        batch_steps: the steps a whole batch trains one after another (a packed batch's epochs).
        steps_left: the current batch's steps left (None before its first report step).
        in_batch: seconds since the current batch began (None when no batch runs).
        batches_later: batches still to take after the current one.
        since_step: seconds since the current batch's latest report step (it trains on).
        tail: what finished batches took after their last report step (telling their trials).

    The current batch's rest is its steps left at the median pace of its latest report steps
    (the study's full-pack pace before it has one of its own) and the tail of finished batches,
    else the typical batch less the
    time it has run. A later batch takes the mean of the latest finished ones (the first only
    until another has finished), or, before any has finished, all its steps at the full pack's
    pace (pruning may end it sooner; the asking and telling of its trials are not timed yet).
    """
    full_pace = seconds_per_step([chunk for chunk in (*earlier, *batch) if chunk.full])
    # The first batch, its compile taken out, stands in until a later one has finished: the
    # pack's setup recurs in every batch, and its share of the first chunk cannot be told apart.
    recent = (finished[1:] if len(finished) > 1 else finished)[-RECENT_BATCHES:]
    per_batch = statistics.fmean(recent) if recent else batch_steps * full_pace
    rest = 0.0
    if in_batch is not None:
        pace = seconds_per_step(batch[-RECENT_CHUNKS:])
        if math.isnan(pace):
            pace = full_pace
        if steps_left is not None and not math.isnan(pace):
            rest = max(steps_left * pace + tail - since_step, 0.0)
        else:
            rest = max(per_batch - in_batch, 0.0)  # NaN stays NaN
    if batches_later == 0:
        return rest
    return rest + batches_later * per_batch


@dataclass
class _Planned:
    name: str
    family: str
    trials: int


class RunClock:
    """The run's studies in order with the trials each still needs, and each family's measured
    seconds per trial in this run: the run's estimate after the current study."""

    def __init__(self, studies: Sequence[tuple[str, str, int]]) -> None:
        """``studies``: (study name, family, trials it still needs) in run order."""
        self._studies = [_Planned(name, family, trials) for name, family, trials in studies]
        self._spent: dict[str, tuple[float, int]] = {}  # family -> (seconds, trials)

    def record(self, study_name: str, seconds: float, trials: int) -> None:
        """``trials`` of ``study_name`` took ``seconds`` (one finished batch)."""
        family = next((s.family for s in self._studies if s.name == study_name), None)
        if family is None or trials <= 0:
            return
        spent, counted = self._spent.get(family, (0.0, 0))
        self._spent[family] = (spent + seconds, counted + trials)

    def seconds_per_trial(self, family: str) -> float:
        spent, counted = self._spent.get(family, (0.0, 0))
        return spent / counted if counted else math.nan

    def after(self, study_name: str) -> tuple[float, list[str], int]:
        """The studies after ``study_name``: seconds left for those whose family is timed, the
        names of those not timed yet, and how many studies follow in all."""
        names = [s.name for s in self._studies]
        later = self._studies[names.index(study_name) + 1 :] if study_name in names else []
        seconds, untimed = 0.0, []
        for study in later:
            if study.trials <= 0:
                continue
            per_trial = self.seconds_per_trial(study.family)
            if math.isnan(per_trial):
                untimed.append(study.name)
            else:
                seconds += study.trials * per_trial
        return seconds, untimed, sum(s.trials > 0 for s in later)


class _Bar(tqdm):  # type: ignore[type-arg]
    """tqdm's bar with the study's own words after it (``{status}`` in ``bar_format``), sized by
    :func:`terminal_columns` at each redraw: tqdm's own sizing draws nothing on a terminal that
    reports 0 columns or 0 rows."""

    def __init__(self, status: Callable[[], str], **options: Any) -> None:
        self.status = status  # before tqdm's first redraw, at the end of its __init__
        super().__init__(**options)

    @property
    def format_dict(self) -> dict[str, Any]:
        columns = terminal_columns(self.fp)
        if columns >= MIN_COLUMNS:  # follows a resized window; keeps the last usable width
            self.ncols = columns - 1  # tqdm's margin: a full line would wrap
        return {**super().format_dict, "status": self.status()}


class Progress:
    """The progress of one study toward ``target`` finished trials.

    The run loop says when a batch starts and ends (:meth:`batch_started`,
    :meth:`batch_ended`), the engine when a trial has trained through a step (:meth:`reached`),
    and the teller when a trial is told (calling the object). ``steps`` is what a complete trial
    trains (a network's epochs); 1 counts trials whole. Nothing is printed with ``quiet``.
    """

    def __init__(
        self,
        study_name: str,
        target: int,
        done: int,
        quiet: bool = False,
        *,
        steps: int = 1,
        clock: RunClock | None = None,
    ) -> None:
        self.study_name = study_name
        self.target = target
        self.done = done
        self.quiet = quiet
        self.steps = max(steps, 1)
        self._clock = clock
        self._stream = sys.stderr
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._batch_began = self._started  # the previous batch's end: a batch's wall time
        self._chunk_began = self._started
        self._work_done = done * self.steps  # trials finished before this run count whole
        self._running: dict[int, int] = {}  # trial number -> steps trained (this batch)
        self._batch_size = 0
        self._largest_batch = 1
        self._in_batch = False
        self._step_now = 0
        self._width = 0  # trials that reported the latest step
        self._widest = 0
        # Whether the batch's trials train together (packed: each report step comes from all of
        # them in a round) or one after another (plain); None until their reports tell.
        self._together: bool | None = None
        self._reporter: int | None = None
        self._chunks: list[Chunk] = []
        self._earlier: list[Chunk] = []
        self._finished: list[float] = []
        self._tails: list[float] = []  # each finished batch's time after its last report step
        self._best = "-"
        self._tenths_shown = 10 if done >= target else min(math.floor(10 * self.fraction()), 9)
        self._bar: _Bar | None = None
        self._stop_ticking = threading.Event()
        self._ticker: threading.Thread | None = None
        if not quiet and draws_a_bar(self._stream):
            self._bar = _Bar(
                status=lambda: self.status(compact=True),
                total=1000,
                desc=study_name,
                leave=True,
                file=self._stream,
                ncols=terminal_columns(self._stream) - 1,
                nrows=BAR_ROWS,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {status}",
            )
            self._show()

    # What the run tells it -------------------------------------------------------------------

    def batch_started(self, trial_numbers: Sequence[int]) -> None:
        """A batch of these trials starts training."""
        with self._lock:
            self._running = dict.fromkeys(trial_numbers, 0)
            self._batch_size = len(trial_numbers)
            self._largest_batch = max(self._largest_batch, self._batch_size)
            self._in_batch = True
            self._step_now = self._width = 0
            self._together, self._reporter = None, None
            self._chunks = []
            self._chunk_began = time.monotonic()
        if self._bar is None and not self.quiet and self.steps > 1:
            first = self.done + 1
            print(
                f"{self.study_name}: training trials {first}-{first + len(trial_numbers) - 1} "
                f"of {self.target} together, {self.steps} epochs each",
                file=self._stream,
                flush=True,
            )
        self._show()

    def reached(self, trial_number: int, step: int) -> None:
        """Trial ``trial_number`` of the running batch has trained through ``step``.

        A step other than the last one reached starts a new chunk: a packed batch's trials all
        report the same step after each chunk, a plain batch's one trial after another."""
        with self._lock:
            before = self._running.get(trial_number)
            if before is None or step <= before:
                return
            if self._reporter == trial_number:
                self._together = False
            elif self._reporter is not None and step == self._step_now:
                self._together = True
            self._reporter = trial_number
            if step != self._step_now:
                now = time.monotonic()
                self._chunks.append(
                    Chunk(
                        seconds=now - self._chunk_began,
                        steps=step - before,
                        first=not self._chunks,
                        full=len(self._running) == self._batch_size,
                    )
                )
                self._chunk_began, self._step_now, self._width = now, step, 0
            self._width += 1
            self._widest = max(self._widest, self._width)
            self._running[trial_number] = min(step, self.steps)
        self._show()

    def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        """``trial`` was told (as an Optuna callback is called)."""
        finished = trial.state in FINISHED
        if finished:
            value = primary_value(study_best(study))
            shown = None if math.isnan(value) else f"{value:.4f}"
        with self._lock:
            trained = self._running.pop(trial.number, 0)
            if not self._in_batch:  # told outside a batch (Keras Tuner): a batch of its own
                self._close_batch(trials=1)
            if trial.state == TrialState.COMPLETE or (finished and self.steps == 1):
                trained = self.steps
            self._work_done += trained
            if finished:
                self.done += 1
                self._best = shown or self._best
        self._show()

    def lost(self, trial_number: int) -> None:
        """Trial ``trial_number`` was ended by another worker: no more reports from it."""
        with self._lock:
            self._work_done += self._running.pop(trial_number, 0)
        self._show()

    def batch_ended(self) -> None:
        """The running batch's trials are all told (or left to another worker's verdict)."""
        with self._lock:
            self._close_batch(trials=self._batch_size)
        self._show()

    def _close_batch(self, trials: int) -> None:
        now = time.monotonic()
        seconds = batch_seconds(now - self._batch_began, self._chunks, not self._finished)
        self._finished.append(seconds)
        if self._chunks:
            self._tails.append(now - self._chunk_began)
        if self._clock is not None:
            self._clock.record(self.study_name, seconds, trials)
        self._work_done += sum(self._running.values())  # lost to another worker's verdict
        self._earlier.extend(self._chunks)
        self._chunks, self._running = [], {}
        self._in_batch, self._step_now, self._width, self._batch_began = False, 0, 0, now

    # What it shows ---------------------------------------------------------------------------

    def elapsed(self) -> float:
        return time.monotonic() - self._started

    def _untaken(self) -> int:
        return max(self.target - self.done - len(self._running), 0)

    def fraction(self) -> float:
        """The share of the study's work done, in trial-steps."""
        running = sum(self._running.values())
        done = self._work_done + running
        left = len(self._running) * self.steps - running + self._untaken() * self.steps
        return done / (done + left) if done + left else 1.0

    def remaining(self) -> float:
        """Seconds left in this study (NaN until measured times suffice)."""
        steps_left = None
        if self._chunks:
            # How many trials train together: a packed batch's all (those still running), a
            # plain batch's one.
            width = max(min(self._widest, len(self._running)), 1)
            steps_left = sum(self.steps - trained for trained in self._running.values()) / width
        return study_seconds_left(
            batch=self._chunks,
            earlier=self._earlier,
            finished=self._finished,
            batch_steps=self.steps * math.ceil(self._largest_batch / max(self._widest, 1)),
            steps_left=steps_left,
            in_batch=time.monotonic() - self._batch_began if self._in_batch else None,
            batches_later=math.ceil(self._untaken() / self._largest_batch),
            since_step=time.monotonic() - self._chunk_began,
            tail=statistics.fmean(self._tails[-RECENT_BATCHES:]) if self._tails else 0.0,
        )

    def status(self, compact: bool = False) -> str:
        """Trials, epoch, times and best: the words of a progress line, or (``compact``) after a
        bar."""
        with self._lock:
            where = f"{self.done}/{self.target} trials"
            if self.steps > 1 and self._running:
                where += f", epoch {self._step_now}/{self.steps}"
            elapsed, left = self.elapsed(), self.remaining()
            later = self._clock.after(self.study_name) if self._clock is not None else None
        if compact:
            times = f"{_clock_time(elapsed)}<{_clock_time(left)}"
            if later is not None and later[2] and not math.isnan(left):
                seconds, untimed, _ = later
                times += f", run {'>=' if untimed else ''}{_clock_time(left + seconds)}"
                if untimed:
                    times += (
                        f", {len(untimed)} {'study' if len(untimed) == 1 else 'studies'} not timed"
                    )
            return f"{where} [{times}] best {self._best}"
        times = f"{format_seconds(elapsed)} elapsed, " + (
            "time left not known yet" if math.isnan(left) else f"about {format_seconds(left)} left"
        )
        if later is not None and later[2]:
            times += f" ({_run_words(left, *later)})"
        return f"{where}; {times}; best {self._best}"

    def _show(self) -> None:
        if self.quiet:
            return
        if self._bar is not None:
            with self._lock:
                self._bar.n = round(1000 * self.fraction())
            self._bar.refresh()
            return
        with self._lock:
            fraction = self.fraction()
            done = self.done >= self.target
            # 100% is said once, with every trial told.
            tenths = 10 if done else min(math.floor(10 * fraction), 9)
            # Not halfway through a round of reports (a packed batch's trials report a step one
            # after another within milliseconds): a line says where the whole batch is.
            settled = self._together is False or len(set(self._running.values())) <= 1
            due = tenths > self._tenths_shown and settled and (done or fraction < 1)
            if due:
                self._tenths_shown = tenths
        if due:
            print(
                f"{self.study_name}: {100 * fraction:3.0f}%, {self.status()}",
                file=self._stream,
                flush=True,
            )

    def _tick(self) -> None:
        while not self._stop_ticking.wait(TICK_SECONDS):
            if self._bar is not None:
                self._bar.refresh()

    def __enter__(self) -> Progress:
        if self._bar is not None:
            self._ticker = threading.Thread(target=self._tick, name="progress", daemon=True)
            self._ticker.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop_ticking.set()
        if self._ticker is not None:
            self._ticker.join()
        if self._bar is not None:
            self._bar.close()


def _clock_time(seconds: float) -> str:
    """``m:ss`` (or ``h:mm:ss``) as a bar shows times; ``?`` when not known."""
    if math.isnan(seconds) or seconds < 0:
        return "?"
    return str(tqdm.format_interval(round(seconds)))  # tqdm drops the fraction


def _run_words(study_left: float, later: float, untimed: list[str], n_later: int) -> str:
    """The run's time left: this study's and the later ones'."""
    if math.isnan(study_left):
        return f"the run: {n_later} more {'study' if n_later == 1 else 'studies'}"
    if untimed:
        return (
            f"the run: at least {format_seconds(study_left + later)}; "
            f"{', '.join(untimed)} not timed yet"
        )
    return f"the run: about {format_seconds(study_left + later)}"
