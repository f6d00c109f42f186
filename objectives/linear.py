"""Linear regression with an L1 (lasso), an L2 (ridge) or an elastic-net penalty, ``alpha``
searched on a log scale: what ``LassoCV``, ``RidgeCV`` and ``ElasticNetCV`` tune, here with a
report, a comparison with a network and an honest estimate.

``alpha`` means what it means in scikit-learn (``Lasso(alpha=...)`` minimizes
``||y - Xw||^2 / (2 n) + alpha ||w||_1``; ``Ridge(alpha=...)`` minimizes
``||y - Xw||^2 + alpha ||w||^2``), on the standardized features and the target in its own units,
so a value found here can be used as it is. Larger alpha is a stronger penalty (unlike C).
The range, [1e-4, 1e4], is wide for a target of ordinary scale; a target in thousands may need
larger values to zero every coefficient, and the report then warns that the best alpha sits at the
range's edge (``--range alpha=LOW,HIGH``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from optuna.distributions import FloatDistribution

from objectives.family import ModelFamily
from objectives.logreg import linear_family
from objectives.task import REGRESSION

if TYPE_CHECKING:
    from sklearn.linear_model import ElasticNet, Lasso, Ridge

ALPHA = FloatDistribution(1e-4, 1e4, log=True)
L1_RATIO = FloatDistribution(0.0, 1.0)
#: Coordinate descent at weak penalties on correlated features needs more than 1000 sweeps.
MAX_ITER = 10_000
#: Fixes coordinate descent's order (``selection="cyclic"`` ignores it; kept for clarity).
RANDOM_STATE = 0

MakeRegressor = Callable[[dict[str, Any]], "Lasso | Ridge | ElasticNet"]


def lasso(params: dict[str, Any]) -> Lasso:
    from sklearn.linear_model import Lasso

    return Lasso(alpha=params["alpha"], max_iter=MAX_ITER, random_state=RANDOM_STATE)


def ridge(params: dict[str, Any]) -> Ridge:
    from sklearn.linear_model import Ridge

    return Ridge(alpha=params["alpha"])


def elastic_net(params: dict[str, Any]) -> ElasticNet:
    from sklearn.linear_model import ElasticNet

    return ElasticNet(
        alpha=params["alpha"],
        l1_ratio=params["l1_ratio"],
        max_iter=MAX_ITER,
        random_state=RANDOM_STATE,
    )


def _family(
    name: str, label: str, make: MakeRegressor, space: dict[str, Any], **hints: Any
) -> ModelFamily:
    # Fitted, scored and refit as logistic regression is (one BLAS thread, convergence recorded
    # per trial, the non-zero coefficients counted).
    return linear_family(
        name,
        label,
        make,
        space,
        {"max_iter": MAX_ITER},
        path_param="alpha",
        tasks=frozenset({REGRESSION}),
        **hints,
    )


LASSO = _family(
    "lasso",
    "linear regression, L1 (lasso)",
    lasso,
    {"alpha": ALPHA},
    curve=("alpha", None),
    path=True,
    noun="the lasso",
    stronger="larger alpha is a stronger penalty",
)
RIDGE = _family(
    "ridge",
    "linear regression, L2 (ridge)",
    ridge,
    {"alpha": ALPHA},
    curve=("alpha", None),
    noun="ridge regression",
    stronger="larger alpha is a stronger penalty",
)
ELASTIC_NET = _family(
    "elasticnet",
    "linear regression, elastic net",
    elastic_net,
    {"alpha": ALPHA, "l1_ratio": L1_RATIO},
    curve=("alpha", "l1_ratio"),
    closed=frozenset({"l1_ratio"}),
    path=True,
    default=False,
    noun="the elastic net",
    stronger="larger alpha is a stronger penalty; l1_ratio 1 is the lasso, 0 ridge",
)
