"""What a search engine is: a family, a fold plan and a budget in; finished trials in the storage
out. Each engine is one module that builds an :class:`Engine`; the registry
(:mod:`studies.run.engines`) lists them, and the command line, the run and the protocol read it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import optuna

from objectives import ModelFamily, PreparedFold, Task

if TYPE_CHECKING:
    from studies.settings import Settings
    from studies.trials.progress import RunClock


@dataclass(frozen=True)
class StudyRun:
    """A study after its run: whether this run added trials to it."""

    study: optuna.Study
    added: int


class RunStudy(Protocol):
    """Run (or resume) one study until ``--trials`` trials are finished, counting every
    worker's; a trial that fails is stored as FAIL and the search goes on."""

    def __call__(
        self,
        family: ModelFamily,
        study_name: str,
        storage: optuna.storages.BaseStorage,
        folds: Sequence[PreparedFold],
        settings: Settings,
        protocol: dict[str, Any],
        deadline: float | None,
        clock: RunClock | None = None,
    ) -> StudyRun: ...


def _nothing_to_check(storage: optuna.storages.BaseStorage, study_name: str) -> None:
    return None


@dataclass(frozen=True)
class Engine:
    """One search engine.

    Attributes:
        name: the ``--engine`` value.
        suffix: what it adds to its studies' names ("" for the default engine), so that two
            engines' studies of one family live side by side.
        run: runs one study (see :class:`RunStudy`).
        protocol: what a study records of the engine and its settings (part of the protocol:
            a study is never resumed by another engine).
        check: refuses, before anything is written, what the engine cannot resume (raises a
            one-line error).
        pruning: whether it honours ``--pruner``.
        tasks: the tasks it searches (:meth:`serves`); None for every task.
    """

    name: str
    suffix: str
    run: RunStudy
    protocol: Callable[[Settings], dict[str, Any]]
    check: Callable[[optuna.storages.BaseStorage, str], None] = field(default=_nothing_to_check)
    pruning: bool = True
    tasks: frozenset[Task] | None = None

    def serves(self, task: Task) -> bool:
        """Whether it can search studies of a ``task`` target."""
        return self.tasks is None or task in self.tasks
