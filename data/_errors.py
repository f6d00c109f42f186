"""What the data layer raises."""

from __future__ import annotations


class DataError(ValueError):
    """The data cannot be used as asked. The message is one line: what was expected, what
    arrived, how to fix it."""
