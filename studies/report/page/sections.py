"""The page's prose: its first line (the data and the design) and its sections, each heading
in words with the paragraphs, tables and plots behind it; sections that do not apply to the data
or the design are left out, and no section suggests a flag the command that made it refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from objectives import METRIC
from studies.report.contents import Contents
from studies.report.figures import PlotInfo, caption_of
from studies.report.page.html import Section
from studies.report.page.saved import NEW_ROWS, Saved
from studies.report.page.tables import (
    bootstrap_view,
    calibration_view,
    class_calibration_view,
    comparison_view,
    efficiency_view,
    features_view,
    missingness_view,
    nested_view,
    pareto_view,
    regression_calibration_view,
    searches_table,
    seed_view,
    selection_view,
    sites_view,
    spread_view,
)
from studies.report.plots.curve import one_se_rule
from studies.report.plots.plane import PlaneInfo
from studies.report.tables.efficiency import EFFICIENCY_FOLDER
from studies.report.views import StudyView, design_of, heart_data, leakage_of
from studies.report.words.evidence import efficiency_sentence
from studies.trials.protocol import BOOTSTRAP, SITES, SPLIT


def meta_line(views: list[StudyView]) -> str:
    """The page's first line: the data, the design and its studies, the folds."""
    search = next((v for v in views if v.is_search), views[0])
    described = search.study.user_attrs.get("data_description") or (
        f"data sha256 {str(search.protocol.get('data_sha256', '?'))[:12]}"
    )
    folds = search.protocol.get("folds")
    models = list(dict.fromkeys(v.family.name for v in views if v.is_model_study and v.family))
    main = [v.name for v in views if v.is_default]
    parts = [v for v in views if not v.is_default]
    design = design_of(views)
    if design == SITES:
        held_out = sorted({v.part for v in parts})  # one per site, and the search on Cleveland
        studies = (
            f"Design: across hospitals, {len(parts)} studies ({len(models)} models x "
            f"{len(held_out)} parts: each site left out in turn, and tuned on Cleveland)"
        )
    else:
        studies = f"Studies: {', '.join(main)}" + (
            f", and {len(parts)} of the nested design's outer parts" if parts else ""
        )
    return f"Data: {described}. {studies}." + (
        f" {folds}-fold stratified cross-validation inside each." if folds else ""
    )


#: Each plot on the page: its info and the PNG it was drawn into.
Images = list[tuple[PlotInfo, Path]]


def sections_of(contents: Contents, images: Images, saved: Saved) -> list[Section]:
    """The page's sections, in the page's order; each composes its plots (by their names in
    the figure registry), tables and sentences. Empty sections are left out by the writer."""

    def pick(*figures: str) -> list[tuple[str, Path]]:
        return [(caption_of(info), path) for info, path in images if info.figure in figures]

    return [
        _searches(contents),
        _use(contents, saved),
        _honest(contents),
        *_how_sure(contents, pick),
        _across(contents, pick),
        _missing(contents),
        _curves(contents, pick),
        _sparsity(contents, pick),
        _planes(contents, pick),
        _comparison(contents),
        _usefulness(contents, pick),
        _columns(contents),
        _leans(contents),
        _seed(contents),
        Section(
            "How the searches ran",
            images=pick("optimization_history", "importances", "intermediate"),
        ),
        _engines(contents, pick),
    ]


Pick = Callable[..., list[tuple[str, Path]]]


def _searches(contents: Contents) -> Section:
    baseline = baseline_row(contents.views)
    return Section(
        "The searches: each model's best trial",
        paragraphs=[
            "CV scores are the best trial's mean over the validation folds (+- their standard "
            "deviation); "
            + (
                "apparent scores are its parameters refit on every row and scored on the same "
                "rows: they flatter it (the bootstrap section below corrects them)."
                if contents.design == BOOTSTRAP
                else "test scores are its parameters refit on all training rows and scored "
                "once on the test rows"
                + (
                    " (for the hospital design: the held-out site's rows)"
                    if contents.design == SITES
                    else ""
                )
                + "."
            )
            + (
                " The last row is the baseline every model must beat: "
                f"{contents.task.baseline.described}."
                if baseline is not None
                else ""
            )
            + " Every table is also a CSV beside this page."
        ],
        tables=[
            searches_table(
                contents.tables["summary"],
                baseline,
                contents.task,
                apparent=contents.design == BOOTSTRAP,
            )
        ],
    )


