"""Every model family the tool can search, in the order tables list them.

Adding a family is one objective module that defines its :class:`~objectives.family.ModelFamily`
and one entry here; the command line, the studies, the report and the dashboard notes read it.
"""

from __future__ import annotations

from collections.abc import Sequence

from objectives.family import ModelFamily
from objectives.hgb import HGB
from objectives.linear import ELASTIC_NET, LASSO, RIDGE
from objectives.logreg import LOGREG_ENET, LOGREG_L1, LOGREG_L2
from objectives.mlp import MLP
from objectives.task import BINARY, Task

FAMILIES: dict[str, ModelFamily] = {
    family.name: family
    for family in (LOGREG_L1, LOGREG_L2, LOGREG_ENET, MLP, HGB, LASSO, RIDGE, ELASTIC_NET)
}
#: What ``--models`` runs when not given (on a binary or multi-class target; :func:`default_models`
#: adapts a command's defaults to any task).
DEFAULT_FAMILIES = tuple(
    name for name, family in FAMILIES.items() if family.default and family.serves(BINARY)
)


def default_models(task: Task, defaults: Sequence[str]) -> tuple[str, ...]:
    """What ``--models`` runs on a ``task`` target when not given: the command's ``defaults``
    that serve it; where a default does not (a logistic regression, on a continuous target),
    the registry's default families that serve the task take its place; linear models first,
    in registry order (lasso, ridge, the network, the trees, on a continuous target)."""
    kept = [name for name in defaults if FAMILIES[name].serves(task)]
    if len(kept) < len(defaults):
        kept += [
            name
            for name, family in FAMILIES.items()
            if family.default and family.serves(task) and name not in kept
        ]
    order = list(FAMILIES)
    return tuple(sorted(kept, key=lambda name: (not FAMILIES[name].linear, order.index(name))))
