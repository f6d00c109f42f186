"""The statistics behind the report, by concern:

- :mod:`objectives.stats._nested`: estimates and confidence intervals of nested cross-validation
  (Bates, Hastie & Tibshirani's interval, adapted; the corrected resampled t interval; ROC AUC
  over outer folds) and their edge cases;
- :mod:`objectives.stats._paired`: comparing two models on the same folds (Nadeau and Bengio's
  corrected resampled t-test) and Holm's adjustment;
- :mod:`objectives.stats._calibration`: calibration intercept and slope, recalibration, bins and
  a smooth curve, net benefit and decision curves, ROC AUC with DeLong's interval.

Each formula, its reference and the test that pins it: ``docs/methods.md``.
"""

from objectives.stats._calibration import (
    CROSSFIT_METHOD,
    DELONG_METHOD,
    RECALIBRATION_SEED,
    Calibration,
    auc_delong,
    calibration,
    calibration_bins,
    crossfit_recalibration,
    decision_curve,
    intercept_given_offset,
    logit,
    net_benefit,
    shift_log_odds,
    smooth_calibration,
)
from objectives.stats._common import mean_interval, rmse_interval
from objectives.stats._nested import (
    HANLEY_MCNEIL_METHOD,
    HOLDOUT_METHOD,
    NAIVE_METHOD,
    NCV_METHOD,
    NCV_RAW_METHOD,
    RESAMPLED_T_METHOD,
    WILSON_METHOD,
    AucPart,
    Interval,
    OuterPart,
    auc_interval,
    fold_means_interval,
    naive_interval,
    nested_cv_interval,
    resampled_t_interval,
    roc_auc,
)
from objectives.stats._paired import PairedTest, corrected_resampled_ttest, holm

__all__ = [
    "CROSSFIT_METHOD",
    "DELONG_METHOD",
    "HANLEY_MCNEIL_METHOD",
    "HOLDOUT_METHOD",
    "NAIVE_METHOD",
    "NCV_METHOD",
    "NCV_RAW_METHOD",
    "RECALIBRATION_SEED",
    "RESAMPLED_T_METHOD",
    "WILSON_METHOD",
    "AucPart",
    "Calibration",
    "Interval",
    "OuterPart",
    "PairedTest",
    "auc_delong",
    "auc_interval",
    "calibration",
    "calibration_bins",
    "corrected_resampled_ttest",
    "crossfit_recalibration",
    "decision_curve",
    "fold_means_interval",
    "holm",
    "intercept_given_offset",
    "logit",
    "mean_interval",
    "naive_interval",
    "nested_cv_interval",
    "net_benefit",
    "resampled_t_interval",
    "rmse_interval",
    "roc_auc",
    "shift_log_odds",
    "smooth_calibration",
]
