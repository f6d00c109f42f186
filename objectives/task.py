"""What the target is, and therefore everything that differs between kinds of target: the task.

A :class:`Task` answers every question whose answer depends on the target: the scores a search
can optimize (each a :class:`~objectives.scoring.Metric` that knows which way is better) and the
default one; how folds are drawn (stratified by class, or shuffled K-fold for a continuous
target); the baseline every model must beat and how a sentence names it; what the network's last
layer outputs and which loss it trains on; how a fitted model's predictions are read, scored and
stored; which of the report's plots apply; what ``predict`` writes. Code asks the task; no other
module compares a task's name. The data set says which task it is (``Dataset.task``), and every
study records its name in its protocol (:func:`task_named` reads it back).

Predictions follow one convention per task, from the families through storage to ``predict``:
binary, the probability of the positive class per row; multi-class, a probability per class per
row (rows, K); regression, the predicted value per row.

Adding a task is one :class:`Task` here (its scorer in :mod:`objectives.scoring`) plus the
families that serve it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from objectives.folds import FoldPlan, make_fold_plan
from objectives.scoring import (
    EPS,
    METRIC,
    METRICS,
    MULTICLASS_METRICS,
    REGRESSION_METRICS,
    Metric,
    Scores,
    pointwise_scores,
    score_batch,
    score_batch_multiclass,
    score_batch_regression,
    score_test,
    wilson_interval,
)
from objectives.stats import auc_delong, calibration, mean_interval, rmse_interval

#: (truth, predictions of one or many models, mask of real rows) -> each model's scores.
Scorer = Callable[..., Scores]


@dataclass(frozen=True)
class HeldOutScore:
    """One score of a model on rows it never saw, with its 95% interval (NaN bounds where
    there is none), as a model card lists it.

    Attributes:
        name: a key for files (``roc_auc``, ``recall_class_1``).
        label: what the card calls it ("ROC AUC", "sensitivity at 0.5").
        estimate, low, high: the value and its interval.
        method: how the interval was made, in a few words.
    """

    name: str
    label: str
    estimate: float
    low: float
    high: float
    method: str


def _share(name: str, label: str, hits: int, n: int) -> HeldOutScore:
    """A proportion with its Wilson interval."""
    low, high = wilson_interval(hits, n)
    return HeldOutScore(name, label, hits / n if n else math.nan, low, high, "Wilson")


def _mean(
    name: str,
    label: str,
    values: np.ndarray,
    bounds: tuple[float, float] = (-math.inf, math.inf),
) -> HeldOutScore:
    """A mean over rows with its t interval, clipped to the values the score can take."""
    estimate, low, high = mean_interval(values)
    low, high = max(low, bounds[0]), min(high, bounds[1])
    return HeldOutScore(name, label, estimate, low, high, "t interval of the rows' mean")


def shuffled_fold_plan(y: np.ndarray, folds: int, seed: int) -> FoldPlan:
    """Shuffled ``folds``-fold (train, validation) index pairs, fixed by ``seed``: a continuous
    target has no classes to stratify by."""
    from sklearn.model_selection import KFold

    splitter = KFold(n_splits=folds, shuffle=True, random_state=seed)
    return tuple(splitter.split(np.zeros(len(y))))


def prevalence(y_train: np.ndarray, n_rows: int, n_classes: int) -> np.ndarray:
    """The binary baseline: the training rows' share of positives, for every row."""
    return np.full(n_rows, float(np.mean(y_train)))


def class_shares(y_train: np.ndarray, n_rows: int, n_classes: int) -> np.ndarray:
    """The multi-class baseline: each of the ``n_classes`` classes' share of the training rows,
    for every row."""
    shares = np.bincount(np.asarray(y_train, dtype=int), minlength=n_classes) / len(y_train)
    return np.tile(shares, (n_rows, 1))


def training_mean(y_train: np.ndarray, n_rows: int, n_classes: int) -> np.ndarray:
    """The regression baseline: the training rows' mean, for every row."""
    return np.full(n_rows, float(np.mean(y_train)))


