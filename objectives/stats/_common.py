"""What the statistics modules share: array types and the normal quantile of a confidence."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import stats as sps

FloatArray = npt.NDArray[np.float64]


def check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence}")


def z(confidence: float) -> float:
    """The two-sided normal quantile of ``confidence`` (1.96 for 0.95)."""
    check_confidence(confidence)
    return float(sps.norm.ppf(0.5 + confidence / 2))
