"""Show a study's progress: a bar on a terminal, a plain line per tenth of the target otherwise;
both with the time spent and an estimate of the time left."""

from __future__ import annotations

import math
import sys
import time
from types import TracebackType

import optuna
from optuna.trial import FrozenTrial
from tqdm import tqdm

from studies.trials import FINISHED, primary_value, study_best


def format_seconds(seconds: float) -> str:
    if math.isnan(seconds) or seconds < 0:
        return "-"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(round(seconds), 60)
    return (
        f"{minutes} min {rest:02d} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"
    )


class Progress:
    """Counts finished trials of one study toward ``target`` (called after each tell)."""

    def __init__(self, study_name: str, target: int, done: int, quiet: bool = False) -> None:
        self.study_name = study_name
        self.target = target
        self.done = done
        self.quiet = quiet
        self._started = time.monotonic()
        self._done_at_start = done
        self._bar: tqdm | None = None
        self._last_logged = done
        if not quiet and sys.stderr.isatty():
            self._bar = tqdm(
                total=target,
                initial=done,
                desc=study_name,
                unit="trial",
                leave=True,
                file=sys.stderr,
                dynamic_ncols=True,
            )

    def elapsed(self) -> float:
        return time.monotonic() - self._started

    def remaining(self) -> float:
        """Seconds left at this run's pace so far (NaN before the first trial ends)."""
        done_here = self.done - self._done_at_start
        if done_here <= 0:
            return math.nan
        return self.elapsed() / done_here * max(self.target - self.done, 0)

    def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        if trial.state not in FINISHED:
            return
        self.done += 1
        best = study_best(study)
        value = primary_value(best)
        shown = "-" if math.isnan(value) else f"{value:.4f}"
        if self._bar is not None:
            self._bar.update(1)
            self._bar.set_postfix(best=shown)
        elif not self.quiet:
            step = max(1, self.target // 10)
            if self.done - self._last_logged >= step or self.done >= self.target:
                self._last_logged = self.done
                print(
                    f"{self.study_name}: {self.done}/{self.target} trials, best {shown}, "
                    f"{format_seconds(self.elapsed())} elapsed, "
                    f"about {format_seconds(self.remaining())} left",
                    file=sys.stderr,
                    flush=True,
                )

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.close()
