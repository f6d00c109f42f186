"""The stored studies of a prefix, read once: which family, part and engine each one is."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import optuna
from optuna.study import StudyDirection
from optuna.trial import FrozenTrial, TrialState

from objectives import FAMILIES, METRIC, Metric, ModelFamily, Task, task_named
from studies.trials.counting import best_trial
from studies.trials.protocol import (
    BOOTSTRAP,
    DEFAULT,
    NESTED,
    SITES,
    SPLIT,
    check_directions,
    metric_of,
)


@dataclass(frozen=True)
class StudyView:
    """One stored study of the prefix.

    Attributes:
        name: the study's name.
        suffix: the name without the prefix (``logreg-l1``, ``seed-mlp``).
        study: the study itself.
        trials: its trials, read once.
        family: the model family it searches, None for a seed grid or an unknown study.
        seed_grid: the seed grid it is (``seed-logreg``), None otherwise.
        part: the outer part its trials ran in ("" for the default design).
        engine: what ran it (``optuna``).
    """

    name: str
    suffix: str
    study: optuna.Study
    trials: tuple[FrozenTrial, ...]
    family: ModelFamily | None
    seed_grid: str | None
    part: str
    engine: str

    @property
    def protocol(self) -> dict[str, Any]:
        return dict(self.study.user_attrs.get("protocol") or {})

    @property
    def metric(self) -> str:
        """The score the trial values are: test accuracy for a seed grid."""
        if self.seed_grid:
            return "accuracy"
        return metric_of(self.protocol)

    @property
    def score(self) -> Metric:
        """:attr:`metric` as the object that knows which way is better."""
        return METRIC[self.metric]

    @property
    def task(self) -> Task:
        """What the target is (:mod:`objectives.task`); studies stored before tasks were recorded
        are binary."""
        return task_named(self.protocol.get("task"))

    @property
    def n_classes(self) -> int:
        """The target's classes, as the run recorded them (0 for a continuous target)."""
        return len(self.study.user_attrs.get("classes") or [])

    @property
    def noun(self) -> str:
        """How a sentence names its family, for its task ("the 128-64-3 network")."""
        assert self.family is not None
        return self.family.noun_for(self.task, self.n_classes)

    @property
    def family_label(self) -> str:
        """How a plot's title names its family, for its task."""
        assert self.family is not None
        return self.family.label_for(self.task, self.n_classes)

    @property
    def design(self) -> str:
        """The outer design its part belongs to, as its protocol records it."""
        return str(self.protocol.get("design") or SPLIT)

    @property
    def role(self) -> str:
        """What its part is in that design (the default split, an outer part, a held-out
        site, the search on Cleveland), as its protocol records it."""
        return str(self.protocol.get("role") or (DEFAULT if not self.part else ""))

    @property
    def is_default(self) -> bool:
        """Whether it belongs to the default design (the test split the answer is about)."""
        return self.role == DEFAULT

    @property
    def held_out(self) -> str:
        """The site its test rows come from, for a held-out site's study."""
        return str(self.protocol.get("held_out") or "")

    @property
    def direction(self) -> StudyDirection:
        """The direction of its score, from the score itself (a stored study whose direction
        disagrees is refused when read, :func:`load_views`)."""
        return StudyDirection.MAXIMIZE if self.score.greater_is_better else StudyDirection.MINIMIZE

    @property
    def model(self) -> str:
        """The model it searches, the same for every part of a design: the family, with the
        engine when another than Optuna, and whether it is a sparsity front."""
        base = self.family.name if self.family else self.suffix
        base += " (sparsity front)" if self.is_front else ""
        return base + ("" if self.engine == "optuna" else f" ({self.engine})")

    @property
    def label(self) -> str:
        """How tables name it: its :attr:`model`, and the part it ran in."""
        return self.model + (f" [{self.part}]" if self.part else "")

    @property
    def complete(self) -> list[FrozenTrial]:
        return [t for t in self.trials if t.state == TrialState.COMPLETE]

    @property
    def pruned(self) -> list[FrozenTrial]:
        return [t for t in self.trials if t.state == TrialState.PRUNED]

    @property
    def is_front(self) -> bool:
        """A multi-objective study: score up, non-zero coefficients down."""
        return "sparsity" in (self.protocol.get("objectives") or [])

    @property
    def is_model_study(self) -> bool:
        """A study of a model family: a search or a sparsity front, not a seed grid."""
        return self.family is not None and self.seed_grid is None

    @property
    def is_search(self) -> bool:
        """A single-objective search (a sparsity front is reported on its own)."""
        return self.is_model_study and not self.is_front

    def best(self) -> FrozenTrial | None:
        return best_trial(self.trials, self.direction)

    def test_attr(self, key: str, default: Any = math.nan) -> Any:
        return self.study.user_attrs.get(f"test_{key}", default)


