"""The page's prose: its first line (the data and the design) and its sections, each heading
in words with the paragraphs, tables and plots behind it; sections that do not apply to the data
or the design are left out, and no section suggests a flag the command that made it refuses."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from objectives import METRIC
from studies.report._contents import Infos
from studies.report._efficiency import (
    EFFICIENCY_FOLDER,
    efficiency_sentence,
)
from studies.report._info import (
    PlaneInfo,
    one_se_rule,
)
from studies.report._page import (
    Section,
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
    sites_view,
)
from studies.report._saved import NEW_ROWS, Saved
from studies.report._views import (
    SITES,
    SPLIT,
    StudyView,
    design_of,
    heart_data,
    leakage_of,
    task_of,
)


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


def sections_of(
    views: list[StudyView],
    tables: dict[str, pd.DataFrame],
    seed_tables: list[Path],
    images: dict[str, tuple[str, Path]],
    infos: Infos,
    design: str,
    saved: Saved,
) -> list[Section]:
    def pick(*prefixes: str) -> list[tuple[str, Path]]:
        return [image for name, image in images.items() if name.startswith(prefixes)]

    heart = heart_data(views)
    task = task_of(views)
    # What the baseline predicts, and what predict writes, in the task's words.
    constant = task.baseline.described
    written = task.writes
    baseline = baseline_row(views)
    searches = Section(
        "The searches: each model's best trial",
        paragraphs=[
            "CV scores are the best trial's mean over the validation folds (+- their standard "
            "deviation); test scores are its parameters refit on all training rows and scored "
            "once on the test rows"
            + (" (for the hospital design: the held-out site's rows)" if design == SITES else "")
            + "."
            + (
                f" The last row is the baseline every model must beat: {constant}."
                if baseline is not None
                else ""
            )
            + " Every table is also a CSV beside this page."
        ],
        tables=[searches_table(tables["summary"], baseline, task)],
    )
    columns = Section("The columns the models used")
    columns.paragraphs += [
        f"Warning: {sentence[:1].upper()}{sentence[1:]}." for sentence in leakage_of(views)
    ]
    roles = _roles_table(views)
    if not roles.empty:
        columns.paragraphs.append(
            "Each column of the data and what the models made of it: used as a number, one-hot "
            "encoded as categories, or dropped, and why (decided on the training rows)."
        )
        columns.tables.append(roles)
    leans = Section("What the tuned models lean on")
    if "features" in tables:
        shown = tables["features"].columns
        said = ["Each feature's part in the best models, refit on all training rows"]
        regression = not task.classes
        loss = METRIC[task.default_metric].label
        if any(c.endswith(" coefficient") for c in shown):
            said.append(
                "a linear model's coefficient (on standardized features) is the change in the "
                "target, in its own units, per standard deviation; 0 means the penalty removed "
                "the feature"
                if regression
                else "a logistic model's coefficient (on standardized features) is the change in "
                "log-odds per standard deviation; 0 means the penalty removed the feature"
            )
        if any(" importance (" in c for c in shown):
            said.append(
                f"a permutation importance is how much the model's {loss} grows when the "
                "feature's values are shuffled (mean ± sd over 10 shuffles; near 0, the model does "
                "not use it; a category's levels are shuffled one at a time, so its importance is "
                "split between them; not to be confused with 'which parameter mattered', about "
                "the search)"
            )
        if any(v.family and v.family.keras and v.is_default for v in views):
            said.append("the network has neither and is not listed")
        order = (
            "Ordered by the permutation importance, largest first."
            if any(" importance (" in c for c in shown)
            else f"Ordered by the size of {shown[1].removesuffix(' coefficient')}'s coefficient, "
            "either sign."
        )
        leans.paragraphs.append(said[0] + ": " + "; ".join(said[1:]) + ". " + order)
        leans.tables.append(features_view(tables["features"]))
    curves = Section(
        "Which regularization: score against strength",
        paragraphs=[
            "Dots are complete trials (+- the standard error of their mean over folds), crosses "
            "are pruned trials at the mean of the folds they scored. "
            + " ".join(
                f"For {x}: solid lines mark the best {x}; dashed lines {one_se_rule(x)}."
                for x in dict.fromkeys(info.x for info in infos.curves)
            )
        ]
        if infos.curves
        else [],
        images=pick("regularization_curve", "coefficient_path"),
    )
    planes = Section(_planes_title(infos.planes))
    planes.images += pick("plane_")
    comparison = Section(
        "The models compared on the same folds",
        paragraphs=[
            "Paired fold scores of each pair's best trials; Nadeau and Bengio's corrected "
            "resampled t-test (the folds share training rows), Holm's adjustment within each "
            "family of pairs: the default design's, each outer part's or site's, the nested "
            "comparison's (so adding a design leaves the others' p-values as they were). The best "
            "trials were picked on these same folds, so the p-values lean optimistic."
        ],
        tables=[comparison_view(tables["comparison"])],
    )
    seed = Section("The article's grids against the searches")
    if seed_tables or "seed_vs_search" in tables:
        seed.paragraphs.append(
            "The article picked its best cell by test accuracy; the search picks by "
            "cross-validation on the training rows and scores the test rows once."
        )
        seed.tables += [pd.read_csv(path) for path in seed_tables]
        if "seed_vs_search" in tables:
            seed.tables.append(seed_view(tables["seed_vs_search"]))
    elif heart and design != SITES:
        seed.quiet.append("The article's grids: not run (add --reproduce-seed).")
    history = Section(
        "How the searches ran",
        images=pick("optimization_history", "intermediate_", "importances_"),
    )
    honest = Section("Honest estimates: nested cross-validation")
    if "nested" in tables:
        honest.paragraphs.append(
            "Each outer part ran the whole search on its training rows only; its winner, refit "
            "there, scored the part's held-out fold once. The estimates pool those out-of-fold "
            "scores; 'optimism' is the ordinary search's best CV score minus the nested "
            "estimate (positive: the ordinary number flattered the model). Interval methods "
            "are named per row; their coverage is measured by benchmarks/ci_coverage.py."
        )
        honest.tables.append(nested_view(tables["nested"]))
    elif design != SITES:
        honest.quiet.append(
            "Nested cross-validation: not run (add --nested K for honest estimates with intervals)."
        )
    outcome = infos.outcome
    usefulness = Section(
        "Calibration and clinical usefulness"
        if outcome is None
        else "Predictions against the truth"
    )
    if outcome is not None and not outcome.task.classes and "calibration" in tables:
        usefulness.paragraphs.append(
            f"On {outcome.source}: the mean residual (observed minus predicted; 0 when the "
            "predictions are right on average: calibration-in-the-large) and the slope of the "
            "observed on the predicted values (1 is right; below 1 the predictions spread too "
            "far, as an overfit model's do; above 1, too little), each with its 95% interval."
        )
        usefulness.tables.append(regression_calibration_view(tables["calibration"]))
        usefulness.images += pick("predicted_vs_observed", "residuals")
    elif outcome is not None and "calibration" in tables:
        usefulness.paragraphs.append(
            f"On {outcome.source}: which classes each model confuses (rows the true class, "
            "columns the most probable one), and each class's probability checked against "
            "the rest as a binary model's is: calibration intercept (0 is right on average) "
            "and slope with its 95% interval (1 is right; below 1, too extreme; above 1, too "
            "timid)."
        )
        usefulness.tables.append(class_calibration_view(tables["calibration"]))
        usefulness.images += pick("confusion_matrix", "calibration_per_class")
    elif "calibration" in tables:
        usefulness.paragraphs.append(
            f"On {infos.calibrations[0].source}: calibration intercept (0 is right on average) "
            "and slope with its 95% interval (1 is right; below 1, predictions too extreme; "
            "above 1, too timid, squeezed toward the average risk), from a logistic "
            "recalibration of the predicted log-odds; the decision curve compares treating by "
            "the model with treating everyone or no one."
        )
        usefulness.tables.append(calibration_view(tables["calibration"]))
        usefulness.images += pick("calibration_", "decision_curve")
    across = Section("Across hospitals: does the regularization travel?")
    if "sites" in tables:
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
        across.tables.append(sites_view(tables["sites"]))
        across.images += pick("sites_auc")
    missing = Section("Missing values per site and column")
    if "missingness" in tables and not tables["missingness"].empty:
        missing.paragraphs.append(
            "The share of each site's rows with no value in each column; columns missing in "
            "more than half of some site's rows are left out unless --site-features all."
        )
        missing.tables.append(missingness_view(tables["missingness"]))
    sparsity = Section("The sparsity front: score against features kept")
    if "pareto" in tables:
        sparsity.paragraphs.append(
            "The L1 and elastic-net searches with two objectives (--objective SCORE,sparsity): "
            "the CV score up, the mean number of non-zero coefficients of the fold models down. "
            "The front holds the trials no other trial beats on both; each front point's model, "
            "refit on the training rows, names the features it keeps. The choice (a star in the "
            "plot) is the sparsest front point within one standard error of the best score."
        )
        sparsity.tables.append(pareto_view(tables["pareto"]))
        sparsity.images += pick("sparsity_front_")
    engines = Section("Which search finds a good model fastest")
    if infos.efficiency is not None:
        sentence = efficiency_sentence(infos.efficiency.reach)
        engines.paragraphs.append(
            f"Measured by benchmarks/search_efficiency.py (its table: ../{EFFICIENCY_FOLDER}/), "
            "not by this run: every search at the same trial budget on the same folds, without "
            "pruning, over several seeds. " + (sentence or "")
        )
        engines.tables.append(efficiency_view(infos.efficiency.reach))
        engines.images += pick("search_efficiency")
    elif heart and design == SPLIT:
        engines.quiet.append(
            "Search efficiency: not run (python benchmarks/search_efficiency.py compares grid, "
            "random, TPE, GP and Keras Tuner at equal budgets)."
        )
    use = Section("Using the tuned models")
    if not saved.table.empty:
        use.paragraphs.append(
            "Each model above, refit on the training rows with its preprocessing (imputation, "
            "scaling, encoding), is saved in the storage's artifact folder (and in "
            "optuna-dashboard, with download buttons). To score new rows, a CSV with the same "
            f"columns ({NEW_ROWS} here), one row out per row in: {written}. "
            "python -m studies.export --study NAME --to DIR "
            "writes one as a folder with a model card; docs/saved-model.md has the Python API."
        )
        use.tables.append(saved.table)
        use.code += saved.commands
        if saved.others:
            use.quiet.append(
                f"{saved.others} more studies (nested outer parts or held-out sites) keep the "
                "model they scored, used the same way with their own names."
            )
    elif any(view.is_search for view in views):
        use.quiet.append(
            "Saved models: none in this storage (made with --storage memory, --no-test or an "
            "older version); run the same command again to save them: it refits without new "
            "trials."
        )
    return [
        searches,
        use,
        honest,
        across,
        missing,
        curves,
        sparsity,
        planes,
        comparison,
        usefulness,
        columns,
        leans,
        seed,
        history,
        engines,
    ]


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


def _planes_title(planes: list[PlaneInfo]) -> str:
    """The plane plots' heading, naming the parameters drawn."""
    pairs = "; ".join(dict.fromkeys(f"{plane.x} and {plane.y}" for plane in planes))
    return f"Two parameters at once ({pairs})" if pairs else "Two parameters at once"