@dataclass(frozen=True)
class Baseline:
    """What predicts the same for every row, and its words.

    Attributes:
        predict: (training target, rows, classes) -> the baseline's predictions.
        row: the name of its row in the searches' table.
        predicts: what it predicts, in a table cell ("the training rows' share of positives").
        everyone: what it predicts for everyone, in a sentence.
        accuracy: what its accuracy is, for a classifier ("the majority class"); "" otherwise.
        known: what its score is known to be, where that is worth saying ("R² 0").
    """

    predict: Callable[[np.ndarray, int, int], np.ndarray]
    row: str
    predicts: str
    everyone: str
    accuracy: str = ""
    known: str = ""

    @property
    def described(self) -> str:
        """What it predicts for everyone and what that scores, for a paragraph."""
        said = f"by accuracy, {self.accuracy}" if self.accuracy else self.known
        return f"{self.predicts} predicted for everyone" + (f" ({said})" if said else "")


#: The network's last-layer kinds.
SIGMOID, SOFTMAX, LINEAR = "sigmoid", "softmax", "linear"


@dataclass(frozen=True)
class NetworkOutput:
    """The network's last layer and loss for a task, and the way between its outputs and the
    task's predictions.

    Attributes:
        kind: :data:`SIGMOID` (one logit, binary cross-entropy), :data:`SOFTMAX` (one logit per
            class, softmax cross-entropy from integer labels) or :data:`LINEAR` (one unit, the
            squared error of the target standardized inside each fold).
        described: the same in words.
    """

    kind: str
    described: str

    def units(self, n_classes: int) -> int:
        """The last layer's width: one logit per class for a softmax, else one."""
        return n_classes if self.kind == SOFTMAX else 1

    def name(self, n_classes: int) -> str:
        """How the network's name ends: "1", "3" (three classes), "1 linear"."""
        return f"{self.units(n_classes)}" + (" linear" if self.kind == LINEAR else "")

    def scale(self, y_train: np.ndarray) -> tuple[float, float]:
        """(mean, sd) the network's target is standardized with: those of a linear output's
        training rows (an sd of 0, a constant target, counts as 1), (0, 1) for a classifier,
        whose labels the network takes as they are."""
        if self.kind != LINEAR or not len(y_train):
            return 0.0, 1.0
        y = np.asarray(y_train, dtype=float)
        sd = float(y.std())
        return float(y.mean()), sd if sd > 0 else 1.0

    def target(self, y_train: np.ndarray) -> np.ndarray:
        """What the network is fitted to, in float32 as Keras takes it: the labels as they are
        for a classifier, ``(y - mean) / sd`` (:meth:`scale`) for a linear output."""
        if self.kind != LINEAR:
            return np.asarray(y_train).astype("float32")
        mean, sd = self.scale(y_train)
        return ((np.asarray(y_train, dtype=float) - mean) / sd).astype("float32")

    @property
    def padding_label(self) -> float:
        """The label of a padding row (masked out of the loss): -1 for classes, NaN for a
        value."""
        return math.nan if self.kind == LINEAR else -1.0

    def predictions(self, outputs: np.ndarray, mean: Any = 0.0, sd: Any = 1.0) -> np.ndarray:
        """The task's predictions from the network's outputs (one-unit outputs without their
        unit axis, a softmax's with its class axis last): the logit's sigmoid, the logits'
        softmax, or the value brought back to the target's units (``output * sd + mean``;
        ``mean`` and ``sd`` broadcast, one per network when many are given)."""
        from scipy.special import expit, softmax

        outputs = np.asarray(outputs, dtype=float)
        if self.kind == SOFTMAX:
            return np.asarray(softmax(outputs, axis=-1))
        if self.kind == LINEAR:
            return np.asarray(outputs * sd + mean)
        return np.asarray(expit(outputs))


