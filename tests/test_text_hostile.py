"""Article HTML built to make the text conversion's work grow faster than its size.

Work is counted, not timed: the old code read every earlier paragraph break
of a table once per longer cell.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reader import text
from reader.text import html_to_document


class _CountedBreaks(list[int]):
    """A break list that counts how many of its items were read."""

    reads = 0

    def __iter__(self) -> Iterator[int]:
        for item in super().__iter__():
            _CountedBreaks.reads += 1
            yield item

    def __reversed__(self) -> Iterator[int]:
        for item in super().__reversed__():
            _CountedBreaks.reads += 1
            yield item


class _CountedTable(text._Table):
    def __init__(self) -> None:
        super().__init__()
        self.breaks = _CountedBreaks()


def _many_breaks_then_longer_cells(short_cells: int, long_cells: int) -> str:
    short = "<td>" + "x<p>" * 50 + "</td>"  # 50 breaks; cell too short to be checked
    long = "<td>" + "z" * 201 + "</td>"  # long enough to be checked, no break inside
    return "<table><tr>" + short * short_cells + long * long_cells + "</tr></table>"


def test_longer_cells_do_not_reread_the_breaks_of_earlier_cells(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Breaks × longer cells reads before (2,000 × 200 here); now none are reread."""
    monkeypatch.setattr(text, "_Table", _CountedTable)
    monkeypatch.setattr(_CountedBreaks, "reads", 0)
    document = html_to_document(_many_breaks_then_longer_cells(40, 200), "http://e.com/")
    assert [block.kind for block in document.blocks] == ["table"]
    assert len(document.blocks[0].cells[0]) == 240
    assert _CountedBreaks.reads <= 40 * 50


def test_a_longer_cell_is_layout_only_for_a_break_of_its_own() -> None:
    """The layout guess is unchanged: earlier breaks do not count, the cell's own do."""
    plain = html_to_document(_many_breaks_then_longer_cells(3, 2), "http://e.com/")
    assert [block.kind for block in plain.blocks] == ["table"]
    own_break = _many_breaks_then_longer_cells(3, 1).replace(
        "</tr>", "<td>" + "y" * 150 + "<p>" + "y" * 60 + "</td></tr>"
    )
    layout = html_to_document(own_break, "http://e.com/")
    assert {block.kind for block in layout.blocks} == {"paragraph"}
    assert layout.blocks[-1].text == "y" * 60


def test_breaks_out_of_order_are_all_found() -> None:
    """Breaks are not always increasing (a stray end tag in a <pre> in a cell restarts
    the buffer but not the table), so the check may not stop at a smaller one."""
    table = text._Table()
    for offset in (300, 120, 5):
        table.add_break(offset)
    assert table.has_break_between(10, 400)
    assert table.has_break_between(100, 200)
    assert not table.has_break_between(5, 120)
    assert not table.has_break_between(301, 900)
    table.reset(reopen_cell=False)
    assert not table.has_break_between(0, 900)
