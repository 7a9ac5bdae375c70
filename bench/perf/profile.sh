#!/bin/bash
# bench/perf/profile.sh — py-spy profiles of the slow paths, summarised as text.
#
# Not part of `make bench` (profiling slows what it measures). py-spy is not a
# project dependency: it is installed into a throwaway venv under /tmp
# ($PROF_VENV, default /tmp/newsreader-prof-venv) from PyPI and attaches to the
# project's own .venv/bin/newsreader from outside. Needs the shared harness's
# genfarm.py and farm.sh (nginx) for the refresh profiles, and the 100k cache
# that `make bench` builds under $BENCH_OUT/cache (built here if missing).
#
# Writes $BENCH_OUT/profiles/*.folded (py-spy raw format: open them in
# speedscope or flamegraph.pl) and a *.txt summary next to each.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY=$ROOT/.venv/bin/python
NR=$ROOT/.venv/bin/newsreader
OUT=${BENCH_OUT:-/tmp/newsreader-bench}
SHARED=${NEWSREADER_SHARED_BENCH:-$ROOT/../shared/bench}
PROF_VENV=${PROF_VENV:-/tmp/newsreader-prof-venv}
PORT=${PROF_PORT:-8189}
RATE=${PROF_RATE:-250}
DIR=$OUT/profiles
mkdir -p "$DIR"
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost PATH=$PATH:/usr/sbin

if [[ ! -x $PROF_VENV/bin/py-spy ]]; then
    "$PY" -m venv "$PROF_VENV" && "$PROF_VENV/bin/pip" install --quiet py-spy
fi
SPY=$PROF_VENV/bin/py-spy

# record NAME ENV... -- COMMAND...: profile one command (all threads), summarise it
record() {
    local name=$1; shift
    env "$@" "$SPY" record --rate "$RATE" --threads --format raw -o "$DIR/$name.folded" --nonblocking \
        -- "${COMMAND[@]}" >"$DIR/$name.out" 2>&1 || { echo "profile $name failed:"; tail "$DIR/$name.out"; }
    (cd "$ROOT" && "$PY" -m bench.perf.folded --top 30 "$DIR/$name.folded") >"$DIR/$name.txt"
    echo "wrote $DIR/$name.txt"
}

# --- refresh: cold, warm (all 304) and advance on the 500 x 30 farm ------------
if [[ -f $SHARED/genfarm.py ]] && command -v nginx >/dev/null; then
    FARM=$DIR/farm-500-30 HOME_DIR=$DIR/refresh-home
    python3 "$SHARED/genfarm.py" "$FARM" --feeds 500 --items 30 --port "$PORT" >/dev/null
    python3 "$SHARED/genfarm.py" "$FARM" --generation 0 >/dev/null
    "$SHARED/farm.sh" start "$FARM" "$PORT" >/dev/null
    trap '"$SHARED/farm.sh" stop - "$PORT" >/dev/null || true' EXIT
    rm -rf "$HOME_DIR" && mkdir -p "$HOME_DIR"
    { printf '[settings]\nrefresh_on_start = false\n\n'
      while read -r url; do printf '[[feeds]]\nurl = "%s"\n\n' "$url"; done <"$FARM/urls.txt"
    } >"$HOME_DIR/config.toml"
    RENV=(HOME="$HOME_DIR" NEWSREADER_CONFIG="$HOME_DIR/config.toml" NEWSREADER_DB="$HOME_DIR/newsreader.db")
    COMMAND=("$NR" refresh)
    record refresh-cold "${RENV[@]}"
    record refresh-reload "${RENV[@]}"
    python3 "$SHARED/genfarm.py" "$FARM" --advance --fraction 0.2 --new-items 3 >/dev/null
    record refresh-advance "${RENV[@]}"
    python3 "$SHARED/genfarm.py" "$FARM" --generation 0 >/dev/null
else
    echo "no shared harness (genfarm.py, nginx): refresh profiles skipped"
fi

# --- the 100k cache: CLI and UI -----------------------------------------------
(cd "$ROOT" && "$PY" -m bench.perf.builddb "$OUT/cache" >/dev/null)
CENV=(HOME="$DIR/cache-home" NEWSREADER_CONFIG="$OUT/cache/config.toml" NEWSREADER_DB="$OUT/cache/big.db")
COMMAND=("$NR" unread)
record cli-unread "${CENV[@]}"
COMMAND=("$NR" feeds --json)
record cli-feeds-json "${CENV[@]}"
COMMAND=("$PY" -m bench.perf.ui_probe keys --config "$OUT/cache/config.toml" --db "$OUT/cache/big.db"
         --big-feed http://127.0.0.1:9/feeds/0000.xml --presses 100)
(cd "$ROOT" && record ui-keys "${CENV[@]}")
