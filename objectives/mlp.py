"""The seed's Keras network (Dense 128 relu, Dense 64 relu, Dense 1 sigmoid) with L1/L2 searched.

Keras is imported inside the functions that train, never at module import, so the command line
and the scikit-learn studies start without TensorFlow or JAX. Call
:func:`objectives._keras_env.configure_backend` before the first of them runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import optuna
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from objectives._cv import FoldPlan
from objectives._keras_env import seed_shuffling
from objectives._scoring import FoldScores, score_probabilities, set_user_attrs

if TYPE_CHECKING:
    import keras

L_LOW, L_HIGH = 1e-6, 1e-1
HIDDEN_UNITS = (128, 64)
#: Epochs between two reports to storage: each report is one write (5-10 ms on SQLite), so
#: 100 epochs x 100 trials reported every epoch would add a minute or more. See README.
REPORT_EVERY = 5


def suggest(trial: optuna.trial.BaseTrial) -> dict[str, Any]:
    """The search space: ``l1`` and ``l2`` each log-uniform over [1e-6, 1e-1]."""
    return {
        "l1": trial.suggest_float("l1", L_LOW, L_HIGH, log=True),
        "l2": trial.suggest_float("l2", L_LOW, L_HIGH, log=True),
    }


def grid(n_points: int) -> dict[str, list[float]]:
    """A square log grid of about ``n_points`` (l1, l2) pairs over the search range."""
    side = max(1, math.isqrt(max(n_points, 1)))
    values = np.logspace(np.log10(L_LOW), np.log10(L_HIGH), side).tolist()
    return {"l1": values, "l2": values}


def build_model(params: dict[str, Any], n_features: int, seed: int) -> keras.Model:
    """The seed's network with ``l1_l2(l1, l2)`` on both hidden layers, compiled as the seed did.

    Initial weights come from Glorot-uniform initializers seeded from ``seed`` (one per layer):
    the same seed gives the same network on every run. ``keras.utils.set_random_seed`` would do
    it too, but it imports TensorFlow (about 4 s and a page of log lines) even on the JAX backend.
    """
    import keras

    def dense(units: int, index: int, **kwargs: Any) -> keras.layers.Dense:
        initializer = keras.initializers.GlorotUniform(seed=seed * 10 + index)
        return keras.layers.Dense(units, kernel_initializer=initializer, **kwargs)

    regularizer = keras.regularizers.l1_l2(l1=params["l1"], l2=params["l2"])
    model = keras.Sequential(
        [
            keras.Input((n_features,)),
            *(
                dense(units, index, activation="relu", kernel_regularizer=regularizer)
                for index, units in enumerate(HIDDEN_UNITS)
            ),
            dense(1, len(HIDDEN_UNITS), activation="sigmoid"),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


@dataclass(frozen=True)
class TrainConfig:
    """How each network is trained. ``seed`` fixes initial weights and batch order."""

    epochs: int = 100
    batch_size: int = 10
    seed: int = 42
    report_every: int = REPORT_EVERY

    def is_report_epoch(self, epoch: int) -> bool:
        """Whether the fold mean after ``epoch`` (1-based) goes to storage."""
        return epoch % self.report_every == 0 or epoch == self.epochs


def fold_seed(seed: int, fold: int) -> int:
    """The Keras seed of fold ``fold``; the same in every trial, so trials differ only by l1, l2."""
    return seed * 1000 + fold


def epoch_order(n_rows: int, seed: int, fold: int, epoch: int) -> np.ndarray:
    """The order in which fold ``fold`` sees its training rows in ``epoch`` (explicit, so the
    plain and packed trainers can use the very same batches)."""
    return np.random.default_rng([seed, fold, epoch]).permutation(n_rows)


def make_preprocessor(impute: bool) -> Pipeline:
    steps: list[Any] = [SimpleImputer(strategy="median")] if impute else []
    return make_pipeline(*steps, StandardScaler())


@dataclass(frozen=True)
class PreparedFold:
    """One fold's rows, preprocessed with a scaler fitted on its training rows only."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_valid: np.ndarray
    y_valid: np.ndarray


def prepare_folds(X: np.ndarray, y: np.ndarray, plan: FoldPlan, impute: bool) -> list[PreparedFold]:
    folds = []
    for train, valid in plan:
        scaler = make_preprocessor(impute).fit(X[train])
        folds.append(
            PreparedFold(
                X_train=scaler.transform(X[train]).astype("float32"),
                y_train=y[train].astype("float32"),
                X_valid=scaler.transform(X[valid]).astype("float32"),
                y_valid=y[valid],
            )
        )
    return folds


