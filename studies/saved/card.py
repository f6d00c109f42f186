"""The model card of an exported model: ``MODEL_CARD.md``, for a clinician or a reviewer.

It follows the items of TRIPOD+AI (Collins et al., BMJ 2024) that the tool knows from its own
records (data, predictors, outcome, missing data, the model and its tuning, performance with
intervals, calibration, clinical usefulness, limitations it can measure) and lists those only the
author can fill (the clinical setting, the participants' eligibility and dates, the outcome's
definition and blinding, the intended users, funding and conflicts).
"""

from __future__ import annotations

import math
from typing import Any

from objectives import METRIC, task_named
from studies.saved.manifest import test_rows_label
from studies.trials.protocol import BOOTSTRAP

#: TRIPOD+AI items only the model's author can fill in.
AUTHOR_ITEMS = (
    "the clinical question, setting and intended use (who uses the predictions, for whom, when)",
    "the source of data: study design, dates of recruitment and follow-up, eligibility criteria",
    "how and when the outcome was assessed, and whether assessors knew the predictors",
    "how and when each predictor was measured, and whether assessors knew the outcome",
    "the sample size's justification for the intended use",
    "handling of patients lost to follow-up, and of fairness across patient groups",
    "ethics approval, registration, funding and conflicts of interest",
    "how the model should be updated, monitored and, if needed, withdrawn",
)


def _num(value: Any, digits: int = 3) -> str:
    if _missing(value):
        return "n/a"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def _interval(low: Any, high: Any, digits: int = 3) -> str:
    return f"[{_num(low, digits)}, {_num(high, digits)}]"


def sites_sentence(manifest: dict[str, Any]) -> str:
    """How to read the hospitals' table: whose model each row is."""
    design = manifest["design"]
    if design.get("held_out"):
        return (
            "Leave-one-site-out: each row is the same search run and refit on the other sites, "
            f"scored on the site held out; this model is the {design['held_out']} row, the "
            "others show how far its procedure travels."
        )
    return "Tuned on Cleveland: every row is this model, scored at a site it never saw."


def _target_sentence(manifest: dict[str, Any]) -> str:
    """What the model predicts, in the task's words."""
    target = manifest["target"]
    task = task_named(target.get("task"))
    column = f"`{target['column']}`"
    if not task.classes:
        return f"{manifest['model']} predicting the value of {column} (a quantity)"
    if task.per_class:
        classes = ", ".join(f"**{c}**" for c in target.get("classes", []))
        return (
            f"{manifest['model']} predicting the probability of each class of {column} ({classes})"
        )
    return (
        f"{manifest['model']} predicting the probability that {column} is "
        f"**{target['positive']}** (otherwise: {target['negative']})"
    )


def _training_share(manifest: dict[str, Any]) -> str:
    """The training rows' prevalence, class shares or mean, in words."""
    data, target = manifest["data"], manifest["target"]
    share = data["training_prevalence"]
    if isinstance(share, dict):
        return ", ".join(f"{100 * float(v):.0f}% {k}" for k, v in share.items())
    if not task_named(target.get("task")).classes:
        return f"mean {target['column']} {_num(share, 3)}"
    return f"{100 * float(share):.0f}% {target['positive']}"


