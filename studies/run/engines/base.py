"""What a search engine is: a family, a fold plan and a budget in; finished trials in the storage
out. Each engine is one module that builds an :class:`Engine`; the registry
(:mod:`studies.run.engines`) lists them, and the command line, the run and the protocol read it.
An engine says itself what it cannot do: the flags it refuses (:meth:`Engine.refusal`, asked
before any data is read) and the tasks it does not search (:meth:`Engine.task_refusal`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import optuna

from objectives import TASKS, ModelFamily, PreparedFold, Task

if TYPE_CHECKING:
    from studies.settings import RunFlags, Settings
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


def _refuses_nothing(flags: RunFlags) -> str | None:
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
        refuse: why it cannot run what the flags ask (one line), or None (:meth:`refusal`).
        tasks: the tasks it searches (:meth:`serves`); None for every task.
    """

    name: str
    suffix: str
    run: RunStudy
    protocol: Callable[[Settings], dict[str, Any]]
    check: Callable[[optuna.storages.BaseStorage, str], None] = field(default=_nothing_to_check)
    refuse: Callable[[RunFlags], str | None] = field(default=_refuses_nothing)
    tasks: frozenset[Task] | None = None

    def refusal(self, flags: RunFlags) -> str | None:
        """Why this engine cannot run what ``flags`` ask, in one line; None when it can."""
        return self.refuse(flags)

    def serves(self, task: Task) -> bool:
        """Whether it can search studies of a ``task`` target."""
        return self.tasks is None or task in self.tasks

    def task_refusal(self, task: Task) -> str | None:
        """Why this engine cannot search a ``task`` target, in one line; None when it can."""
        if self.serves(task):
            return None
        served = " and ".join(other.title for other in TASKS.values() if self.serves(other))
        return (
            f"--engine {self.name} searches {served} targets only, and this one is "
            f"{task.title}; leave out --engine (Optuna searches every task)"
        )
