"""Short, local-time labels for dates in the article list and header."""

from __future__ import annotations

from datetime import datetime

from rich.cells import cell_len, set_cell_size

from reader.output import to_local


def short_date(value: datetime, now: datetime) -> str:
    """Like 14:05 today, Mon 14:05 this week, 12 Oct this year, else 2023-10-12."""
    local = to_local(value)
    today = to_local(now)
    if local.date() == today.date():
        return local.strftime("%H:%M")
    days = (today.date() - local.date()).days
    if 0 < days < 7:
        return local.strftime("%a %H:%M")
    if local.year == today.year:
        return local.strftime("%d %b")
    return local.strftime("%Y-%m-%d")


def long_date(value: datetime) -> str:
    return to_local(value).strftime("%a %d %b %Y %H:%M")


def fit_cells(text: str, width: int) -> str:
    """Exactly ``width`` terminal cells: padded, or cut with an ellipsis."""
    if width <= 0:
        return ""
    if cell_len(text) > width:
        text = set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)
