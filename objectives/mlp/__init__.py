"""The seed's Keras network (128-64-1) with its L1/L2 strengths searched, for a binary, a
multi-class (one logit per class) or a continuous target (``TrainOptions.task``).

Keras is imported inside the functions that build or train, never at import, so the command
line and the scikit-learn studies start without TensorFlow or JAX. Call
:func:`objectives.keras_env.configure_backend` before the first of them runs.
"""

from objectives.mlp._batch import train_trials_packed
from objectives.mlp._family import MLP, evaluate
from objectives.mlp._fast import GROUP_BYTES, group_budget
from objectives.mlp._network import (
    HIDDEN_UNITS,
    build_model,
    initial_weights,
    layer_shapes,
    predict,
    predict_proba,
    weight_values,
)
from objectives.mlp._packed import (
    Copy,
    build_packed_model,
    fit_epoch,
    pack_epoch,
    pack_validation,
    validation_scores,
)
from objectives.mlp._refit import refit, seed_protocol_refit
from objectives.mlp._space import SPACE, STRENGTH
from objectives.mlp._train import (
    FoldCurves,
    epoch_order,
    fold_seed,
    is_report_epoch,
    train_folds_plain,
)

__all__ = [
    "GROUP_BYTES",
    "HIDDEN_UNITS",
    "MLP",
    "SPACE",
    "STRENGTH",
    "Copy",
    "FoldCurves",
    "build_model",
    "build_packed_model",
    "epoch_order",
    "evaluate",
    "fit_epoch",
    "fold_seed",
    "group_budget",
    "initial_weights",
    "is_report_epoch",
    "layer_shapes",
    "pack_epoch",
    "pack_validation",
    "predict",
    "predict_proba",
    "refit",
    "seed_protocol_refit",
    "train_folds_plain",
    "train_trials_packed",
    "validation_scores",
    "weight_values",
]
