"""Show a study's progress: a bar on a terminal, a plain line per tenth of the target otherwise."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from types import TracebackType

import optuna
from optuna.trial import FrozenTrial, TrialState
from tqdm import tqdm

FINISHED = (TrialState.COMPLETE, TrialState.PRUNED)


def count_states(study: optuna.Study) -> dict[TrialState, int]:
    """How many trials of the study are in each state."""
    counts = dict.fromkeys(TrialState, 0)
    for trial in study.get_trials(deepcopy=False):
        counts[trial.state] += 1
    return counts


def best_trial(trials: Sequence[FrozenTrial]) -> FrozenTrial | None:
    """The complete trial with the highest value, the earliest among ties.

    Optuna leaves the order of tied best trials to the storage (undefined on PostgreSQL); the
    test-set refit, the closing table and the report all use this one, so they agree.
    """
    complete = [t for t in trials if t.state == TrialState.COMPLETE and t.value is not None]
    return max(complete, key=lambda t: (t.value, -t.number)) if complete else None


class Progress:
    """An Optuna callback counting finished trials of one study toward ``target``."""

    def __init__(self, study_name: str, target: int, done: int, quiet: bool = False) -> None:
        self.study_name = study_name
        self.target = target
        self.done = done
        self.quiet = quiet
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

    def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        if trial.state not in FINISHED:
            return
        self.done += 1
        best = _best_value(study)
        if self._bar is not None:
            self._bar.update(1)
            if best is not None:
                self._bar.set_postfix(best=f"{best:.4f}")
        elif not self.quiet:
            step = max(1, self.target // 10)
            if self.done - self._last_logged >= step or self.done >= self.target:
                self._last_logged = self.done
                shown = "-" if best is None else f"{best:.4f}"
                print(
                    f"{self.study_name}: {self.done}/{self.target} trials, best {shown}",
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


def _best_value(study: optuna.Study) -> float | None:
    try:
        return study.best_value
    except ValueError:  # no complete trial yet
        return None
