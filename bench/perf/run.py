"""``make bench``'s second half: the UI and CLI on a 100,000-article cache, and one table.

Builds the cache with :mod:`bench.perf.builddb`, measures start-up, keys and
view switches with :mod:`bench.perf.ui_probe` (a fresh process per sample),
times ``newsreader unread`` / ``feeds --json`` and checks what they import,
then prints every figure next to issue 5's target, with the machine. When the
shared harness ran first (``--harness-tsv``), its ratios join the table.
Everything is written under ``--out`` (summary.md, summary.json), never into
the project or ../shared.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.perf import builddb, cli, harness, machine

ROOT = Path(__file__).resolve().parents[2]
FRAME_MS = 16.0


@dataclass(frozen=True)
class Figure:
    """One line of the table."""

    measure: str
    value: str
    target: str
    verdict: str


def over_by(value: float, limit: float) -> str:
    """How far past a limit: a percentage when close, a factor when far."""
    factor = value / limit
    return f"{(factor - 1) * 100:.0f}% over" if factor < 2 else f"{factor:.1f}× over"


def _verdict(value: float, limit: float, unit: str) -> str:
    return "met" if value <= limit else f"not met: {over_by(value, limit)} ({value:.3g}{unit})"


def _probe(
    mode: str, db: Path, built: builddb.BuiltCache, env: dict[str, str], presses: int
) -> Any:
    argv = [
        sys.executable,
        "-m",
        "bench.perf.ui_probe",
        mode,
        "--config",
        str(built.config),
        "--db",
        str(db),
        "--big-feed",
        built.big_feed_url,
        "--presses",
        str(presses),
    ]
    launched = time.time()
    done = subprocess.run(
        [*argv, "--launched", repr(launched)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"ui_probe {mode} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_ui(
    built: builddb.BuiltCache, env: dict[str, str], samples: int, presses: int
) -> dict[str, Any]:
    """First paint (big and empty cache, interleaved), then one interactive run."""
    paint: dict[str, list[float]] = {"big": [], "empty": []}
    details: dict[str, list[Any]] = {"big": [], "empty": []}
    for _ in range(samples):
        for kind, db in (("empty", built.empty_db), ("big", built.db)):
            result = _probe("paint", db, built, env, presses)
            paint[kind].append(result["launch_to_paint_s"])
            details[kind].append(result)
    keys = _probe("keys", built.db, built, env, presses)
    return {"paint": paint, "paint_details": details, "keys": keys}


def measure_cli(built: builddb.BuiltCache, env: dict[str, str], reps: int) -> dict[str, Any]:
    newsreader = Path(sys.executable).with_name("newsreader")
    out: dict[str, Any] = {}
    for args in (("unread",), ("feeds", "--json")):
        timing = cli.time_command(newsreader, args, env, reps)
        report = cli.import_report(newsreader, args, env)
        out[" ".join(args)] = {
            "wall_s": [round(w, 3) for w in timing.wall_s],
            "median_s": round(timing.median_s, 3),
            "output_head": timing.output_head,
            "imports_s": report.total_s,
            "heavy_imports_s": report.heavy,
            "slowest_top_level_imports": report.slowest,
        }
    return out


def ui_figures(ui: dict[str, Any]) -> list[Figure]:
    big = statistics.median(ui["paint"]["big"])
    empty = statistics.median(ui["paint"]["empty"])
    keys = ui["keys"]
    base = keys["baseline"]["median_ms"]
    figures = [
        Figure(
            "UI first paint, 100k cache (launch → feed pane + article list drawn)",
            f"{big:.2f} s (samples {', '.join(f'{v:.2f}' for v in ui['paint']['big'])})",
            "≤ 1.0 s",
            _verdict(big, 1.0, " s"),
        ),
        Figure(
            "UI first paint, empty cache (same 2,000 feeds)",
            f"{empty:.2f} s",
            "—",
            "reference",
        ),
        Figure(
            "UI first paint, 100k / empty",
            f"{big / empty:.2f}×",
            "≤ 1.3×",
            _verdict(round(big / empty, 2), 1.3, "×"),
        ),
    ]
    for key, label in (
        ("feed_j", "j"),
        ("feed_k", "k"),
        ("feed_pagedown", "page down"),
        ("feed_pageup", "page up"),
        ("all_j", "j in All (100k)"),
    ):
        stats = keys[key]
        figures.append(
            Figure(
                f"UI key {label}, 10,000-article feed"
                if key.startswith("feed")
                else f"UI key {label}",
                f"{stats['median_ms']:.1f} ms CPU median (≈ {stats['median_ms'] - base:.1f} net "
                f"of Pilot), p95 {stats['p95_ms']:.1f}, max {stats['max_ms']:.1f} (n={stats['n']})",
                f"≤ {FRAME_MS:.0f} ms (p95)",
                _verdict(stats["p95_ms"], FRAME_MS, " ms"),
            )
        )
    figures.append(
        Figure(
            "UI key with nothing bound (Pilot's own cost, included above)",
            f"{base:.1f} ms CPU median",
            "—",
            "reference",
        )
    )
    for key, label in (
        ("unread_view", "Unread view (100k), one key in the feed pane"),
        ("unread_view_again", "Unread view again (warm)"),
        ("toggle_u", "u (unread only) on All (100k)"),
        ("to_all", "All view (100k)"),
        ("open_big_feed", "open the 10,000-article feed"),
    ):
        switch = keys[key]
        seconds = switch["cpu_ms"] / 1000
        target = "≤ 0.2 s" if "nread" in label or label.startswith("u ") else "—"
        figures.append(
            Figure(
                f"UI {label}",
                f"{seconds:.3f} s CPU ({switch['load_ms']} ms loading ids, {switch['rows']} rows)",
                target,
                _verdict(seconds, 0.2, " s") if target != "—" else "no target",
            )
        )
    peak = keys["memory"].get("VmHWM", 0.0)
    at_paint = ui["paint_details"]["big"][0]["memory_at_paint"].get("VmHWM", 0.0)
    figures.append(
        Figure(
            "UI memory, 100k cache, after the moves above (peak RSS)",
            f"{peak:.0f} MB (at first paint {at_paint:.0f} MB)",
            "≤ 150 MB",
            _verdict(peak, 150.0, " MB"),
        )
    )
    return figures


def cli_figures(results: dict[str, Any]) -> list[Figure]:
    figures = []
    for command, found in results.items():
        figures.append(
            Figure(
                f"CLI `newsreader {command}`, 100k cache (wall, median)",
                f"{found['median_s']:.3f} s (runs "
                + ", ".join(f"{w:.2f}" for w in found["wall_s"])
                + ")",
                "< 0.5 s",
                _verdict(found["median_s"], 0.5, " s"),
            )
        )
        heavy = found["heavy_imports_s"]
        wanted = {name: heavy[name] for name in ("textual", "feedparser", "httpx") if name in heavy}
        figures.append(
            Figure(
                f"CLI `newsreader {command}` imports (python -X importtime)",
                f"{found['imports_s']:.2f} s of imports; heavy: "
                + (", ".join(f"{k} {v * 1000:.0f} ms" for k, v in heavy.items()) or "none"),
                "no textual, feedparser, httpx",
                "met" if not wanted else f"not met: imports {', '.join(wanted)}",
            )
        )
    return figures


def harness_figures(rows: list[harness.Row]) -> list[Figure]:
    figures = []
    for row in rows:
        found = row.target()
        figures.append(
            Figure(
                f"harness {row.label}: newsreader / best newsboat",
                f"{row.ratio:.2f} ({row.ours_s:.2f} s vs {row.best_s:.2f} s {row.best_reader})",
                found[1] if found else "—",
                row.verdict(),
            )
        )
        if row.scenario.startswith("cold"):
            figures.append(
                Figure(
                    f"harness {row.label}: peak RSS / newsboat's",
                    f"{row.rss_ratio:.2f} ({row.ours_rss:.0f} MB vs {row.best_rss:.0f} MB)",
                    f"≤ {harness.RSS_TARGET:.0f}×",
                    _verdict(round(row.rss_ratio, 2), harness.RSS_TARGET, "×"),
                )
            )
    return figures


def table(figures: list[Figure]) -> str:
    lines = ["| measure | figure | target | verdict |", "|---|---|---|---|"]
    lines += [f"| {f.measure} | {f.value} | {f.target} | {f.verdict} |" for f in figures]
    return "\n".join(lines) + "\n"


def _git_revision() -> str:
    done = subprocess.run(
        ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="UI and CLI figures on a 100,000-article cache")
    parser.add_argument("--out", type=Path, default=Path("/tmp/newsreader-bench"))
    parser.add_argument("--harness-tsv", type=Path, help="results.tsv of a shared harness run")
    parser.add_argument("--harness-note", default="", help="why the harness did not run")
    parser.add_argument("--samples", type=int, default=3, help="first-paint samples per cache")
    parser.add_argument("--presses", type=int, default=200, help="j presses (others fewer)")
    parser.add_argument("--cli-reps", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cache")
    args = parser.parse_args(argv)

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    started_on = machine.describe()
    print(f"building the 100,000-article cache in {out / 'cache'} …", file=sys.stderr)
    built = builddb.build(out / "cache", rebuild=args.rebuild)
    env = cli.command_env(built.config, built.db, out / "home")
    print("measuring the UI (Textual Pilot, one process per sample) …", file=sys.stderr)
    ui = measure_ui(built, env, args.samples, args.presses)
    print("measuring the CLI …", file=sys.stderr)
    cli_results = measure_cli(built, env, args.cli_reps)

    rows: list[harness.Row] = []
    if args.harness_tsv and args.harness_tsv.exists():
        rows = harness.compare(args.harness_tsv)
    figures = harness_figures(rows) + ui_figures(ui) + cli_figures(cli_results)
    header = (
        f"newsreader {_git_revision()} — machine: {started_on}\n"
        f"cache: {built.feeds} feeds, {built.articles} articles "
        f"({built.db.stat().st_size / 1048576:.0f} MB; built in {built.seconds} s, 0 = reused); "
        f"{machine.load_average()} at the end\n"
    )
    if not rows:
        header += f"shared harness: {args.harness_note or 'not run'}\n"
    text = header + "\n" + (harness.markdown(rows) + "\n" if rows else "") + table(figures)
    (out / "summary.md").write_text(text, encoding="utf-8")
    (out / "summary.json").write_text(
        json.dumps(
            {
                "machine": started_on,
                "ui": ui,
                "cli": cli_results,
                "harness": [row.__dict__ for row in rows],
            },
            indent=1,
        ),
        encoding="utf-8",
    )
    print(text)
    print(f"(also in {out / 'summary.md'}; raw figures in {out / 'summary.json'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
