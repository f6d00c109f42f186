"""What a multi-class or continuous target's own plots draw (the confusion matrices and the
calibration per class; predicted against observed values and the residuals): every model's
out-of-sample predictions, one panel per model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from studies.report.plots.style import pyplot

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def panels(n: int, size: float = 4.2) -> tuple[Figure, list[Any]]:
    """A row of ``n`` square panels."""
    plt = pyplot()
    figure, axes = plt.subplots(
        1, n, figsize=(size * n + 0.6, size + 1.0), squeeze=False, layout="constrained"
    )
    return figure, list(axes[0])