@dataclass(frozen=True, eq=False)
class Task:
    """One kind of target. Compared by identity: there is one object per task.

    Attributes:
        name: as data sets, ``--task`` and study protocols write it.
        title: how a sentence names it ("multi-class").
        metric_names: the scores every table shows and ``--metric`` chooses from.
        default_metric: what a search optimizes unless told (a proper score: the log loss for
            classes, the RMSE for a continuous target).
        fold_plan: (target, folds, seed) -> the (train, validation) folds.
        classes: whether the target is classes (stratified splits, probabilities, a confusion
            matrix, an accuracy with its interval) rather than a number.
        per_class: whether a linear model has coefficients per class (a multinomial model: no
            single coefficient path or coefficient column per feature).
        network: the network's last layer and loss.
        scorer: the vectorized scorer of :mod:`objectives.scoring`.
        baseline: what predicts the same for every row, and its words.
        plots: the report's task-specific figures (names in the report's figure registry).
        nested_metrics: the scores with a nested-CV interval (means over rows, or the ROC AUC's).
        page_cv, page_test: the scores the report's searches table shows (the test accuracy with
            its interval for classes).
        writes: what ``predict`` writes per row, in words.
        target_role: how the run's column table names the target ("target, 3 classes").
    """

    name: str
    title: str
    metric_names: tuple[str, ...]
    default_metric: str
    fold_plan: Callable[[np.ndarray, int, int], FoldPlan]
    classes: bool
    per_class: bool
    network: NetworkOutput
    scorer: Scorer
    baseline: Baseline
    plots: tuple[str, ...]
    nested_metrics: tuple[str, ...]
    page_cv: tuple[str, ...]
    page_test: tuple[str, ...]
    writes: str
    target_role: str

    def __repr__(self) -> str:
        return f"Task({self.name!r})"

    @property
    def metrics(self) -> tuple[Metric, ...]:
        return tuple(METRIC[name] for name in self.metric_names)

    def metric(self, name: str) -> Metric:
        """The task's score ``name``.

        Raises:
            ValueError: not a score of this task (one line, naming them).
        """
        if name not in self.metric_names:
            raise ValueError(
                f"{name} is not a score of a {self.title} target; its scores are "
                f"{', '.join(self.metric_names)} (default {self.default_metric})"
            )
        return METRIC[name]

    # Predictions ------------------------------------------------------------------------------

    def score(
        self, y_true: np.ndarray, predictions: np.ndarray, mask: np.ndarray | None = None
    ) -> Scores:
        """Every score of many models' predictions at once (see :data:`Scorer`)."""
        return self.scorer(y_true, predictions, mask)

    def score_one(self, y_true: np.ndarray, predictions: np.ndarray) -> dict[str, float]:
        """The scores of one model's predictions."""
        return self.scorer(np.asarray(y_true), np.asarray(predictions)[None, ...]).one()

    def predict(self, model: Any, X: Any) -> np.ndarray:
        """A fitted scikit-learn model's predictions as this task has them: the positive
        class's probability (binary), every class's (multi-class, (rows, K)), the value."""
        if not self.classes:
            return np.asarray(model.predict(X), dtype=float) if len(X) else np.zeros(0)
        if not len(X):
            return self.empty(len(model.classes_))
        proba = np.asarray(model.predict_proba(X), dtype=float)
        return proba if self.per_class else proba[:, 1]

    def empty(self, n_classes: int) -> np.ndarray:
        """Predictions for no rows, shaped as the task's are."""
        return np.zeros((0, n_classes)) if self.per_class else np.zeros(0)

    def pointwise(self, metric: str, y: np.ndarray, predictions: np.ndarray) -> np.ndarray:
        """Each row's own term of a score that is a mean over rows: 1/0 correct for accuracy,
        its log loss or Brier term; for a continuous target its absolute error (``mae``) or
        squared error (``rmse``: an interval is taken of their mean, the MSE, and rooted)."""
        if not self.classes:
            error = np.asarray(y, dtype=float) - np.asarray(predictions, dtype=float)
            return np.abs(error) if metric == "mae" else error**2
        if not self.per_class:
            return pointwise_scores(y, predictions)[metric]
        p = np.asarray(predictions, dtype=float)
        labels = np.asarray(y, dtype=int)
        if metric == "accuracy":
            return (p.argmax(axis=1) == labels).astype(float)
        if metric == "log_loss":
            return -np.log(np.clip(p[np.arange(len(labels)), labels], EPS, 1 - EPS))
        return ((p - np.eye(p.shape[1])[labels]) ** 2).sum(axis=1)

    def bounds(self, metric: str) -> tuple[float, float]:
        """The values a score that is a mean over rows can take (an interval is clipped to
        them): a binary Brier score lies in [0, 1], a multi-class one in [0, 2]."""
        if metric == "brier" and not self.per_class:
            return (0.0, 1.0)
        if metric == "accuracy":
            return (0.0, 1.0)
        return (0.0, math.inf)

    def held_out(self, y_true: np.ndarray, predictions: np.ndarray) -> dict[str, Any]:
        """The held-out scores as a study stores them (``test_<metric>``, ``test_n_test``): for
        classes also the accuracy's Wilson 95% interval and the confusion matrix (rows the
        truth, columns the prediction, classes in order)."""
        if self.classes and not self.per_class:
            return score_test(y_true, predictions).as_user_attrs()
        attrs: dict[str, Any] = {
            f"test_{name}": value for name, value in self.score_one(y_true, predictions).items()
        }
        attrs["test_n_test"] = len(y_true)
        if self.classes:
            y = np.asarray(y_true, dtype=int)
            k = np.asarray(predictions).shape[1]
            guess = np.asarray(predictions).argmax(axis=1)
            low, high = wilson_interval(int((guess == y).sum()), len(y))
            attrs["test_accuracy_ci_low"], attrs["test_accuracy_ci_high"] = low, high
            attrs["test_confusion_matrix"] = [
                [int(((y == truth) & (guess == g)).sum()) for g in range(k)] for truth in range(k)
            ]
        return attrs

    def baseline_predictions(self, y_train: np.ndarray, n_rows: int, n_classes: int) -> np.ndarray:
        """The baseline's predictions for ``n_rows`` rows, learnt from ``y_train``."""
        return self.baseline.predict(y_train, n_rows, n_classes)

    # Labels and what predict writes -----------------------------------------------------------

    def class_labels(self, negative: str, positive: str, classes: Sequence[str]) -> tuple[str, ...]:
        """Each class number's label: (negative, positive) for binary, ``classes`` for
        multi-class, none for a continuous target."""
        if not self.classes:
            return ()
        return tuple(classes) if self.per_class else (negative, positive)

    def probabilities(self, predictions: np.ndarray) -> np.ndarray:
        """(rows, classes): each class's probability, in class order.

        Raises:
            AttributeError: a continuous target's model predicts values, not probabilities.
        """
        if not self.classes:
            raise AttributeError("a regression model has no predict_proba; use predict")
        if self.per_class:
            return np.asarray(predictions)
        positive = np.asarray(predictions, dtype=float)
        return np.column_stack([1 - positive, positive])

    def decide(
        self, predictions: np.ndarray, labels: Sequence[Any], threshold: float
    ) -> np.ndarray:
        """Each row's predicted class label (binary: positive where the probability is at least
        ``threshold``; multi-class: the most probable class), or its value."""
        if not self.classes:
            return np.asarray(predictions)
        names = np.asarray(labels, dtype=object)
        if not len(predictions):
            return np.array([], dtype=object)
        if self.per_class:
            return np.asarray(names[np.asarray(predictions).argmax(axis=1)], dtype=object)
        return np.where(np.asarray(predictions) >= threshold, names[1], names[0])

    def prediction_columns(
        self,
        target: str,
        labels: Sequence[Any],
        predictions: np.ndarray,
        threshold: float,
        digits: int | None = None,
    ) -> dict[str, np.ndarray]:
        """What ``predict`` writes for the rows, column by column: the positive class's
        probability and the predicted class (binary); each class's probability and the most
        probable class (multi-class); the predicted value (regression). Probabilities are
        rounded to ``digits`` decimal places (None: as computed); the class is decided on the
        probabilities as computed."""
        columns: dict[str, np.ndarray] = {}
        if self.classes:
            proba = self.probabilities(predictions)
            if digits is not None:
                proba = np.round(proba, digits)
            shown = labels if self.per_class else labels[1:]
            first = 0 if self.per_class else 1
            for k, label in enumerate(shown, start=first):
                columns[f"probability of {label}"] = proba[:, k]
        columns[f"predicted {target}"] = self.decide(predictions, labels, threshold)
        return columns

    # Calibration, in the task's terms ---------------------------------------------------------

    def calibration_record(self, y: np.ndarray, predictions: np.ndarray) -> dict[str, Any]:
        """The calibration of predictions on scored rows, as the saved model's manifest and its
        card keep it: the logistic intercept and slope (binary), each class's against the rest
        (multi-class), or the mean residual and the slope of observed on predicted values
        (regression), each slope with its 95% interval."""
        y = np.asarray(y, dtype=float)
        if not self.classes:
            line = line_fit(y, np.asarray(predictions, dtype=float))
            return {
                "kind": "mean residual and slope",
                "mean_residual": line.mean_residual,
                "mean_residual_95ci": [line.mean_residual_low, line.mean_residual_high],
                "slope": line.slope,
                "slope_95ci": [line.slope_low, line.slope_high],
            }
        if not self.per_class:
            fit = calibration(y, predictions)
            return {
                "kind": "logistic",
                "intercept": fit.intercept,
                "slope": fit.slope,
                "slope_95ci": [fit.slope_low, fit.slope_high],
            }
        proba = np.asarray(predictions, dtype=float)
        per_class = []
        for k in range(proba.shape[1]):
            fit = calibration((y == k).astype(float), proba[:, k])
            per_class.append(
                {
                    "intercept": fit.intercept,
                    "slope": fit.slope,
                    "slope_95ci": [fit.slope_low, fit.slope_high],
                    "note": fit.note,
                }
            )
        return {"kind": "per class, one against the rest", "classes": per_class}

    def performance(
        self, y: np.ndarray, predictions: np.ndarray, labels: Sequence[str], threshold: float
    ) -> list[HeldOutScore]:
        """The scores a model card lists for held-out rows, each with its 95% interval:
        accuracy, ROC AUC (DeLong), sensitivity and specificity at ``threshold``, log loss and
        Brier score (binary); accuracy, each class's recall, log loss and Brier score
        (multi-class); RMSE, MAE, R^2 and the mean residual, the calibration of the mean
        (regression). ``labels`` name the classes."""
        y = np.asarray(y, dtype=float)
        n = len(y)
        if not self.classes:
            predicted = np.asarray(predictions, dtype=float)
            rmse, low, high = rmse_interval(y, predicted)
            r2 = self.score_one(y, predicted)["r2"]
            return [
                HeldOutScore(
                    "rmse", "RMSE", rmse, low, high, "square root of the MSE's t interval"
                ),
                _mean("mae", "MAE", np.abs(y - predicted), self.bounds("mae")),
                HeldOutScore("r2", "R²", r2, math.nan, math.nan, "no interval"),
                _mean(
                    "mean_residual",
                    "mean residual (observed - predicted; 0 is right on average)",
                    y - predicted,
                ),
            ]
        scored = self.score_one(y, predictions)
        if self.per_class:
            proba = np.asarray(predictions, dtype=float)
            guess = proba.argmax(axis=1)
            truth = y.astype(int)
            items = [_share("accuracy", "accuracy", int((guess == truth).sum()), n)]
            for k, label in enumerate(labels):
                members = truth == k
                items.append(
                    _share(
                        f"recall_{k}",
                        f"recall of {label}",
                        int((guess[members] == k).sum()),
                        int(members.sum()),
                    )
                )
        else:
            proba = np.asarray(predictions, dtype=float)
            called = proba >= threshold
            truth = y == 1
            auc, auc_low, auc_high = auc_delong(y, proba)
            items = [
                _share("accuracy", f"accuracy at {threshold:g}", int((called == truth).sum()), n),
                HeldOutScore("roc_auc", "ROC AUC", auc, auc_low, auc_high, "DeLong"),
                _share(
                    "sensitivity",
                    f"sensitivity at {threshold:g}",
                    int((called & truth).sum()),
                    int(truth.sum()),
                ),
                _share(
                    "specificity",
                    f"specificity at {threshold:g}",
                    int((~called & ~truth).sum()),
                    int((~truth).sum()),
                ),
            ]
        items += [
            _mean(
                name,
                METRIC[name].label,
                self.pointwise(name, y, predictions),
                self.bounds(name),
            )
            for name in ("log_loss", "brier")
        ]
        if self.per_class and not math.isnan(scored["roc_auc"]):
            items.insert(1, HeldOutScore(
                "roc_auc", "ROC AUC (each class against the rest, mean)", scored["roc_auc"],
                math.nan, math.nan, "no interval",
            ))  # fmt: skip
        return items


