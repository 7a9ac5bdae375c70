"""Article HTML built to make the text conversion's work grow faster than its size.

Work is counted, not timed: the old code read every earlier paragraph break
of a table once per longer cell.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reader import text
from reader.text import document_to_text, html_to_document


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
    """The check does not rely on breaks coming in increasing order."""
    table = text._Table()
    for offset in (300, 120, 5):
        table.add_break(offset)
    assert table.has_break_between(10, 400)
    assert table.has_break_between(100, 200)
    assert not table.has_break_between(5, 120)
    assert not table.has_break_between(301, 900)
    table.reset(reopen_cell=False)
    assert not table.has_break_between(0, 900)


# -- a <pre> in a table cell: its code block takes the buffer, the table restarts --


def _cell_texts(html: str) -> list[list[list[str]]]:
    """Per block of ``html``: its cells' texts by row (empty for non-tables)."""
    blocks = html_to_document(html, "http://e.com/").blocks
    return [[[block.text[a:b] for a, b in row] for row in block.cells] for block in blocks]


def test_a_break_in_a_pre_does_not_split_the_cells_after_it() -> None:
    """A stray </ul> in the <pre> left a break at the code's offset: the later cells
    became paragraphs cut there, one starting with the "| " cell separator."""
    html = f"<table><tr><td>a<pre>{'x' * 100}</ul></pre>y<br><div><td>{'w' * 300}</table>"
    document = html_to_document(html, "http://e.com/")
    assert [block.kind for block in document.blocks] == ["table", "code", "table"]
    assert _cell_texts(html)[2] == [["y", "w" * 300]]
    assert "\n| " not in document_to_text(document)


def test_cells_begun_in_a_pre_leave_no_offsets_behind() -> None:
    """A <td> or <tr> in the <pre> left rows pointing into the code: the cells after
    it lost their columns ("y | www end" as one line) or ran together ("bc")."""
    after_td = "<table><tr><td>aaa<pre>co<td>de</pre>y<td>www end</table>"
    assert _cell_texts(after_td)[2] == [["y", "www end"]]
    assert document_to_text(html_to_document(after_td)).endswith("\n\ny  www end")
    after_tr = "<table><tr><td>a<pre>code<tr>more</pre>b<td>c</td></tr></table>"
    assert _cell_texts(after_tr)[2] == [["b", "c"]]


def test_a_layout_cell_after_a_pre_is_not_cut_at_the_code_breaks() -> None:
    """A layout cell read as paragraphs was cut mid-word where the <pre>'s <p> had been."""
    html = f"<table><tr><td><pre>{'x' * 50}<p>{'x' * 50}</pre>{'w' * 1200}</td></tr></table>"
    document = html_to_document(html, "http://e.com/")
    assert [(block.kind, block.text) for block in document.blocks][1:] == [
        ("paragraph", "w" * 1200)
    ]
