"""Logistic regression with an L1, an L2 or an elastic-net penalty, C searched on a log scale.

``penalty=`` is deprecated since scikit-learn 1.8; ``l1_ratio`` names the models: 1 is L1, 0 is L2,
in between the elastic net.

Solvers: the searches use solvers that leave the intercept unpenalized, ``lbfgs`` for L2 and
``saga`` for L1 and the elastic net. ``liblinear`` (the article's) penalizes the intercept like
any coefficient, so at strong penalties it pulls every prediction toward 0.5 (on the shipped
Cleveland data its accuracy-chosen L2 model, C = 0.00568, had a calibration slope of 4.0 on the
test rows). The article's own grids keep ``liblinear`` (:func:`article_family`), so their tables
stay exact.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from optuna.distributions import FloatDistribution
from threadpoolctl import ThreadpoolController

from objectives.family import (
    Evaluate,
    ModelFamily,
    Refit,
    TrainOptions,
    fold_by_fold,
)
from objectives.preprocess import PreparedFold
from objectives.stats import intercept_given_offset
from objectives.task import BINARY, MULTICLASS

if TYPE_CHECKING:
    from sklearn.linear_model import LogisticRegression

C = FloatDistribution(1e-4, 1e4, log=True)
L1_RATIO = FloatDistribution(0.0, 1.0)
#: The article's solver: it penalizes the intercept (kept for the article's grids only).
LIBLINEAR = "liblinear"
#: L2 with an unpenalized intercept.
LBFGS = "lbfgs"
#: L1 and the elastic net with an unpenalized intercept.
SAGA = "saga"
#: Weakly penalized fits of nearly separable data need more than the default 100 iterations.
MAX_ITER = {LIBLINEAR: 1000, LBFGS: 1000, SAGA: 5000}

#: liblinear and saga shuffle the rows while they fit; a fixed state makes every fit repeatable
#: (with ``None`` they draw from NumPy's global generator and differ in the last digits).
RANDOM_STATE = 0

#: Makes a trial's linear model from its parameters: a ``LogisticRegression`` here, a ``Lasso``,
#: ``Ridge`` or ``ElasticNet`` in :mod:`objectives.linear` (fitted, scored and refit alike).
MakeClassifier = Callable[[dict[str, Any]], Any]


def fixed_ratio(l1_ratio: float, solver: str) -> MakeClassifier:
    """L1 (``l1_ratio=1``) or L2 (``0``) logistic regression at the trial's C."""

    def make(params: dict[str, Any]) -> LogisticRegression:
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(
            C=params["C"],
            l1_ratio=l1_ratio,
            solver=solver,
            max_iter=MAX_ITER[solver],
            random_state=RANDOM_STATE,
        )

    return make