@dataclass(frozen=True)
class LineFit:
    """The regression analogues of calibration on some rows: calibration-in-the-large, the mean
    residual (observed - predicted; 0 when the predictions are right on average), and the slope
    of the observed on the predicted values (1 when their spread is right; below 1, predictions
    too spread out, as an overfit model's are), each with a 95% t interval."""

    n: int
    mean_residual: float
    mean_residual_low: float
    mean_residual_high: float
    slope: float
    slope_low: float
    slope_high: float


def line_fit(y: np.ndarray, predicted: np.ndarray) -> LineFit:
    """:class:`LineFit` of ``predicted`` against ``y``; NaN where the rows cannot say (fewer than
    3, or every prediction the same)."""
    from scipy import stats

    y = np.asarray(y, dtype=float)
    predicted = np.asarray(predicted, dtype=float)
    n = len(y)
    nan = math.nan
    if n < 3:
        return LineFit(n, nan, nan, nan, nan, nan, nan)
    residual = y - predicted
    mean = float(residual.mean())
    half = float(stats.t.ppf(0.975, n - 1) * residual.std(ddof=1) / math.sqrt(n))
    if np.ptp(predicted) == 0:
        return LineFit(n, mean, mean - half, mean + half, nan, nan, nan)
    fit = stats.linregress(predicted, y)
    slope_half = float(stats.t.ppf(0.975, n - 2) * fit.stderr)
    return LineFit(
        n,
        mean,
        mean - half,
        mean + half,
        float(fit.slope),
        float(fit.slope) - slope_half,
        float(fit.slope) + slope_half,
    )


