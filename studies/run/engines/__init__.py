"""The search engines, in the order ``--engine`` lists them: Optuna (the default) and Keras Tuner,
each behind :class:`~studies.run.engines.base.Engine`. Adding an engine is one module that builds
an ``Engine`` and one entry here."""

from studies.run.engines.base import Engine, RunStudy, StudyRun
from studies.run.engines.kerastuner import KERAS_TUNER
from studies.run.engines.optuna import OPTUNA

ENGINES: dict[str, Engine] = {engine.name: engine for engine in (OPTUNA, KERAS_TUNER)}

__all__ = ["ENGINES", "Engine", "RunStudy", "StudyRun"]
