"""Every model family the tool can search, in the order tables list them.

Adding a family is one objective module that defines its :class:`~objectives.family.ModelFamily`
and one entry here; the command line, the studies, the report and the dashboard notes read it.
"""

from __future__ import annotations

from objectives.family import ModelFamily
from objectives.hgb import HGB
from objectives.linear import ELASTIC_NET, LASSO, RIDGE
from objectives.logreg import LOGREG_ENET, LOGREG_L1, LOGREG_L2
from objectives.mlp import MLP
from objectives.task import BINARY

FAMILIES: dict[str, ModelFamily] = {
    family.name: family
    for family in (LOGREG_L1, LOGREG_L2, LOGREG_ENET, MLP, HGB, LASSO, RIDGE, ELASTIC_NET)
}
#: What ``--models`` runs when not given (on a binary or multi-class target; a continuous one
#: takes ``studies.settings.default_models``).
DEFAULT_FAMILIES = tuple(
    name for name, family in FAMILIES.items() if family.default and family.serves(BINARY)
)