def _use(contents: Contents, saved: Saved) -> Section:
    use = Section("Using the tuned models")
    if not saved.table.empty:
        use.paragraphs.append(
            "Each model above, refit on the training rows with its preprocessing (imputation, "
            "scaling, encoding), is saved in the storage's artifact folder under the names "
            "optuna-dashboard lists them by, on each study's page, with download buttons. To "
            f"score new rows, a CSV with the same columns ({NEW_ROWS} here), one row out per row "
            f"in: {contents.task.writes}. python -m studies.export --study NAME --to DIR writes "
            "one as a folder with a model card; docs/saved-model.md has the Python API."
        )
        use.tables.append(saved.table)
        use.code += saved.commands
        if saved.others:
            use.quiet.append(
                f"{saved.others} more studies (nested outer parts or held-out sites) keep the "
                "model they scored, used the same way with their own names."
            )
    elif any(view.is_search for view in contents.views):
        use.quiet.append(
            "Saved models: none in this storage (made with --storage memory, --no-test or an "
            "older version); run the same command again to save them: it refits without new "
            "trials."
        )
    return use


def _honest(contents: Contents) -> Section:
    honest = Section("Honest estimates: nested cross-validation")
    if "nested" in contents.tables:
        honest.paragraphs.append(
            "Each outer part ran the whole search on its training rows only; its winner, refit "
            "there, scored the part's held-out fold once. The estimates pool those out-of-fold "
            "scores; 'optimism' is the ordinary search's best CV score minus the nested "
            "estimate (positive: the ordinary number flattered the model). Interval methods "
            "are named per row; their coverage is measured by benchmarks/ci_coverage.py."
        )
        honest.tables.append(nested_view(contents.tables["nested"]))
    elif contents.design not in (SITES, BOOTSTRAP):
        honest.quiet.append(
            "Nested cross-validation: not run (add --nested K for honest estimates with intervals)."
        )
    return honest


def _how_sure(contents: Contents, pick: Pick) -> list[Section]:
    """The bootstrap design's numbers, each section with what it means above it: the
    optimism-corrected scores; the amount's spread; the features' selection; the predictions'
    and the calibration's instability."""
    scores = Section("How sure? The whole tuning redone on bootstrap samples")
    amount = Section("How sure is the amount? The samples' choices")
    kept = Section("Which features the samples' models keep")
    moves = Section("How far the predictions move from sample to sample")
    results = contents.bootstrap
    if not results:
        return [scores]
    budget, original = results[0].budget
    scores.paragraphs.append(
        f"Each model's search ran once on every row, then again inside each of "
        f"{results[0].n_samples} bootstrap samples (rows drawn with replacement, as many as "
        "there are; within each class for a classifier), with the same search space and "
        + (f"{budget} trials (the original search: {original})" if budget != original
           else f"budget ({budget} trials)")
        + ". Each sample's winner, refit on its sample, was scored on that sample (apparent) "
        "and on every row; the mean difference is the optimism (Harrell's bootstrap), "
        "subtracted from the original model's apparent score to give the corrected one (a "
        "loss's optimism is negative: its apparent value is lower; the 'flattered by' column "
        "says by how much each apparent value flattered the model, positive whatever the "
        "score). The inner cross-validation splits a sample as drawn, repeated rows and all, "
        "as R's rms::validate and pminternal do (docs/how-sure.md). MC SE is the Monte Carlo "
        "standard error of the corrected value: how far another set of samples could move it."
    )  # fmt: skip
    scores.tables.append(bootstrap_view(contents.tables["bootstrap"]))
    if contents.spreads:
        amount.paragraphs.append(
            "The hyperparameters each sample's search chose: the middle 90% of them is how far "
            "a new sample of the same size could move the amount."
        )
        amount.tables.append(spread_view(contents.spreads))
    amount.images += pick("penalty_spread")
    if "selection" in contents.tables:
        kept.paragraphs.append(
            "How often each feature keeps a non-zero coefficient when the tuning is redone: "
            "the stability of the sparsity an L1 penalty gives (features kept in few samples "
            "are there by chance of the rows)."
        )
        kept.tables.append(selection_view(contents.tables["selection"]))
    moves.paragraphs.append(
        "The prediction instability plot (Riley and Collins 2023): each row at its original "
        "model's prediction, the range of the samples' models' predictions above it; a wide "
        "range means the row's prediction depends on which patients happened to be in the "
        "table. instability.csv lists every row's numbers."
    )
    calibrated = pick("calibration_instability")
    if calibrated:
        moves.paragraphs.append(
            "The calibration instability plot draws each sample's model's calibration on every "
            "row: where the faint curves fan out, the risks a model gives there depend on the "
            "sample."
        )
    moves.images += pick("prediction_instability") + calibrated
    return [scores, amount, kept, moves]


