"""What a report is made of, computed once from the stored studies for the page and the
dashboard alike: its tables, the info object of every plot it draws (in the figure registry's
order), and what the sentences need (:class:`Contents`); and what it wrote and said
(:class:`Report`). Nothing here writes a file or draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from objectives import Task
from studies.report.figures import FIGURES, PlotInfo
from studies.report.plots import (
    calibration,
    calinstability,
    class_calibration,
    confusion,
    curve,
    decision,
    efficiency,
    front,
    history,
    importances,
    instability,
    intermediate,
    path,
    plane,
    predicted,
    residuals,
    sites,
    spread,
)
from studies.report.plots.style import colours_of
from studies.report.tables.bootstrap import (
    Bootstrap,
    Spread,
    bootstrap_results,
    bootstrap_table,
    instability_table,
    params_table,
    selection_table,
    spreads,
)
from studies.report.tables.calibration import (
    calibration_table,
    class_calibration_table,
    regression_calibration_table,
)
from studies.report.tables.comparison import comparison_table
from studies.report.tables.edges import edge_flags
from studies.report.tables.efficiency import read_efficiency
from studies.report.tables.features import features_table
from studies.report.tables.nested import (
    Nested,
    nested_results,
    nested_table,
    out_of_sample,
    outer_comparisons,
)
from studies.report.tables.pareto import pareto_table
from studies.report.tables.seed import seed_vs_search_table
from studies.report.tables.sites import missingness_table, site_table
from studies.report.tables.summary import summary_table
from studies.report.views import StudyView, design_of, task_of
from studies.trials.protocol import BOOTSTRAP, REPLICATE


@dataclass
class Report:
    """What was written, what the numbers say, and what was not run."""

    out: Path
    files: list[Path] = field(default_factory=list)
    not_run: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    #: One recommendation per question, in plain words (:mod:`studies.report.words.answer`).
    answer: list[str] = field(default_factory=list)
    #: What the numbers say: the evidence behind the answer, tests and intervals included.
    evidence: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Contents:
    """Everything a report shows, computed from the stored studies.

    Attributes:
        views: the prefix's studies.
        task: their task; design: the outer design (``studies.run.design``).
        metric: the metric the searches optimized.
        tables: each CSV table by its name (``<name>.csv``).
        within: the comparisons within each search's own folds (``tables["comparison"]`` adds
            the nested design's outer-fold comparisons).
        nested: each model's nested-CV results (empty without a nested run).
        source: the rows the out-of-sample plots score (nested out-of-fold or the test rows).
        plots: every plot's info object, in the registry's order.
        flags: the searches whose best value lies at an edge of the search space.
    """

    views: list[StudyView]
    task: Task
    design: str
    metric: str
    tables: dict[str, pd.DataFrame]
    within: pd.DataFrame
    nested: list[Nested]
    source: str
    plots: list[PlotInfo]
    flags: list[str]
    #: The article's grids' tables the run wrote into the report folder (``--reproduce-seed``).
    seed_tables: list[Path] = field(default_factory=list)
    #: The bootstrap design's results per model (``--bootstrap B``), and the spread of each
    #: hyperparameter the samples chose.
    bootstrap: list[Bootstrap] = field(default_factory=list)
    spreads: list[Spread] = field(default_factory=list)

    def infos(self, *figures: str) -> list[PlotInfo]:
        """The plots of the registry's ``figures``, in order."""
        return [info for info in self.plots if info.figure in figures]

    @property
    def curves(self) -> list[curve.CurveInfo]:
        return [info for info in self.plots if isinstance(info, curve.CurveInfo)]

    @property
    def calibrations(self) -> list[calibration.CalibrationPanel]:
        """Each binary model's calibration panel."""
        return [
            panel
            for info in self.plots
            if isinstance(info, calibration.CalibrationInfo)
            for panel in info.panels
        ]

    @property
    def fronts(self) -> list[front.FrontInfo]:
        return [info for info in self.plots if isinstance(info, front.FrontInfo)]

    @property
    def efficiency(self) -> efficiency.EfficiencyInfo | None:
        return next((i for i in self.plots if isinstance(i, efficiency.EfficiencyInfo)), None)


