"""The network's search space: the L1 and L2 strengths, each log-uniform."""

from __future__ import annotations

from optuna.distributions import FloatDistribution

STRENGTH = FloatDistribution(1e-6, 1e-1, log=True)
SPACE = {"l1": STRENGTH, "l2": STRENGTH}
