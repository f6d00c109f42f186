"""``calibration.csv`` in the task's terms: a binary model's intercept and slope; each class's
against the rest; a continuous target's mean residual and slope.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from objectives.stats import Calibration, calibration
from objectives.task import line_fit
from studies.report.tables.nested import Predictions

CALIBRATION_COLUMNS = [
    "model",
    "source",
    "n",
    "intercept",
    "slope",
    "slope_low",
    "slope_high",
    "note",
]


def calibration_table(source: str, fits: dict[str, Calibration]) -> pd.DataFrame:
    """Each binary model's logistic calibration on ``source``."""
    return pd.DataFrame(
        [
            {
                "model": model,
                "source": source,
                "n": fit.n,
                "intercept": fit.intercept,
                "slope": fit.slope,
                "slope_low": fit.slope_low,
                "slope_high": fit.slope_high,
                "note": fit.note,
            }
            for model, fit in fits.items()
        ],
        columns=CALIBRATION_COLUMNS,
    )


REGRESSION_CALIBRATION_COLUMNS = [
    "model",
    "source",
    "n",
    "mean_residual",
    "mean_residual_low",
    "mean_residual_high",
    "slope",
    "slope_low",
    "slope_high",
]


CLASS_CALIBRATION_COLUMNS = [
    "model",
    "source",
    "class",
    "n",
    "intercept",
    "slope",
    "slope_low",
    "slope_high",
    "note",
]


def regression_calibration_table(source: str, predictions: Predictions) -> pd.DataFrame:
    rows = []
    for model, (y, predicted) in predictions.items():
        fit = line_fit(y, predicted)
        rows.append({"model": model, "source": source, **fit.__dict__})
    return pd.DataFrame(rows, columns=REGRESSION_CALIBRATION_COLUMNS)


def class_calibration_table(
    source: str, predictions: Predictions, classes: Sequence[str]
) -> pd.DataFrame:
    """Per model and class, the logistic calibration intercept and slope of that class's
    probability, the class against the rest (as for a binary model)."""
    rows = []
    for model, (y, proba) in predictions.items():
        labels = np.asarray(y, dtype=int)
        for k, name in enumerate(classes):
            fit = calibration((labels == k).astype(float), np.asarray(proba)[:, k])
            rows.append(
                {
                    "model": model,
                    "source": source,
                    "class": name,
                    "n": fit.n,
                    "intercept": fit.intercept,
                    "slope": fit.slope,
                    "slope_low": fit.slope_low,
                    "slope_high": fit.slope_high,
                    "note": fit.note,
                }
            )
    return pd.DataFrame(rows, columns=CLASS_CALIBRATION_COLUMNS)
