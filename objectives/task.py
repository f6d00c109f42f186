"""What the target is, and therefore how everything is scored: the task.

A task decides the scores a search can optimize and which way each is better, the default one,
how folds are drawn (stratified by class), the baseline every model must beat, what the
network's last layer outputs and which loss it trains on, and which of the report's plots apply.
Binary classification is the only task today; a new task is a new :class:`Task` in
:data:`TASKS`, read by the code that today reads :data:`BINARY`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from objectives.folds import FoldPlan, make_fold_plan
from objectives.scoring import GREATER_IS_BETTER, METRICS


@dataclass(frozen=True)
class Task:
    """One kind of target.

    Attributes:
        name: as data sets and study protocols record it.
        metrics: the scores every table shows and ``--metric`` chooses from.
        greater_is_better: per score, whether higher is better.
        default_metric: what a search optimizes unless told (a proper score).
        fold_plan: (target, folds, seed) -> the (train, validation) folds.
        output_units: the network's last layer's width.
        loss: the network's training loss, as Keras names it.
        plots: the report's plots that apply to this task.
    """

    name: str
    metrics: tuple[str, ...]
    greater_is_better: Mapping[str, bool]
    default_metric: str
    fold_plan: Callable[[np.ndarray, int, int], FoldPlan]
    output_units: int
    loss: str
    plots: tuple[str, ...]


BINARY = Task(
    name="binary",
    metrics=METRICS,
    greater_is_better=GREATER_IS_BETTER,
    default_metric="log_loss",
    fold_plan=make_fold_plan,
    output_units=1,
    loss="binary cross-entropy from the logit",
    plots=("regularization curve", "coefficient path", "calibration", "decision curve"),
)

#: Every task, by name.
TASKS: dict[str, Task] = {task.name: task for task in (BINARY,)}