BINARY = Task(
    name="binary",
    title="binary",
    metric_names=METRICS,
    default_metric="log_loss",
    fold_plan=make_fold_plan,
    classes=True,
    per_class=False,
    network=NetworkOutput(SIGMOID, "one logit, binary cross-entropy"),
    scorer=score_batch,
    baseline=Baseline(
        predict=prevalence,
        row="baseline: the same risk for everyone",
        predicts="the training rows' share of positives",
        everyone="the same risk for everyone (the training rows' share of positives)",
        accuracy="the majority class",
    ),
    plots=("calibration", "decision_curve"),
    nested_metrics=("accuracy", "roc_auc", "log_loss", "brier"),
    page_cv=("accuracy", "roc_auc"),
    page_test=("accuracy", "roc_auc", "brier"),
    writes="the probability of the positive class and the predicted class",
    target_role="target, positive = {positive}",
)

MULTICLASS = Task(
    name="multiclass",
    title="multi-class",
    metric_names=MULTICLASS_METRICS,
    default_metric="log_loss",
    fold_plan=make_fold_plan,
    classes=True,
    per_class=True,
    network=NetworkOutput(SOFTMAX, "one logit per class, softmax cross-entropy"),
    scorer=score_batch_multiclass,
    baseline=Baseline(
        predict=class_shares,
        row="baseline: the same prediction for everyone",
        predicts="the training rows' share of each class",
        everyone="each class's share of the training rows for everyone",
        accuracy="the most common class",
    ),
    plots=("confusion_matrix", "calibration_per_class"),
    nested_metrics=("accuracy", "log_loss", "brier"),
    page_cv=("accuracy", "roc_auc"),
    page_test=("accuracy", "roc_auc", "brier"),
    writes="each class's probability and the most probable class",
    target_role="target, {n_classes} classes",
)

