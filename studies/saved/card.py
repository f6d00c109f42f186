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

from studies.saved.manifest import test_rows_label

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
    if value is None or (isinstance(value, float) and math.isnan(value)):
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


def model_card(manifest: dict[str, Any], extra: dict[str, Any]) -> str:
    """The card's Markdown. ``extra`` holds what only the whole storage knows: ``nested`` (per
    score, estimate and interval), ``sites`` (rows of the sites table for this model),
    ``calibration`` (on the nested predictions), ``useful_thresholds`` (the decision curve's
    ranges where the model beats treating everyone and no one), ``report`` (where the full report
    is)."""
    data, target = manifest["data"], manifest["target"]
    scores = manifest["scores"]
    search, columns = manifest["search"], manifest["columns"]
    used = [r for r in columns["roles"] if not str(r[1]).startswith("dropped")]
    dropped = [r for r in columns["roles"] if str(r[1]).startswith("dropped")]
    lines = [
        f"# Model card: {manifest['study']}",
        "",
        f"{manifest['model']} predicting the probability that `{target['column']}` is "
        f"**{target['positive']}** (otherwise: {target['negative']}), tuned and exported by this "
        f"tool (version {manifest['versions'].get('tool (heart-regularization)', '?')}) on "
        f"{manifest['saved']}. Items marked *author* must be written by whoever deploys it.",
        "",
        "## Intended use",
        "",
        "- What the tool knows: the model scores rows with the columns below, read as the "
        "training table's were, and returns a probability; `python -m studies.predict --model "
        'THIS_FOLDER --data ROWS.csv`, or `studies.load_model("THIS_FOLDER")` in Python.',
        "- *Author*: the clinical question, the patients it is meant for, who acts on it and how.",
        "",
        "## Data",
        "",
        f"- Source: {data['description']}"
        + ("" if data["sha256"][:12] in data["description"] else f" (sha256 {data['sha256'][:12]})")
        + ".",
        f"- Trained on {data['training_rows']} rows, {100 * data['training_prevalence']:.0f}% "
        f"{target['positive']}"
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
        f"{search['trials']} trials, {search['folds']}-fold stratified cross-validation "
        f"(seed {search['fold_seed']}), selecting by {search['metric'].replace('_', ' ')}"
        + (f"; solver {search['solver']}" if search.get("solver") else "")
        + ". The winner was refit on all its training rows.",
        "",
        "## Performance",
        "",
        "| estimate | accuracy | ROC AUC | log loss | Brier score |",
        "|---|---|---|---|---|",
    ]
    cv = scores["cv"]
    lines.append(
        f"| cross-validation ({scores['cv_folds']} folds; optimistic: the folds chose it) | "
        + " | ".join(
            f"{_num(cv[m]['mean'])} ± {_num(cv[m]['sd'])}"
            for m in ("accuracy", "roc_auc", "log_loss", "brier")
        )
        + " |"
    )
    test = scores.get("test")
    if test:
        lines.append(
            f"| {test_rows_label(manifest)}, scored once | {_num(test['accuracy'])} "
            f"{_interval(*test['accuracy_95ci'])} | {_num(test['roc_auc'])} | "
            f"{_num(test['log_loss'])} | {_num(test['brier'])} |"
        )
    nested = extra.get("nested")
    if nested:
        lines.append(
            f"| nested cross-validation ({nested['accuracy']['parts']} outer parts; the honest "
            "estimate) | "
            + " | ".join(
                f"{_num(nested[m]['estimate'])} {_interval(nested[m]['low'], nested[m]['high'])}"
                for m in ("accuracy", "roc_auc", "log_loss", "brier")
            )
            + " |"
        )
    lines.append("")
    lines.append(
        "Intervals are 95%: Wilson's for the test rows' accuracy; for nested estimates as the "
        "tool's methods page describes (docs/methods.md)."
    )
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
    calib = extra.get("calibration") or scores.get("calibration")
    lines += ["", "## Calibration", ""]
    if calib:
        lines.append(
            f"On {calib['on']}: calibration intercept {_num(calib['intercept'], 2)} (0 is right "
            f"on average), slope {_num(calib['slope'], 2)} "
            f"{_interval(calib['slope_95ci'][0], calib['slope_95ci'][1], 2)} (1 is right; below "
            "1 the predictions are too extreme, above 1 too timid). The plot: `calibration.png`."
        )
    else:
        lines.append("No held-out rows scored this model: no calibration to report.")
    useful = extra.get("useful_thresholds")
    lines += ["", "## Clinical usefulness", ""]
    lines.append(
        "Decision curve: the model's net benefit exceeds both treating everyone and treating no "
        f"one for threshold risks {useful}" + (f" (on {calib['on']})" if calib else "") + "."
        if useful
        else "No threshold range where the model beats treating everyone and no one was measured."
    )
    limits = []
    if test:
        limits.append(
            f"The test rows are {test['rows']}: one row is {100 / test['rows']:.1f} points of "
            "accuracy, and the interval above is that wide for a reason."
        )
    if len(data.get("sites") or []) <= 1 and not sites:
        limits.append(
            "Trained and tested on one data source (one hospital for the heart data): nothing "
            "here says how it behaves elsewhere (the hospital design, `--sites`, measures that "
            "for the heart data)."
        )
    limits.append(
        "The model was chosen among many trials on the same folds that score them: the "
        "cross-validation figures are optimistic; quote the nested estimate, else the test rows."
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
