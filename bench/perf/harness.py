"""The shared harness's per-run rows → newsreader / best newsboat per scenario, with targets.

``bench.sh`` (../shared/bench) writes one tab-separated row per timed run to
``$WORK/results.tsv``: scenario, reader, feeds, items, threads, rep, wall,
cpu, rss, requests, 304s, articles, db MB, check. Medians are taken per
scenario and reader; "best newsboat" is the faster of the newsboat rows
present (stock and/or ``newsboat-analyzed``), as issue 5 asks.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

COLUMNS = (
    "scenario",
    "reader",
    "feeds",
    "items",
    "threads",
    "rep",
    "wall",
    "cpu",
    "rss",
    "reqs",
    "n304",
    "articles",
    "db",
    "ok",
)
OURS = "newsreader"

# Issue 5's targets: newsreader wall / best newsboat wall, per (scenario, feeds).
TARGETS: dict[tuple[str, str], tuple[float, str]] = {
    ("cold", "500"): (0.33, "≤ 0.33"),
    ("reload-2", "500"): (0.3, "≤ 0.3"),
    ("warm", "500"): (1.0, "≤ 1.0 (stretch 0.8)"),
    ("advance", "500"): (0.8, "≤ 0.8"),
    ("cold-big", "2000"): (0.15, "≤ 0.15"),
    ("print-unread", "2000"): (0.07, "≤ 0.07 and < 0.5 s"),
}
RSS_TARGET = 2.0  # peak RSS while refreshing ≤ 2× newsboat's


@dataclass(frozen=True)
class Row:
    """One scenario: our median next to the best newsboat median."""

    scenario: str
    feeds: str
    items: str
    threads: str
    ours_s: float
    best_s: float
    best_reader: str
    ours_rss: float
    best_rss: float
    ours_cpu: float
    ours_304: str
    checks_ok: bool
    runs: int

    @property
    def label(self) -> str:
        threads = f", {self.threads} threads" if self.threads != "-" else ""
        return f"{self.scenario} ({self.feeds}×{self.items}{threads})"

    @property
    def ratio(self) -> float:
        return self.ours_s / max(self.best_s, 0.01)

    @property
    def rss_ratio(self) -> float:
        return self.ours_rss / max(self.best_rss, 1.0)

    def target(self) -> tuple[float, str] | None:
        return TARGETS.get((self.scenario, self.feeds))

    def verdict(self) -> str:
        """met / not met (by how much) against the issue's target for the ratio."""
        if not self.checks_ok:
            return "FAIL (harness check)"
        found = self.target()
        if found is None:
            return "no target"
        limit, _ = found
        if self.scenario == "print-unread" and self.ours_s >= 0.5:
            return f"not met: {self.ours_s:.2f} s ≥ 0.5 s"
        if self.ratio <= limit:
            return "met"
        factor = self.ratio / limit
        return (
            f"not met: {(factor - 1) * 100:.0f}% over"
            if factor < 2
            else f"not met: {factor:.1f}× over"
        )


def read_rows(tsv: Path) -> list[dict[str, str]]:
    lines = tsv.read_text(encoding="utf-8").splitlines()
    return [dict(zip(COLUMNS, line.split("\t"), strict=False)) for line in lines if line.strip()]


def compare(tsv: Path) -> list[Row]:
    """One :class:`Row` per scenario that has both newsreader and a newsboat run."""
    groups: dict[tuple[str, str, str, str], dict[str, list[dict[str, str]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    order: list[tuple[str, str, str, str]] = []
    for run in read_rows(tsv):
        key = (run["scenario"], run["feeds"], run["items"], run["threads"])
        if key not in groups:
            order.append(key)
        groups[key][run["reader"]].append(run)
    rows = []
    for key in order:
        readers = groups[key]
        ours = readers.get(OURS)
        theirs = {name: runs for name, runs in readers.items() if name.startswith("newsboat")}
        if not ours or not theirs:
            continue
        best_name = min(theirs, key=lambda name: _median(theirs[name], "wall"))
        rows.append(
            Row(
                *key,
                ours_s=_median(ours, "wall"),
                best_s=_median(theirs[best_name], "wall"),
                best_reader=best_name,
                ours_rss=_median(ours, "rss"),
                best_rss=min(_median(runs, "rss") for runs in theirs.values()),
                ours_cpu=_median(ours, "cpu"),
                ours_304=ours[-1]["n304"],
                checks_ok=all(run["ok"] == "ok" for run in ours),
                runs=len(ours),
            )
        )
    return rows


def _median(runs: list[dict[str, str]], column: str) -> float:
    return statistics.median(float(run[column]) for run in runs)


def markdown(rows: list[Row]) -> str:
    """The ratio table, one line per scenario, with the RSS comparison for refreshes."""
    head = (
        "| scenario | newsreader s | CPU s | best newsboat s | newsreader / best "
        "| target | verdict | peak RSS MB (ours / newsboat) |\n"
        "|---|---|---|---|---|---|---|---|\n"
    )
    lines = []
    for row in rows:
        found = row.target()
        rss = f"{row.ours_rss:.0f} / {row.best_rss:.0f} ({row.rss_ratio:.2f}×)"
        if row.scenario.startswith("cold") and row.rss_ratio > RSS_TARGET:
            rss += f" over the {RSS_TARGET:.0f}× target"
        lines.append(
            f"| {row.label} | {row.ours_s:.2f} | {row.ours_cpu:.2f} | {row.best_s:.2f} "
            f"({row.best_reader}) | **{row.ratio:.2f}** | {found[1] if found else '—'} "
            f"| {row.verdict()} | {rss} |"
        )
    return head + "\n".join(lines) + "\n"