def _performance(manifest: dict[str, Any], extra: dict[str, Any]) -> list[str]:
    """One row per score: cross-validation, the held-out rows with intervals, nested CV."""
    scores = manifest["scores"]
    cv = scores["cv"]
    held = {item["name"]: item for item in scores.get("held_out") or []}
    nested = extra.get("nested") or {}
    test = scores.get("test")
    columns = [f"cross-validation ({scores['cv_folds']} folds; optimistic: the folds chose it)"]
    # The bootstrap design's refit was scored on the rows it was fitted on: no interval, and
    # the corrected scores are in its own table below.
    apparent = manifest["design"].get("design") == BOOTSTRAP
    if test:
        columns.append(
            test_rows_label(manifest)
            if apparent
            else f"{test_rows_label(manifest)}, scored once [95% CI]"
        )
    if nested:
        parts = next(iter(nested.values()))["parts"]
        columns.append(f"nested cross-validation ({parts} outer parts; honest) [95% CI]")
    lines = ["| score | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    # The task's order (the manifest's JSON keeps keys sorted), then the held-out extras.
    task = task_named(manifest["target"].get("task"))
    ordered = [name for name in task.metric_names if name in cv]
    names = [*ordered, *(name for name in held if name not in ordered)]
    for name in names:
        label = held[name]["label"] if name in held else METRIC[name].label
        cells = []
        cells.append(f"{_num(cv[name]['mean'])} ± {_num(cv[name]['sd'])}" if name in cv else "")
        if test:
            item = held.get(name)
            cells.append(
                f"{_num(item['estimate'])} {_interval(item['low'], item['high'])}"
                if item and not _missing(item["low"]) and not apparent
                else _num(item["estimate"])
                if item
                else _num(test.get(name))
            )
        if nested:
            value = nested.get(name)
            cells.append(
                f"{_num(value['estimate'])} {_interval(value['low'], value['high'])}"
                if value
                else ""
            )
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    methods = sorted(
        {item["method"] for item in held.values() if item["method"] != "no interval"}
        if not apparent
        else set()
    )
    lines += [
        "",
        "Intervals are 95%"
        + (f" (held-out rows: {', '.join(methods)})" if methods else "")
        + "; nested intervals as the tool's methods page describes (docs/methods.md).",
    ]
    return lines


def _calibration(manifest: dict[str, Any], extra: dict[str, Any]) -> list[str]:
    """The calibration section, in the task's terms."""
    calib = extra.get("calibration") or manifest["scores"].get("calibration")
    if not calib:
        return ["No held-out rows scored this model: no calibration to report."]
    on = calib.get("on", "")
    kind = calib.get("kind", "logistic")
    if kind == "mean residual and slope":
        low, high = calib["mean_residual_95ci"]
        return [
            f"On {on}: mean residual (observed minus predicted) {_num(calib['mean_residual'])} "
            f"{_interval(low, high)} (0 is right on average), slope of the observed on the "
            f"predicted values {_num(calib['slope'], 2)} "
            f"{_interval(calib['slope_95ci'][0], calib['slope_95ci'][1], 2)} (1 is right; below "
            "1 the predictions spread too far, above 1 too little). The plot: `calibration.png`."
        ]
    if kind == "per class, one against the rest":
        labels = manifest["target"].get("classes", [])
        rows = [
            f"| {label} | {_num(c['intercept'], 2)} | {_num(c['slope'], 2)} "
            f"{_interval(c['slope_95ci'][0], c['slope_95ci'][1], 2)} | {c.get('note', '')} |"
            for label, c in zip(labels, calib["classes"], strict=True)
        ]
        return [
            f"On {on}, each class's probability against the rest: calibration intercept (0 is "
            "right on average) and slope (1 is right; below 1 too extreme, above 1 too timid). "
            "The plot: `calibration.png`.",
            "",
            "| class | intercept | slope [95% CI] | note |",
            "|---|---|---|---|",
            *rows,
        ]
    return [
        f"On {on}: calibration intercept {_num(calib['intercept'], 2)} (0 is right "
        f"on average), slope {_num(calib['slope'], 2)} "
        f"{_interval(calib['slope_95ci'][0], calib['slope_95ci'][1], 2)} (1 is right; below "
        "1 the predictions are too extreme, above 1 too timid). The plot: `calibration.png`."
    ]


def _bootstrap(boot: dict[str, Any]) -> list[str]:
    """The bootstrap's table (TRIPOD+AI: internal validation): per score the apparent value,
    the optimism, the corrected value and its Monte Carlo standard error; the hyperparameters'
    spread over the samples; how far the predictions move."""
    scores = boot["scores"]
    samples = boot["samples"]
    lines = [
        f"The search was redone inside each of {samples} bootstrap samples of the rows (Harrell's "
        "optimism correction): apparent is this model on the rows it was fitted on; the "
        "optimism is each sample's model on its own sample minus on all the rows, averaged "
        "(negative for a loss, whose apparent value is lower); corrected is the apparent value "
        "minus the optimism, the estimate for new rows from the same population; 'flattered "
        "by' says how much the apparent value flattered the model, positive whatever the score "
        "(n/a for the calibration, where neither way is better).",
        "",
        "| score | apparent | optimism | flattered by | optimism-corrected | Monte Carlo SE |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {name} | {_num(v['apparent'])} | {_num(v['optimism'])} | "
        f"{_num(v.get('flattered_by'))} | {_num(v['corrected'])} | {_num(v['mc_se'])} |"
        for name, v in scores.items()
    ]
    spread = boot.get("spread") or []
    if spread:
        said = "; ".join(
            f"{s['param']} = {s['original']:.3g} here, {s['low']:.3g} to {s['high']:.3g} in 90% "
            "of the samples"
            for s in spread
        )
        lines += ["", f"How sure the amount is: {said}."]
    if boot.get("mape") is not None:
        lines += [
            "",
            f"Prediction instability: redone on a sample, the tuning moves a row's prediction by "
            f"{_num(boot['mape'])} on average (mean absolute prediction error, Riley and Collins "
            "2023).",
        ]
    return lines


def model_card(manifest: dict[str, Any], extra: dict[str, Any]) -> str:
    """The card's Markdown. ``extra`` holds what only the whole storage knows: ``nested`` (per
    score, estimate and interval), ``sites`` (rows of the sites table for this model),
    ``calibration`` (on the nested predictions), ``useful_thresholds`` (the decision curve's
    ranges where a binary model beats treating everyone and no one), ``report`` (where the full
    report is)."""
    data = manifest["data"]
    task = task_named(manifest["target"].get("task"))
    scores = manifest["scores"]
    search, columns = manifest["search"], manifest["columns"]
    used = [r for r in columns["roles"] if not str(r[1]).startswith("dropped")]
    dropped = [r for r in columns["roles"] if str(r[1]).startswith("dropped")]
    returns = (
        "a value"
        if not task.classes
        else "a probability per class"
        if task.per_class
        else ("a probability")
    )
    lines = [
        f"# Model card: {manifest['study']}",
        "",
        f"{_target_sentence(manifest)}, tuned and exported by this tool (version "
        f"{manifest['versions'].get('tool (heart-regularization)', '?')}) on "
        f"{manifest['saved']}. Items marked *author* must be written by whoever deploys it.",
        "",
        "## Intended use",
        "",
        "- What the tool knows: the model scores rows with the columns below, read as the "
        f"training table's were, and returns {returns}; `python -m studies.predict --model "
        'THIS_FOLDER --data ROWS.csv`, or `studies.load_model("THIS_FOLDER")` in Python.',
        "- *Author*: the clinical question, the patients it is meant for, who acts on it and how.",
        "",
        "## Data",
        "",
        f"- Source: {data['description']}"
        + ("" if data["sha256"][:12] in data["description"] else f" (sha256 {data['sha256'][:12]})")
        + ".",
        f"- Trained on {data['training_rows']} rows, {_training_share(manifest)}"
        + (f", from {', '.join(data['sites'])}" if data.get("sites") else "")
        + f"; design part: {manifest['design']['role']}"
        + (
            f" (held out: {manifest['design']['held_out']})"
            if manifest["design"]["held_out"]
            else ""
        )
        + ".",
        f"- Predictors ({len(used)}): "
        + ", ".join(f"{r[0]} ({r[1]}, {100 * float(r[2]):.0f}% missing)" for r in used)
        + ".",
        *(
            ["- Left out: " + "; ".join(f"{r[0]} ({str(r[1])[9:-1]})" for r in dropped) + "."]
            if dropped
            else []
        ),
        "- Missing values: imputed from the training rows (median for numbers, most frequent "
        "level for categories; inside each fold during the search), never from the rows being "
        "scored.",
        "",
        "## Model and its tuning",
        "",
        f"- Model: {manifest['model']}, parameters "
        + ", ".join(
            f"{k} = {v:.3g}" if isinstance(v, float) else f"{k} = {v}"
            for k, v in manifest["parameters"].items()
        )
        + ".",
        f"- Tuning: {search['engine']} search of {', '.join(search['space'])}, "
        f"{search['trials']} trials, {search['folds']}-fold "
        + ("stratified " if task.classes else "shuffled ")
        + f"cross-validation (seed {search['fold_seed']}), selecting by "
        + search["metric"].replace("_", " ")
        + (f"; solver {search['solver']}" if search.get("solver") else "")
        + ". The winner was refit on all its training rows.",
        "",
        "## Performance",
        "",
        *_performance(manifest, extra),
    ]
    test = scores.get("test")
    nested = extra.get("nested")
    sites = extra.get("sites") or []
    if sites:
        lines += [
            "",
            "### Across hospitals",
            "",
            sites_sentence(manifest),
            "",
            "| held-out site | rows | prevalence | ROC AUC [95% CI] | calibration intercept "
            "| slope |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {s['site']}{' (unstable)' if s['unstable'] else ''}"
            f"{' (this model)' if s['site'] == manifest['design']['held_out'] else ''} | "
            f"{s['n']} | "
            f"{_num(s['prevalence'], 2)} | {_num(s['roc_auc'])} "
            f"{_interval(s['auc_low'], s['auc_high'])} | {_num(s['cal_intercept'], 2)} | "
            f"{_num(s['cal_slope'], 2)} |"
            for s in sites
        ]
    boot = extra.get("bootstrap") or {}
    if boot:
        lines += ["", "### Internal validation: the whole tuning redone on bootstrap samples", ""]
        lines += _bootstrap(boot)
    lines += ["", "## Calibration", "", *_calibration(manifest, extra)]
    if "decision_curve" in task.plots:
        calib = extra.get("calibration") or scores.get("calibration")
        useful = extra.get("useful_thresholds")
        lines += ["", "## Clinical usefulness", ""]
        lines.append(
            "Decision curve: the model's net benefit exceeds both treating everyone and treating "
            f"no one for threshold risks {useful}" + (f" (on {calib['on']})" if calib else "") + "."
            if useful
            else "No threshold range where the model beats treating everyone and no one was "
            "measured."
        )
    limits = []
    if test and not boot:
        limits.append(
            f"The test rows are {test['rows']}"
            + (
                f": one row is {100 / test['rows']:.1f} points of accuracy, and the intervals "
                "above are that wide for a reason."
                if task.classes
                else ": the intervals above are as wide as so few rows make them."
            )
        )
    if len(data.get("sites") or []) <= 1 and not sites:
        limits.append(
            "Trained and tested on one data source (one hospital for the heart data): nothing "
            "here says how it behaves elsewhere (the hospital design, `--sites`, measures that "
            "for the heart data)."
        )
    quote = (
        "quote the optimism-corrected scores"
        if boot
        else "quote the nested estimate"
        if nested
        else "quote the test rows' scores"
        if test
        else "no honest estimate was stored (run with test rows, or --nested K)"
    )
    limits.append(
        "The model was chosen among many trials on the same folds that score them: the "
        f"cross-validation figures are optimistic; {quote}."
    )
    lines += ["", "## Limitations", "", *(f"- {item}" for item in limits)]
    lines += [
        "",
        "## For the author to fill (TRIPOD+AI)",
        "",
        *(f"- [ ] {item}" for item in AUTHOR_ITEMS),
        "",
        "## Files",
        "",
        "- `manifest.json`: everything above, as data.",
        "- "
        + (
            "`network.keras` (load with `safe_mode=True`) and `preprocessing.skops`"
            if manifest.get("network")
            else "`model.skops`: the preprocessing and the estimator as one scikit-learn pipeline"
        )
        + "; skops files load with trusted types only.",
    ]
    if extra.get("report"):
        lines.append(f"- The full report: `{extra['report']}`.")
    return "\n".join(lines) + "\n"


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