def _across(contents: Contents, pick: Pick) -> Section:
    across = Section("Across hospitals: does the regularization travel?")
    if "sites" not in contents.tables:
        return across
    across.paragraphs.append(
        "Leave-one-site-out: each site is held out in turn and scored by models searched and "
        "refit on the other sites' rows; tuned on Cleveland: searched and refit on Cleveland, "
        "scored at each other site. 'Recalibrated' is the common local fix of "
        "calibration-in-the-large, cross-fitted: the shift of the predicted log-odds that "
        "matches the site's rate is fitted on one stratified half of the site's rows and "
        "applied to the other half, and the other way round, so no row is scored by a shift "
        "fitted on it (an estimate of what the fix gains on the site's next patients); "
        "discrimination (AUC) barely changes with it."
    )
    across.paragraphs.append(
        "How to read a site's row: ROC AUC is how well the model ranks that site's patients "
        "(0.5 is chance); the calibration intercept is how far its average predicted risk is "
        "off on the log-odds scale (0 is right, +1 means the predicted odds should be about "
        "2.7 times higher); the slope is how far the predictions spread compared with the "
        "risk (1 is right; above 1 they are bunched too close together, below 1 spread too "
        "far)."
    )
    across.tables.append(sites_view(contents.tables["sites"]))
    across.images += pick("sites_auc")
    return across


def _missing(contents: Contents) -> Section:
    missing = Section("Missing values per site and column")
    table = contents.tables.get("missingness")
    if table is not None and not table.empty:
        missing.paragraphs.append(
            "The share of each site's rows with no value in each column; columns missing in "
            "more than half of some site's rows are left out unless --site-features all."
        )
        missing.tables.append(missingness_view(table))
    return missing


def _curves(contents: Contents, pick: Pick) -> Section:
    curves = contents.curves
    return Section(
        "Which regularization: score against strength",
        paragraphs=[
            "Dots are complete trials (+- the standard error of their mean over folds), crosses "
            "are pruned trials at the mean of the folds they scored. "
            + " ".join(
                f"For {x}: solid lines mark the best {x}; dashed lines {one_se_rule(x)}."
                for x in dict.fromkeys(info.x for info in curves)
            )
        ]
        if curves
        else [],
        images=pick("regularization_curve", "regularization_curve_coloured", "coefficient_path"),
    )