def contents_of(every: list[StudyView], reports_root: Path) -> Contents:
    """The report of ``every`` study (at least one), computed; ``reports_root`` is where
    ``benchmarks/search_efficiency.py`` leaves its table. The bootstrap samples' searches count
    only in the bootstrap's tables and plots: every other table, plot and sentence reads the
    other studies."""
    views = [view for view in every if view.role != REPLICATE]
    boot = bootstrap_results(every)
    nested = nested_results(views)
    within = comparison_table(views)
    task = task_of(views)
    metric = next((v.metric for v in views if v.is_search), task.default_metric)
    source, predictions = out_of_sample(views, nested)
    if design_of(views) == BOOTSTRAP and not boot:
        predictions = {}  # the refits were scored on their own rows: nothing to calibrate on
    if boot:
        # The original models scored the rows they were fitted on: their calibration is drawn on
        # each row's mean prediction by the samples' models that left it out.
        source = (
            "the bootstrap samples' models, out of the bag (each row's mean prediction by the "
            "models that never saw it: an average of many models, not the recommended one)"
        )
        predictions = {result.model: result.out_of_bag() for result in boot}
    colours = colours_of(views)
    classes = _classes(views)
    predicted_by = [
        v.name for v in views if v.is_search and (v.model in predictions or v.label in predictions)
    ]
    tables: dict[str, pd.DataFrame] = {
        "summary": summary_table(views),
        "comparison": pd.concat([within, outer_comparisons(nested, metric)], ignore_index=True)
        if nested
        else within,
    }
    seed_vs_search = seed_vs_search_table(views)
    if not seed_vs_search.empty:  # the article's grids were run (--reproduce-seed)
        tables["seed_vs_search"] = seed_vs_search
    if nested:
        tables["nested"] = nested_table(nested)
    features = features_table(views)
    if len(features.columns) > 2 or any(" importance (" in c for c in features.columns):
        # Two or more models side by side, or a permutation importance (a lone coefficient
        # column repeats the coefficient path).
        tables["features"] = features
    # Each task's own plots (Task.plots) and its calibration table.
    panels = (
        calibration.calibration_panels(source, predictions) if "calibration" in task.plots else []
    )
    if panels:
        tables["calibration"] = calibration_table(
            source, {panel.model: panel.calibration for panel in panels}
        )
    usable = {m: yp for m, yp in predictions.items() if len(yp[0]) >= 3}
    if usable and "predicted_vs_observed" in task.plots:
        tables["calibration"] = regression_calibration_table(source, usable)
    if usable and "calibration_per_class" in task.plots:
        tables["calibration"] = class_calibration_table(source, usable, classes)
    fronts = front.infos(views)
    if fronts:
        tables["pareto"] = pareto_table([info.front for info in fronts])
    hospitals = site_table(views)
    if not hospitals.empty:
        tables["sites"] = hospitals
        tables["missingness"] = missingness_table(views)
    measured = read_efficiency(reports_root)
    found = spreads(boot)
    if boot:
        tables["bootstrap"] = bootstrap_table(boot)
        tables["bootstrap_params"] = params_table(boot)
        tables["instability"] = instability_table(boot)
        selected = selection_table(boot)
        if not selected.empty:
            tables["selection"] = selected
    outcome = (task, source, predictions, tuple(classes), colours)
    drawn: list[PlotInfo | None] = [
        history.info(views),
        *curve.infos(views),
        *path.infos(views),
        *plane.infos(views),
        *intermediate.infos(views),
        *importances.infos(views),
        calibration.info(panels, colours, predicted_by),
        decision.info(source, predictions, colours) if "decision_curve" in task.plots else None,
        confusion.info(*outcome),
        class_calibration.info(*outcome),
        predicted.info(*outcome),
        residuals.info(*outcome),
        sites.info(hospitals),
        *fronts,
        efficiency.info(measured) if measured is not None else None,
        spread.info(boot, found, colours) if boot else None,
        instability.info(boot, colours) if boot else None,
        calinstability.info(boot, colours) if boot else None,
    ]
    order = list(FIGURES)
    plots = sorted((i for i in drawn if i is not None), key=lambda i: order.index(i.figure))
    return Contents(
        views=views,
        task=task,
        design=design_of(views),
        metric=metric,
        tables=tables,
        within=within,
        nested=nested,
        source=source,
        plots=plots,
        flags=edge_flags(views),
        bootstrap=boot,
        spreads=found,
    )


def _classes(views: list[StudyView]) -> list[str]:
    """The class labels the studies recorded (a multi-class target's, in class order)."""
    for view in views:
        classes = view.study.user_attrs.get("classes")
        if classes:
            return [str(c) for c in classes]
    return []
