"""Where each study's saved model is, and the one command that uses it (``studies.saved``)."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass

import optuna
import pandas as pd
from sqlalchemy.engine import make_url

from studies.report.views import StudyView
from studies.saved.store import SAVED_ATTR, artifact_name
from studies.trials.protocol import DEFAULT, FROM_CLEVELAND
from studies.trials.storage import DEFAULT_STORAGE

#: The rows the command reads in the page's examples.
NEW_ROWS = "new.csv"


def storage_flag(storage: optuna.storages.BaseStorage) -> str:
    """`` --storage URL`` for a storage other than the default (its password hidden), else ""."""
    url = getattr(storage, "url", None)
    if not url or url == DEFAULT_STORAGE:
        return ""
    shown = make_url(url).render_as_string(hide_password=True)
    return f" --storage {shlex.quote(shown)}"


def predict_command(name: str, storage: optuna.storages.BaseStorage) -> str:
    return f"python -m studies.predict --study {name} --data {NEW_ROWS}{storage_flag(storage)}"


def saved_views(views: Sequence[StudyView]) -> list[StudyView]:
    """The searches with a saved model."""
    return [v for v in views if v.is_search and v.study.user_attrs.get(SAVED_ATTR)]


@dataclass(frozen=True)
class Saved:
    """The saved models a user would take: the default design's, and those tuned on Cleveland.

    Attributes:
        table: model, study, the trial refit (Optuna's number, as the dashboard shows it), each
            file as the dashboard's artifact list names it (file name and artifact id), and the
            artifact store's folder.
        commands: the command that scores new rows with each.
        others: how many other studies (nested outer parts, held-out sites) keep one too.
    """

    table: pd.DataFrame
    commands: list[str]
    others: int


def saved_models(views: Sequence[StudyView], storage: optuna.storages.BaseStorage) -> Saved:
    rows, commands, others = [], [], 0
    for view in saved_views(views):
        if view.role not in (DEFAULT, FROM_CLEVELAND):
            others += 1
            continue
        record = view.study.user_attrs[SAVED_ATTR]
        trial = int(record["trial"])
        rows.append(
            {
                "model": view.label,
                "study": view.name,
                "refit of trial": trial,
                "artifacts (file name: id)": "; ".join(
                    f"{artifact_name(trial, name)}: {artifact_id}"
                    for name, artifact_id in sorted(dict(record["artifacts"]).items())
                ),
                "artifact folder": record["store"],
            }
        )
        commands.append(predict_command(view.name, storage))
    return Saved(pd.DataFrame(rows), commands, others)


def use_sentence(top: StudyView | None, storage: optuna.storages.BaseStorage) -> list[str]:
    """The answer's last sentence: how to use the recommended model on new rows."""
    if top is None or not top.study.user_attrs.get(SAVED_ATTR):
        return []
    return [
        f"To score new rows with it: {predict_command(top.name, storage)} (a CSV with the same "
        "columns; see 'Using the tuned models')."
    ]