def _sparsity(contents: Contents, pick: Pick) -> Section:
    sparsity = Section("The sparsity front: score against features kept")
    if "pareto" in contents.tables:
        sparsity.paragraphs.append(
            "The L1 and elastic-net searches with two objectives (--objective SCORE,sparsity): "
            "the CV score up, the mean number of non-zero coefficients of the fold models down. "
            "The front holds the trials no other trial beats on both; each front point's model, "
            "refit on the training rows, names the features it keeps. The choice (a star in the "
            "plot) is the sparsest front point within one standard error of the best score."
        )
        sparsity.tables.append(pareto_view(contents.tables["pareto"]))
        sparsity.images += pick("sparsity_front")
    return sparsity


def _planes(contents: Contents, pick: Pick) -> Section:
    planes = [info for info in contents.plots if isinstance(info, PlaneInfo)]
    pairs = "; ".join(dict.fromkeys(f"{plane.x} and {plane.y}" for plane in planes))
    return Section(
        f"Two parameters at once ({pairs})" if pairs else "Two parameters at once",
        images=pick("plane"),
    )


def _comparison(contents: Contents) -> Section:
    return Section(
        "The models compared on the same folds",
        paragraphs=[
            "Paired fold scores of each pair's best trials; Nadeau and Bengio's corrected "
            "resampled t-test (the folds share training rows), Holm's adjustment within each "
            "family of pairs: the default design's, each outer part's or site's, the nested "
            "comparison's (so adding a design leaves the others' p-values as they were). The best "
            "trials were picked on these same folds, so the p-values lean optimistic."
        ],
        tables=[comparison_view(contents.tables["comparison"])],
    )


def _usefulness(contents: Contents, pick: Pick) -> Section:
    """The out-of-sample predictions checked in the task's terms: a binary model's calibration
    and decision curve, a multi-class model's confusions and calibration per class, a
    continuous target's predicted against observed values."""
    task, table, source = contents.task, contents.tables.get("calibration"), contents.source
    if not task.classes:
        section = Section("Predictions against the truth")
        if table is not None:
            section.paragraphs.append(
                f"On {source}: the mean residual (observed minus predicted; 0 when the "
                "predictions are right on average: calibration-in-the-large) and the slope of "
                "the observed on the predicted values (1 is right; below 1 the predictions "
                "spread too far, as an overfit model's do; above 1, too little), each with its "
                "95% interval."
            )
            section.tables.append(regression_calibration_view(table))
        section.images += pick("predicted_vs_observed", "residuals")
        return section
    if task.per_class:
        section = Section("Predictions against the truth")
        if table is not None:
            section.paragraphs.append(
                f"On {source}: which classes each model confuses (rows the true class, "
                "columns the most probable one), and each class's probability checked against "
                "the rest as a binary model's is: calibration intercept (0 is right on average) "
                "and slope with its 95% interval (1 is right; below 1, too extreme; above 1, too "
                "timid)."
            )
            section.tables.append(class_calibration_view(table))
        section.images += pick("confusion_matrix", "calibration_per_class")
        return section
    section = Section("Calibration and clinical usefulness")
    if table is not None:
        section.paragraphs.append(
            f"On {source}: calibration intercept (0 is right on average) "
            "and slope with its 95% interval (1 is right; below 1, predictions too extreme; "
            "above 1, too timid, squeezed toward the average risk), from a logistic "
            "recalibration of the predicted log-odds; the decision curve compares treating by "
            "the model with treating everyone or no one."
        )
        section.tables.append(calibration_view(table))
        section.images += pick("calibration", "decision_curve")
    return section


def _columns(contents: Contents) -> Section:
    columns = Section("The columns the models used")
    columns.paragraphs += [
        f"Warning: {sentence[:1].upper()}{sentence[1:]}." for sentence in leakage_of(contents.views)
    ]
    roles = _roles_table(contents.views)
    if not roles.empty:
        columns.paragraphs.append(
            "Each column of the data and what the models made of it: used as a number, one-hot "
            "encoded as categories, or dropped, and why (decided on the training rows)."
        )
        columns.tables.append(roles)
    return columns


