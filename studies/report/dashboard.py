"""What optuna-dashboard shows of a report: each study's note (the answer, the evidence, the
tables and the study's own protocol) and the plots as plotly figures, drawn from the same info
objects as the PNGs."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import optuna
import pandas as pd

from studies.report.contents import Contents, Report
from studies.report.figures import PlotInfo, file_of, plotly_figure
from studies.report.page.saved import Saved
from studies.report.page.sections import baseline_row
from studies.report.page.tables import searches_table, seed_view
from studies.report.views import StudyView


def markdown_table(table: pd.DataFrame) -> str:
    """A pipe table (optuna-dashboard renders notes as Markdown)."""
    if table.empty:
        return "_(none)_"
    header = "| " + " | ".join(str(c) for c in table.columns) + " |"
    rule = "|" + "---|" * len(table.columns)
    rows = [
        "| " + " | ".join(_cell(v) for v in row) + " |" for row in table.itertuples(index=False)
    ]
    return "\n".join([header, rule, *rows])


def _cell(value: object) -> str:
    if isinstance(value, float | np.floating):
        return "" if np.isnan(value) else f"{value:.3f}"
    return "" if value is None or value is pd.NA else str(value)


#: How the note's numbers read beside the dashboard's own, said in every study's note.
NUMBERING = (
    "Trials are numbered as the dashboard numbers them (Optuna's trial number, from 0), in the "
    "report and the plots below alike. The dashboard's own cards show Optuna's unrounded "
    "values; the plots below round to 3 decimals, as the report does."
)


def protocol_table(protocol: dict[str, Any]) -> pd.DataFrame:
    """The stored protocol as rows a person reads: one setting per row, nested settings as
    ``split: test_size``, the search space as ranges, lists joined."""
    rows = []
    for key, value in protocol.items():
        if key == "space" and isinstance(value, dict):
            rows += [(f"search space: {name}", _distribution(text)) for name, text in value.items()]
        elif isinstance(value, dict):
            rows += [(f"{key}: {name}", _setting(item)) for name, item in value.items()]
            if not value:
                rows.append((key, "none"))
        else:
            rows.append((key, _setting(value)))
    return pd.DataFrame(rows, columns=["setting", "value"])


def _distribution(text: object) -> str:
    """A stored distribution (Optuna's JSON) as ``low to high, log scale``."""
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
        json_to_distribution,
    )

    try:
        dist = json_to_distribution(str(text))
    except (ValueError, KeyError, TypeError):
        return _setting(text)
    if isinstance(dist, FloatDistribution | IntDistribution):
        described = f"{dist.low:g} to {dist.high:g}" + (", log scale" if dist.log else "")
        return described + (f", step {dist.step:g}" if dist.step else "")
    if isinstance(dist, CategoricalDistribution):
        return "one of " + ", ".join(str(choice) for choice in dist.choices)
    return _setting(text)


def _setting(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(_setting(item) for item in value) if value else "none"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_setting(v)}" for k, v in value.items()) if value else "none"
    if isinstance(value, float):
        return f"{value:g}"
    return "none" if value is None or value == "" else str(value)


def _escape(text: str) -> str:
    """A Markdown table cell: a pipe would end it."""
    return text.replace("|", "\\|").replace("\n", " ")


def study_note(view: StudyView) -> str:
    """What a study's own note adds to the run's: the numbering, and its protocol as a table
    (the raw ``protocol`` attribute stays, for tools; the dashboard cuts it at the card's edge)."""
    parts = [f"## This study: {view.name}", NUMBERING]
    if view.protocol:
        table = protocol_table(view.protocol)
        parts += [
            "### Its protocol (what its trials' values depend on)",
            markdown_table(table.map(_escape)),
        ]
    return "\n\n".join(parts)


def _saved_note(saved: Saved) -> list[str]:
    """The commands that use the saved models (their files are the studies' artifacts, named by
    the dashboard's trial numbers, so the note names no trial)."""
    if saved.table.empty:
        return []
    return [
        "### Using the tuned models",
        "Each model's files are in the study's artifacts (below, with download buttons). Score "
        "new rows, a CSV with the same columns:",
        "```\n" + "\n".join(saved.commands) + "\n```",
    ]


def save_dashboard_notes(contents: Contents, report: Report, saved: Saved) -> None:
    """Each study's note in optuna-dashboard: the answer, the tables, its own protocol; and on
    each study's page the report's plots about it (every plot about the whole run, a model's
    own plots on its studies), as plotly figures drawn from the same info objects as the PNGs,
    each under its registry name (plus what it is drawn for)."""
    import optuna_dashboard

    views, tables = contents.views, contents.tables
    seed = tables.get("seed_vs_search", pd.DataFrame())
    note = "\n\n".join(
        [
            "## The answer",
            "\n".join(f"- {sentence}" for sentence in report.answer),
            "## What the numbers say: the evidence",
            "\n".join(f"- {sentence}" for sentence in report.evidence),
            "### The searches: each model's best trial",
            markdown_table(searches_table(tables["summary"], baseline_row(views), contents.task)),
            "### The models compared on the same folds",
            markdown_table(tables["comparison"][["model_a", "model_b", "verdict"]]),
            "### The article's grids against the searches",
            markdown_table(seed_view(seed)) if not seed.empty else "_not run (--reproduce-seed)_",
            *_saved_note(saved),
            f"Full report: `{report.out / 'index.html'}`",
        ]
    )
    figures = {file_of(info): plotly_figure(info) for info in contents.plots}
    with warnings.catch_warnings():
        # optuna-dashboard's note API goes through Optuna's experimental system attributes.
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        for view in views:
            optuna_dashboard.save_note(view.study, f"{note}\n\n{study_note(view)}")
            for info in contents.plots:
                if not info.studies or view.name in info.studies:
                    optuna_dashboard.save_plotly_graph_object(
                        view.study,
                        figures[file_of(info)],
                        graph_object_id=graph_id(info),
                    )


def graph_id(info: PlotInfo) -> str:
    """A plot's id on a study's dashboard page: its PNG's file stem."""
    return file_of(info).removesuffix(".png")
