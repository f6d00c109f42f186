"""The network as a model family: its trials trained packed (default) or plain."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from objectives.family import ModelFamily, Outcome, ReportHook, TrainOptions
from objectives.mlp._batch import train_trials_packed
from objectives.mlp._refit import refit
from objectives.mlp._space import SPACE
from objectives.mlp._train import FoldCurves, is_report_epoch, report_epochs, train_folds_plain
from objectives.preprocess import PreparedFold
from objectives.task import BINARY, MULTICLASS, REGRESSION


def evaluate(
    params_list: Sequence[dict[str, Any]],
    folds: Sequence[PreparedFold],
    options: TrainOptions,
    on_report: ReportHook,
) -> list[Outcome]:
    """Train each trial's networks on every fold, the folds advancing epoch by epoch together;
    at each reporting epoch the fold-mean score goes to ``on_report``."""
    if options.trainer == "packed":
        return train_trials_packed(params_list, folds, options, on_report)
    outcomes = []
    for index, params in enumerate(params_list):

        def on_epoch(epoch: int, curves: FoldCurves, index: int = index) -> bool:
            if not is_report_epoch(options, epoch):
                return False
            return on_report(index, epoch, curves.outcome(complete=epoch == options.epochs))

        curves = train_folds_plain(params, folds, options, on_epoch)
        outcomes.append(curves.outcome(complete=curves.epochs == options.epochs))
    return outcomes


MLP = ModelFamily(
    name="mlp",
    label="Keras network {network}, L1+L2",
    space=SPACE,
    evaluate=evaluate,
    refit=refit,
    step_name="epoch",
    report_steps=lambda options, n_folds: report_epochs(options),
    # The first quarter of training is too early to judge.
    warmup_steps=lambda options, n_folds: options.epochs // 4,
    protocol=lambda options: {
        "epochs": options.epochs,
        "batch_size": options.batch_size,
        "backend": options.backend,
        "trainer": options.trainer,
        "report_every": options.report_every,
    },
    batched=True,
    keras=True,
    plane=("l1", "l2"),
    tasks=frozenset({BINARY, MULTICLASS, REGRESSION}),
    noun="the {network} network",
    stronger="larger l1 and l2 are stronger penalties",
)
