"""``trials/<study>.csv``: every trial, flat."""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd

from studies.report.views import StudyView
from studies.trials.counting import primary_value


def trials_table(view: StudyView) -> pd.DataFrame:
    """Every trial, flat: parameters, state, value, timing, per-fold scores, user attributes.

    List attributes become one column per fold (``fold_accuracy`` -> ``fold_accuracy_1`` ...).
    """
    rows = []
    for trial in view.trials:
        duration = (
            (trial.datetime_complete - trial.datetime_start).total_seconds()
            if trial.datetime_complete and trial.datetime_start
            else math.nan
        )
        row: dict[str, Any] = {
            "number": trial.number,
            "state": trial.state.name,
            "value": primary_value(trial),
            **({"n_nonzero_coef": trial.values[1]} if len(trial.values or []) > 1 else {}),
            "datetime_start": trial.datetime_start,
            "datetime_complete": trial.datetime_complete,
            "duration_seconds": duration,
            "last_step": trial.last_step,
        }
        row.update({f"params_{key}": value for key, value in sorted(trial.params.items())})
        for key, value in sorted(trial.user_attrs.items()):
            if isinstance(value, list) and all(not isinstance(v, list) for v in value):
                row.update({f"{key}_{i + 1}": v for i, v in enumerate(value)})
            else:
                row[key] = json.dumps(value) if isinstance(value, (list, dict)) else value
        rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        frame = pd.DataFrame(columns=["number", "state", "value"])
    return frame