REGRESSION = Task(
    name="regression",
    title="continuous (regression)",
    metric_names=REGRESSION_METRICS,
    default_metric="rmse",
    fold_plan=shuffled_fold_plan,
    classes=False,
    per_class=False,
    network=NetworkOutput(
        LINEAR, "one linear unit, squared error (the target standardized inside each fold)"
    ),
    scorer=score_batch_regression,
    baseline=Baseline(
        predict=training_mean,
        row="baseline: the same prediction for everyone",
        predicts="the training rows' mean",
        everyone="the training rows' mean for everyone",
        known="R² 0",
    ),
    plots=("predicted_vs_observed", "residuals"),
    nested_metrics=("rmse", "mae"),
    page_cv=("r2",),
    page_test=("rmse", "mae", "r2"),
    writes="the predicted value",
    target_role="target, a quantity (regression)",
)

#: Every task, by name (``--task`` chooses among them).
TASKS: dict[str, Task] = {task.name: task for task in (BINARY, MULTICLASS, REGRESSION)}


def task_named(name: str | None) -> Task:
    """The task a data set or a stored study names. Studies stored before tasks were recorded
    name none: they were all binary.

    Raises:
        KeyError: an unknown name (one line, naming the tasks).
    """
    if name is None or name == "":
        return BINARY
    try:
        return TASKS[name]
    except KeyError:
        raise KeyError(f"no task {name!r}; the tasks are {', '.join(TASKS)}") from None