def elastic_net(params: dict[str, Any]) -> LogisticRegression:
    """The elastic net at the trial's C and l1_ratio."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(
        C=params["C"],
        l1_ratio=params["l1_ratio"],
        solver=SAGA,
        max_iter=MAX_ITER[SAGA],
        random_state=RANDOM_STATE,
    )


@functools.cache
def _blas() -> ThreadpoolController:
    """The loaded thread pools, inspected once (each inspection costs milliseconds)."""
    return ThreadpoolController()


def fit(
    make: MakeClassifier, params: dict[str, Any], X: np.ndarray, y: np.ndarray
) -> tuple[Any, bool]:
    """Fit, and say whether the solver converged. At weak penalties on (nearly) separable data
    the unpenalized optimum lies at infinity and no iteration limit reaches it; the trial records
    that (``folds_not_converged``) instead of printing a warning per fold.

    One BLAS thread: on a few hundred rows lbfgs' threaded matrix products only wait on each
    other (on a busy 2-core machine a 5-fold CV took 100-400 ms threaded, 15-25 ms on one).
    """
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings(record=True) as caught, _blas().limit(limits=1, user_api="blas"):
        warnings.simplefilter("always", ConvergenceWarning)
        model = make(params).fit(X, y)
    if getattr(model, "solver", None) == SAGA and len(model.classes_) == 2:
        _free_the_intercept(model, X, y)
    elif getattr(model, "solver", None) == SAGA:
        _free_the_intercepts(model, X, y)
    return model, not any(issubclass(w.category, ConvergenceWarning) for w in caught)


def _free_the_intercept(model: LogisticRegression, X: np.ndarray, y: np.ndarray) -> None:
    """Solve the unpenalized intercept exactly, the coefficients held.

    saga's stopping rule (relative change of the weights) ends the fit after one or a few epochs
    once every coefficient is zero, leaving the intercept short of its optimum: on the heart
    folds at C <= 0.01 the mean predicted probability missed the training prevalence by up to
    3 points. The intercept's own optimality condition (mean prediction = prevalence) is solved
    here; where saga converged it already holds, so nothing moves.
    """
    intercept = intercept_given_offset(y, X @ model.coef_[0])
    if math.isfinite(intercept):
        model.intercept_[0] = intercept


#: The multinomial intercepts are solved until every class's mean probability is this close to
#: its share of the rows (or for at most :data:`INTERCEPT_STEPS` steps).
INTERCEPT_TOLERANCE = 1e-9
INTERCEPT_STEPS = 200


def _free_the_intercepts(model: LogisticRegression, X: np.ndarray, y: np.ndarray) -> None:
    """The multinomial version of :func:`_free_the_intercept`: the unpenalized intercepts' own
    optimality condition is that each class's mean predicted probability equals its share of
    the rows; saga stops short of it at strong penalties (on wine's folds at C = 0.001 the L1
    model's mean probabilities were 0.31/0.45/0.23 against shares 0.33/0.40/0.27). Solved by
    the fixed point ``b_k += log(share_k) - log(mean p_k)``, each step a scaling of the classes'
    odds toward their shares; where saga converged the condition holds and nothing moves."""
    from scipy.special import softmax

    classes = np.asarray(model.classes_)
    shares = np.array([np.mean(y == c) for c in classes])
    if not np.all(shares > 0):
        return
    offsets = X @ model.coef_.T
    intercepts = np.asarray(model.intercept_, dtype=float).copy()
    for _ in range(INTERCEPT_STEPS):
        mean = softmax(offsets + intercepts, axis=1).mean(axis=0)
        if np.max(np.abs(mean - shares)) < INTERCEPT_TOLERANCE:
            break
        intercepts += np.log(shares) - np.log(mean)
    if np.all(np.isfinite(intercepts)):
        model.intercept_[:] = intercepts - intercepts.mean()


def cross_validate(make: MakeClassifier) -> Evaluate:
    """The family's evaluator: each trial's folds one after another, reported after each fold
    (step = fold number, from 1), so the pruner can stop a trial between folds."""

    def fit_fold(
        params: dict[str, Any], fold: PreparedFold, options: TrainOptions
    ) -> tuple[np.ndarray, dict[str, float]]:
        model, converged = fit(make, params, fold.X_train, fold.y_train)
        proba = options.task.predict(model, fold.X_valid)
        return proba, {"nonzero": float(nonzero_features(model.coef_)), "converged": converged}

    return fold_by_fold(fit_fold, _fit_facts)


def nonzero_features(coef: np.ndarray) -> int:
    """The features a linear model uses: those with a non-zero coefficient (for any class)."""
    return int(np.count_nonzero(np.any(np.atleast_2d(coef) != 0, axis=0)))


def _fit_facts(facts: list[dict[str, float]]) -> dict[str, Any]:
    """The mean number of non-zero coefficients of the fold models (the expected size of the
    model, without a refit), and how many folds did not converge, if any."""
    summary: dict[str, Any] = {"n_nonzero_coef": float(np.mean([f["nonzero"] for f in facts]))}
    not_converged = sum(not f["converged"] for f in facts)
    if not_converged:
        summary["folds_not_converged"] = not_converged
    return summary


def refit_with(
    make: MakeClassifier,
) -> Callable[[dict[str, Any], PreparedFold, TrainOptions], Refit]:
    def refit(params: dict[str, Any], fold: PreparedFold, options: TrainOptions) -> Refit:
        model, _ = fit(make, params, fold.X_train, fold.y_train)
        proba = options.task.predict(model, fold.X_valid)
        # A multinomial model has a coefficient per class and feature: the report's features
        # table shows permutation importance instead.
        coef = np.atleast_2d(model.coef_)
        coefficients = np.asarray(coef[0], dtype=float) if coef.shape[0] == 1 else None
        return Refit(proba=proba, coefficients=coefficients, model=model)

    return refit


def _fold_steps(options: TrainOptions, n_folds: int) -> list[int]:
    return list(range(1, n_folds + 1))


def linear_family(
    name: str,
    label: str,
    make: MakeClassifier,
    space: dict[str, Any],
    protocol: dict[str, Any],
    **hints: Any,
) -> ModelFamily:
    """A family of linear models made by ``make``, scored fold by fold and refit by this
    module's helpers; ``protocol`` is what fixes a trial's value beyond the search space. The
    logistic regressions here and the regressions of :mod:`objectives.linear` are made by it."""
    return ModelFamily(
        name=name,
        label=label,
        space=space,
        evaluate=cross_validate(make),
        refit=refit_with(make),
        step_name="fold",
        report_steps=_fold_steps,
        # The running mean after two folds is the first worth comparing.
        warmup_steps=lambda options, n_folds: 2,
        protocol=lambda options: dict(protocol),
        linear=True,
        **hints,
    )


def _family(
    name: str, label: str, make: MakeClassifier, solver: str, space: dict[str, Any], **hints: Any
) -> ModelFamily:
    return linear_family(
        name,
        label,
        make,
        space,
        {"solver": solver, "max_iter": MAX_ITER[solver]},
        tasks=frozenset({BINARY, MULTICLASS}),
        **hints,
    )


LOGREG_L1 = _family(
    "logreg-l1",
    "logistic regression, L1",
    fixed_ratio(1.0, SAGA),
    SAGA,
    {"C": C},
    curve=("C", None),
    path=True,
    noun="L1 logistic regression",
    stronger="smaller C is a stronger penalty",
)
LOGREG_L2 = _family(
    "logreg-l2",
    "logistic regression, L2",
    fixed_ratio(0.0, LBFGS),
    LBFGS,
    {"C": C},
    curve=("C", None),
    noun="L2 logistic regression",
    stronger="smaller C is a stronger penalty",
)
LOGREG_ENET = _family(
    "logreg-enet",
    "logistic regression, elastic net",
    elastic_net,
    SAGA,
    {"C": C, "l1_ratio": L1_RATIO},
    curve=("C", "l1_ratio"),
    closed=frozenset({"l1_ratio"}),
    path=True,
    default=False,
    noun="elastic-net logistic regression",
    stronger="smaller C is a stronger penalty; l1_ratio 1 is pure L1, 0 pure L2",
)


def article_family(penalty: str) -> ModelFamily:
    """L1 (``"l1"``) or L2 (``"l2"``) logistic regression as the article fitted it: liblinear,
    whose penalty also shrinks the intercept. Used by the article's grids only."""
    return _family(
        f"logreg-{penalty}",
        f"logistic regression, {penalty.upper()} (liblinear)",
        fixed_ratio(1.0 if penalty == "l1" else 0.0, LIBLINEAR),
        LIBLINEAR,
        {"C": C},
    )