def _family_of(suffix: str, protocol: dict[str, Any]) -> ModelFamily | None:
    name = protocol.get("family")
    if isinstance(name, str) and name in FAMILIES:
        return FAMILIES[name]
    # A study without a protocol: the longest family name its suffix starts with.
    matches = [f for f in FAMILIES if suffix == f or suffix.startswith(f"{f}-")]
    return FAMILIES[max(matches, key=len)] if matches else None


def load_views(storage: optuna.storages.BaseStorage, prefix: str) -> list[StudyView]:
    """Every study named ``<prefix>-...`` in ``storage`` whose protocol (or name) says it belongs
    to this prefix: searches in registry order, then seed grids, then anything else."""
    views = []
    for summary in optuna.get_all_study_names(storage):
        if not summary.startswith(f"{prefix}-"):
            continue
        suffix = summary.removeprefix(f"{prefix}-")
        study = optuna.load_study(study_name=summary, storage=storage)
        protocol = study.user_attrs.get("protocol") or {}
        if "prefix" in protocol and protocol["prefix"] != prefix:
            continue
        family = _family_of(suffix, protocol)
        seed_grid = protocol.get("seed_grid") or (suffix if suffix.startswith("seed-") else None)
        part = str(protocol.get("part", ""))
        engine = str(protocol.get("engine", "optuna"))
        front = "sparsity" in (protocol.get("objectives") or [])
        expected = "-".join(
            piece
            for piece in (
                seed_grid or (family.name if family else suffix),
                "sparsity" if front else "",
                "" if engine == "optuna" else engine.replace("-", ""),
                part,
            )
            if piece
        )
        if protocol and suffix != expected:
            continue  # a study of a longer prefix (heart-v2-logreg-l1 under heart)
        if not protocol and family is None and any(suffix.endswith(f"-{f}") for f in FAMILIES):
            continue
        # The score's direction is the metric's; a study stored the other way would make every
        # "best" the worst: refused (ProtocolMismatch, one line).
        if family is not None or seed_grid:
            score = "accuracy" if seed_grid else metric_of(protocol)
            check_directions(
                summary,
                study.directions,
                [METRIC[score].direction] + (["minimize"] if front else []),
            )
        views.append(
            StudyView(
                name=summary,
                suffix=suffix,
                study=study,
                trials=tuple(study.get_trials(deepcopy=False)),
                family=None if seed_grid else family,
                seed_grid=seed_grid,
                part=part,
                engine=engine,
            )
        )
    order = {name: index for index, name in enumerate(FAMILIES)}

    def key(view: StudyView) -> tuple[int, int, str, str]:
        kind = 0 if view.is_search else 1 if view.seed_grid else 2
        family = order.get(view.family.name, len(order)) if view.family else len(order)
        return (kind, family, view.part, view.name)

    return sorted(views, key=key)


def task_of(views: Sequence[StudyView]) -> Task:
    """The run's task, as its searches record it; with none (only the article's grids, or
    nothing), the binary task those grids are."""
    return next((view.task for view in views if view.is_model_study), task_named(None))


def leakage_of(views: Sequence[StudyView]) -> list[str]:
    """The possible leakage the run found before its search (``objectives.leakage``), as
    sentences; none for a storage made before it was looked for."""
    for view in views:
        found = view.study.user_attrs.get("leakage")
        if view.is_model_study and found:
            return [str(sentence) for sentence in found]
    return []


def design_of(views: Sequence[StudyView]) -> str:
    """The run's outer design, as its studies record it: the hospitals, the bootstrap, else
    nested cross-validation (beside the default split), else the default split."""
    designs = {view.design for view in views if view.is_model_study}
    for design in (SITES, BOOTSTRAP, NESTED):
        if design in designs:
            return design
    return SPLIT


def heart_data(views: Sequence[StudyView]) -> bool:
    """Whether the studies ran on the heart data (so ``studies.heart``'s flags apply)."""
    for view in views:
        recipe = view.study.user_attrs.get("data") or {}
        if view.is_model_study and recipe:
            return bool(
                recipe.get("reader") == "heart"
                or str(recipe.get("builtin", "")).startswith("heart-")
                or "sites" in recipe
            )
    return False
