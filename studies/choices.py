"""How an error names a bad entry and the valid ones: the entry itself, the valid names closest to
it (difflib), and all the valid names, or their count when there are too many for one line.

    --models: unknown model 'logreg-l3' (did you mean logreg-l1 or logreg-l2?); the models are ...
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

#: Valid names beyond this many are counted, not listed: the error must stay one readable line.
MAX_LISTED = 20
#: How similar a name must be to be suggested (difflib's own default), and how much less
#: similar than the nearest one it may be: ``logreg_l1`` suggests logreg-l1, not logreg-l2 too.
CUTOFF, MARGIN = 0.6, 0.05


def closest(given: str, valid: Sequence[str], n: int = 3) -> list[str]:
    """The valid names nearest ``given``, nearest first, ties in their order: those within
    :data:`MARGIN` of the nearest one's similarity (difflib's ratio, at least :data:`CUTOFF`),
    letters compared regardless of case (``c`` is close to ``C``)."""
    ratios = [
        (difflib.SequenceMatcher(None, given.lower(), name.lower()).ratio(), name) for name in valid
    ]
    ratios.sort(key=lambda pair: -pair[0])
    best = ratios[0][0] if ratios else 0.0
    return [name for ratio, name in ratios if ratio >= max(CUTOFF, best - MARGIN)][:n]


def suggestion(given: str, valid: Sequence[str]) -> str:
    """`` (did you mean logreg-l1?)`` when a valid name is close to ``given``, else ``""``."""
    near = closest(given, valid)
    return f" (did you mean {in_words(near)}?)" if near else ""


def in_words(names: Sequence[str], word: str = "or") -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} {word} {names[-1]}"


def unknown_entries(noun: str, given: Sequence[str], valid: Sequence[str]) -> str:
    """``unknown model 'logreg-l3' (did you mean logreg-l1?)``: each bad entry, quoted, with the
    valid names close to it; ``noun`` is singular, an ``s`` is added for several."""
    named = [f"{entry!r}{suggestion(entry, valid)}" for entry in given]
    return f"unknown {noun}{'' if len(named) == 1 else 's'} {in_words(named, 'and')}"
