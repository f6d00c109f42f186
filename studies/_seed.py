"""The seed article's fixed grid, with its exact protocol, as a study beside the searches.

The seed fitted ``StandardScaler`` + ``LogisticRegression(solver="liblinear")`` on the 242
training rows for each penalty and C in {0.001, 0.01, 0.1} and scored each once on the 61 test
rows. The trial value here is that test accuracy, as the seed reported it; each trial also
stores its cross-validated scores on the shared fold plan, so the report can set the seed's
choice against the searched one without looking at the test rows.
"""

from __future__ import annotations

from typing import Any, cast

import optuna
import pandas as pd

from objectives import FoldPlan, Split, cross_validate, logreg, score_test
from objectives._sklearn_cv import set_user_attrs
from studies._models import needs_imputer
from studies._progress import FINISHED
from studies._settings import Settings

SEED_C = (0.001, 0.01, 0.1)
PENALTIES: tuple[logreg.Penalty, ...] = ("l1", "l2")
SEED_LOGREG = "seed-logreg"


def seed_logreg_grid() -> dict[str, list[Any]]:
    return {"penalty": list(PENALTIES), "C": list(SEED_C)}


def _seed_logreg_objective(split: Split, plan: FoldPlan) -> Any:
    impute = needs_imputer(split)

    def objective(trial: optuna.Trial) -> float:
        penalty = cast(logreg.Penalty, trial.suggest_categorical("penalty", PENALTIES))
        params = logreg.suggest(trial)
        cv = cross_validate(
            trial,
            lambda: logreg.build_model(params, penalty, impute),
            split.X_train,
            split.y_train,
            plan,
        )
        model = logreg.build_model(params, penalty, impute).fit(split.X_train, split.y_train)
        test = score_test(split.y_test, model.predict_proba(split.X_test)[:, 1])
        set_user_attrs(
            trial,
            {
                **cv.as_user_attrs(),
                **test.as_user_attrs(),
                "n_nonzero_coef": logreg.count_nonzero_coefficients(model),
            },
        )
        return test.accuracy

    return objective


def run_seed_logreg(
    storage: optuna.storages.BaseStorage,
    split: Split,
    plan: FoldPlan,
    settings: Settings,
    study_protocol: dict[str, Any],
) -> optuna.Study:
    """Run (or finish) the 6-trial seed grid for logistic regression."""
    grid = seed_logreg_grid()
    study = optuna.create_study(
        storage=storage,
        study_name=settings.study_name(SEED_LOGREG),
        direction="maximize",
        sampler=optuna.samplers.GridSampler(grid, seed=settings.seed),
        pruner=optuna.pruners.NopPruner(),
        load_if_exists=True,
    )
    study.set_user_attr("protocol", study_protocol)
    size = len(grid["penalty"]) * len(grid["C"])
    done = sum(1 for t in study.get_trials(deepcopy=False) if t.state in FINISHED)
    if done < size:
        study.optimize(
            _seed_logreg_objective(split, plan),
            n_trials=size - done,
            callbacks=[optuna.study.MaxTrialsCallback(size, states=FINISHED)],
        )
    return study


def seed_logreg_table(study: optuna.Study) -> pd.DataFrame:
    """Test accuracy by penalty (rows) and C (columns), as the seed printed it."""
    rows = [
        {"penalty": t.params["penalty"].upper(), "C": t.params["C"], "test_accuracy": t.value}
        for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    ]
    table = pd.DataFrame(rows).pivot_table(
        index="penalty", columns="C", values="test_accuracy", aggfunc="first"
    )
    table.columns = [f"C={c:g}" for c in table.columns]
    return table