def _leans(contents: Contents) -> Section:
    leans = Section("What the tuned models lean on")
    if "features" not in contents.tables:
        return leans
    task = contents.task
    shown = contents.tables["features"].columns
    said = ["Each feature's part in the best models, refit on all training rows"]
    loss = METRIC[task.default_metric].label
    if any(c.endswith(" coefficient") for c in shown):
        said.append(
            "a linear model's coefficient (on standardized features) is the change in the "
            "target, in its own units, per standard deviation; 0 means the penalty removed "
            "the feature"
            if not task.classes
            else "a logistic model's coefficient (on standardized features) is the change in "
            "log-odds per standard deviation; 0 means the penalty removed the feature"
        )
    importance = any(" importance (" in c for c in shown)
    if importance:
        said.append(
            f"a permutation importance is how much the model's {loss} grows when the "
            "feature's values are shuffled (mean ± sd over 10 shuffles; near 0, the model does "
            "not use it; a category's levels are shuffled one at a time, so its importance is "
            "split between them; not to be confused with 'which parameter mattered', about "
            "the search)"
        )
    if any(v.family and v.family.keras and v.is_default for v in contents.views):
        said.append("the network has neither and is not listed")
    # The table's first model column orders it: the first default search whose column it is.
    first = next(
        (v.model for v in contents.views if v.is_default and shown[1] == f"{v.model} coefficient"),
        "the first model",
    )
    order = (
        "Ordered by the permutation importance, largest first."
        if importance
        else f"Ordered by the size of {first}'s coefficient, either sign."
    )
    leans.paragraphs.append(said[0] + ": " + "; ".join(said[1:]) + ". " + order)
    leans.tables.append(features_view(contents.tables["features"]))
    return leans


def _seed(contents: Contents) -> Section:
    seed = Section("The article's grids against the searches")
    if contents.seed_tables or "seed_vs_search" in contents.tables:
        seed.paragraphs.append(
            "The article picked its best cell by test accuracy; the search picks by "
            "cross-validation on the training rows and scores the test rows once."
        )
        seed.tables += [pd.read_csv(path) for path in contents.seed_tables]
        if "seed_vs_search" in contents.tables:
            seed.tables.append(seed_view(contents.tables["seed_vs_search"]))
    elif heart_data(contents.views) and contents.design != SITES:
        seed.quiet.append("The article's grids: not run (add --reproduce-seed).")
    return seed


def _engines(contents: Contents, pick: Pick) -> Section:
    engines = Section("Which search finds a good model fastest")
    measured = contents.efficiency
    if measured is not None:
        sentence = efficiency_sentence(measured.reach)
        engines.paragraphs.append(
            f"Measured by benchmarks/search_efficiency.py (its table: ../{EFFICIENCY_FOLDER}/), "
            "not by this run: every search at the same trial budget on the same folds, without "
            "pruning, over several seeds. " + (sentence or "")
        )
        engines.tables.append(efficiency_view(measured.reach))
        engines.images += pick("search_efficiency")
    elif heart_data(contents.views) and contents.design == SPLIT:
        engines.quiet.append(
            "Search efficiency: not run (python benchmarks/search_efficiency.py compares grid, "
            "random, TPE, GP and Keras Tuner at equal budgets)."
        )
    return engines


def baseline_row(views: list[StudyView]) -> dict[str, object] | None:
    """The baseline's scores (``objectives.baseline``), as stored on the default design's
    searches (or, in the hospital design, on none: each part has its own)."""
    for view in views:
        if view.is_search and view.is_default and view.study.user_attrs.get("baseline"):
            return dict(view.study.user_attrs["baseline"])
    return None


def _roles_table(views: list[StudyView]) -> pd.DataFrame:
    """Each column's role and share of missing values, as the run stored them."""
    for view in views:
        roles = view.study.user_attrs.get("data_roles")
        if view.is_model_study and roles:
            return pd.DataFrame(
                {
                    "column": [r[0] for r in roles],
                    "what the models made of it": [r[1] for r in roles],
                    "missing": [f"{100 * float(r[2]):.1f}%" for r in roles],
                }
            )
    return pd.DataFrame()
