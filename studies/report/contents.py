"""What a report is made of: what it wrote and said (:class:`Report`), and every plot's numbers,
computed once for the page and the dashboard alike (:class:`Infos`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from studies.report._efficiency import (
    EfficiencyInfo,
)
from studies.report._info import (
    CurveInfo,
    IntermediateInfo,
    PathInfo,
    PlaneInfo,
)
from studies.report._nested import (
    CalibrationInfo,
    DecisionInfo,
)
from studies.report._outcomes import OutcomeInfo
from studies.report._pareto import FrontInfo
from studies.report._sites import (
    SitesInfo,
)


@dataclass
class Report:
    """What was written, what the numbers say, and what was not run."""

    out: Path
    files: list[Path] = field(default_factory=list)
    not_run: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    #: One recommendation per question, in plain words (:mod:`studies.report._answer`).
    answer: list[str] = field(default_factory=list)
    #: What the numbers say: the evidence behind the answer, tests and intervals included.
    evidence: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Infos:
    """Every plot's numbers, computed once for the page and the dashboard alike."""

    curves: list[CurveInfo]
    planes: list[PlaneInfo]
    paths: list[PathInfo]
    intermediates: list[IntermediateInfo]
    calibrations: list[CalibrationInfo]
    decision: DecisionInfo | None
    sites: SitesInfo | None
    fronts: list[FrontInfo]
    efficiency: EfficiencyInfo | None
    #: A multi-class or regression target's own plots (none for binary).
    outcome: OutcomeInfo | None = None
