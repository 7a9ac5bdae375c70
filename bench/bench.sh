#!/bin/bash
# bench/bench.sh [--full] — newsreader's speed, measured (make bench / make bench-full).
#
# 1. The shared side-by-side harness (../shared/bench/bench.sh), when present:
#    quick form `newsboat-analyzed newsreader` with THREADS=8 REPS=1 (about 10 min),
#    or with --full all three readers at the harness's defaults (about 45 min).
#    Its work dir is $BENCH_OUT/harness: ../shared is read-only and never written.
# 2. The UI and CLI on a 100,000-article cache built through newsreader's own code
#    (python -m bench.perf), and one table of every figure next to issue 5's targets.
#
# Environment: BENCH_OUT (default /tmp/newsreader-bench), NEWSREADER_SHARED_BENCH
# (default ../shared/bench next to the project), NEWSREADER_BIN (default the
# project's .venv/bin/newsreader), and the harness's own N, M, THREADS, REPS, BIG_N, ...
# BENCH_SKIP_HARNESS=1 skips step 1. Figures and method: docs/PERFORMANCE.md.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=${BENCH_PYTHON:-$ROOT/.venv/bin/python}
OUT=${BENCH_OUT:-/tmp/newsreader-bench}
SHARED=${NEWSREADER_SHARED_BENCH:-$ROOT/../shared/bench}
export NEWSREADER_BIN=${NEWSREADER_BIN:-$ROOT/.venv/bin/newsreader}
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
FULL=0
case ${1:-} in
--full) FULL=1 ;;
"") ;;
*) echo "usage: bench/bench.sh [--full]" >&2; exit 2 ;;
esac

say() { printf '\n== %s\n' "$*" >&2; }
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK=$OUT/harness

harness_missing() {  # prints why the harness cannot run, or nothing
    [[ ${BENCH_SKIP_HARNESS:-0} == 1 ]] && { echo "skipped (BENCH_SKIP_HARNESS=1)"; return; }
    [[ -f $SHARED/bench.sh ]] || { echo "absent ($SHARED/bench.sh not found)"; return; }
    local missing=() tool
    for tool in newsboat nginx sqlite3 /usr/bin/time; do
        command -v "$tool" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin command -v "$tool" >/dev/null 2>&1 ||
            missing+=("$tool")
    done
    ((${#missing[@]})) && echo "skipped: missing ${missing[*]} (apt-get install -y newsboat nginx-light time sqlite3)"
    local shared_real
    shared_real=$(cd "$SHARED" && pwd -P)
    [[ $WORK/ == "$shared_real"/* ]] && echo "skipped: its work dir $WORK would be inside $SHARED"
    [[ -x $NEWSREADER_BIN ]] || echo "skipped: no newsreader at $NEWSREADER_BIN (make install the venv first)"
}

status=0
tsv_args=()
why=$(harness_missing | head -1)
if [[ -z $why ]]; then
    if ((FULL)); then
        readers=(newsboat newsboat-analyzed newsreader)
        say "shared harness, full: ${readers[*]} (about 45 minutes; work dir $WORK)"
        env_args=()
    else
        readers=(newsboat-analyzed newsreader)
        say "shared harness, quick: ${readers[*]}, THREADS=${THREADS:-8} REPS=${REPS:-1} (work dir $WORK)"
        env_args=(THREADS="${THREADS:-8}" REPS="${REPS:-1}")
    fi
    started=$SECONDS
    PATH=$PATH:/usr/sbin env "${env_args[@]}" WORK="$WORK" RESULTS="$WORK/RESULTS.md" \
        bash "$SHARED/bench.sh" "${readers[@]}"
    rc=$?
    say "shared harness finished in $((SECONDS - started)) s with status $rc; table: $WORK/RESULTS.md"
    if ((rc != 0)); then
        status=1
        why="failed with status $rc (logs in $WORK/logs); partial rows shown"
    fi
    [[ -s $WORK/results.tsv ]] && tsv_args=(--harness-tsv "$WORK/results.tsv")
else
    say "shared harness $why; measuring the UI and CLI only"
fi

say "UI and CLI on a 100,000-article cache"
cd "$ROOT" && "$PY" -m bench.perf --out "$OUT" "${tsv_args[@]}" --harness-note "$why" || status=1
exit $status