@dataclass
class FoldCurves:
    """Validation accuracy and log loss of every fold after every epoch trained so far."""

    accuracy: list[list[float]] = field(default_factory=list)  # [epoch][fold]
    log_loss: list[list[float]] = field(default_factory=list)
    final: list[np.ndarray] = field(default_factory=list)  # last validation probabilities

    def add_epoch(self, y_valid: list[np.ndarray], proba: list[np.ndarray]) -> float:
        """Record one epoch of every fold; return the fold-mean validation accuracy."""
        scores = [quick_scores(y, p) for y, p in zip(y_valid, proba, strict=True)]
        return self.record([a for a, _ in scores], [loss for _, loss in scores], proba)

    def record(
        self,
        accuracy: Sequence[float] | np.ndarray,
        log_loss: Sequence[float] | np.ndarray,
        proba: list[np.ndarray],
    ) -> float:
        """Record one epoch's scores of every fold; return the fold-mean validation accuracy."""
        self.accuracy.append([float(a) for a in accuracy])
        self.log_loss.append([float(loss) for loss in log_loss])
        self.final = proba
        return float(np.mean(self.accuracy[-1]))

    @property
    def epochs(self) -> int:
        return len(self.accuracy)

    def best_epochs(self) -> list[int]:
        """Per fold, the 1-based epoch of the lowest validation loss."""
        return (np.argmin(np.asarray(self.log_loss), axis=0) + 1).astype(int).tolist()

    def fold_scores(self, y_valid: list[np.ndarray]) -> FoldScores:
        scores = FoldScores()
        for y, proba in zip(y_valid, self.final, strict=True):
            scores.add(score_probabilities(y, proba))
        return scores

    def user_attrs(self, y_valid: list[np.ndarray]) -> dict[str, Any]:
        return {
            **self.fold_scores(y_valid).as_user_attrs(),
            "fold_best_epoch": self.best_epochs(),
            "epochs_trained": self.epochs,
        }


def quick_scores(y_true: np.ndarray, proba: np.ndarray) -> tuple[float, float]:
    """Accuracy and log loss, cheap enough to run for every fold after every epoch."""
    p = np.clip(proba.astype(float), 1e-7, 1 - 1e-7)
    accuracy = float(np.mean((p > 0.5) == (y_true == 1)))
    loss = float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))
    return accuracy, loss


def predict_proba(model: keras.Model, X: np.ndarray) -> np.ndarray:
    import keras

    return np.asarray(keras.ops.convert_to_numpy(model(X, training=False)))[:, 0]


#: Called after every epoch with (1-based epoch, fold-mean validation accuracy); returns True
#: to stop training (the trial was pruned).
EpochHook = Callable[[int, float], bool]


def train_folds_plain(
    params: dict[str, Any], folds: list[PreparedFold], config: TrainConfig, on_epoch: EpochHook
) -> FoldCurves:
    """Train one network per fold, all folds advancing one epoch at a time.

    Stops early when ``on_epoch`` returns True; the curves then hold the epochs trained.
    """
    import keras

    keras.backend.clear_session()
    n_features = folds[0].X_train.shape[1]
    models = [
        build_model(params, n_features, fold_seed(config.seed, index))
        for index in range(len(folds))
    ]
    curves = FoldCurves()
    y_valid = [fold.y_valid for fold in folds]
    for epoch in range(1, config.epochs + 1):
        for index, (model, fold) in enumerate(zip(models, folds, strict=True)):
            order = epoch_order(len(fold.y_train), config.seed, index, epoch)
            model.fit(
                fold.X_train[order], fold.y_train[order], batch_size=config.batch_size,
                epochs=epoch, initial_epoch=epoch - 1, shuffle=False, verbose=0,
            )  # fmt: skip
        proba = [predict_proba(m, f.X_valid) for m, f in zip(models, folds, strict=True)]
        mean_accuracy = curves.add_epoch(y_valid, proba)
        if on_epoch(epoch, mean_accuracy):
            break
    return curves


def pruning_hook(trial: optuna.Trial, config: TrainConfig) -> EpochHook:
    """Report the fold mean at step = epoch every ``report_every`` epochs and ask the pruner."""

    def on_epoch(epoch: int, mean_accuracy: float) -> bool:
        if not config.is_report_epoch(epoch):
            return False
        trial.report(mean_accuracy, step=epoch)
        return trial.should_prune()

    return on_epoch


@dataclass(frozen=True)
class MLPObjective:
    """Final-epoch mean validation accuracy over the fold plan, data prepared once."""

    folds: list[PreparedFold]
    config: TrainConfig

    def __call__(self, trial: optuna.Trial) -> float:
        params = suggest(trial)
        curves = train_folds_plain(
            params, self.folds, self.config, pruning_hook(trial, self.config)
        )
        y_valid = [fold.y_valid for fold in self.folds]
        set_user_attrs(trial, curves.user_attrs(y_valid))
        if curves.epochs < self.config.epochs:
            raise optuna.TrialPruned(f"pruned after epoch {curves.epochs}")
        return curves.fold_scores(y_valid).mean_accuracy


def fit_and_predict(
    params: dict[str, Any],
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray,
    config: TrainConfig,
    impute: bool,
    validation_split: float = 0.0,
) -> np.ndarray:
    """Train one network on all of ``X_train`` (scaled on it) and return test probabilities.

    ``validation_split=0.2`` with Keras' own shuffling is the seed article's exact protocol.
    """
    import keras

    keras.backend.clear_session()
    scaler = make_preprocessor(impute).fit(X_train)
    seed_shuffling(config.seed)
    model = build_model(params, X_train.shape[1], seed=config.seed)
    model.fit(
        scaler.transform(X_train).astype("float32"), y_train.astype("float32"),
        epochs=config.epochs, batch_size=config.batch_size,
        validation_split=validation_split, verbose=0,
    )  # fmt: skip
    return predict_proba(model, scaler.transform(X_test).astype("float32"))
