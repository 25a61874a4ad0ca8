#!/usr/bin/env bash
# startup_latency.sh: wall time of `keysweep scan` on an empty git repository (no commits), from
# process start to exit, with a warm rule cache: what every invocation pays before it reads a blob
# (dynamic linking, default rules, cache load, libgit2 start-up). p50/p90 over RUNS runs.
#
#   bench/startup_latency.sh [--keysweep PATH] [--runs N]
#
# Target (issue 5): p50 <= 20 ms. Needs git and python3.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
keysweep="$here/../build/keysweep" runs=50
while [[ $# -gt 0 ]]; do
  case "$1" in
    --keysweep) keysweep=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    -h|--help) sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "startup_latency.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ -x $keysweep ]] || { echo "startup_latency.sh: no keysweep binary at $keysweep" >&2; exit 2; }
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "startup_latency.sh: --runs must be a positive number" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git init -q "$work/empty"
mkdir -p "$work/cache"
export GIT_CONFIG_NOSYSTEM=1
# One untimed run compiles the rules and writes the cache.
XDG_CACHE_HOME="$work/cache" "$keysweep" scan "$work/empty" --quiet

python3 - "$runs" "$work/cache" "$keysweep" "$work/empty" <<'PY'
import os, sys, time
runs, cache, cmd = int(sys.argv[1]), sys.argv[2], [sys.argv[3], "scan", sys.argv[4], "--quiet"]
env = dict(os.environ, XDG_CACHE_HOME=cache)
times = []
for _ in range(runs):
    # posix_spawn + waitpid: the window holds the start, the run and the exit, little of Python's own.
    t0 = time.perf_counter()
    pid = os.posix_spawn(cmd[0], cmd, env)
    _, status = os.waitpid(pid, 0)
    times.append((time.perf_counter() - t0) * 1000)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("keysweep exited %d on an empty repository" % os.waitstatus_to_exitcode(status))
times.sort()
pick = lambda q: times[min(len(times) - 1, int(round(q * (len(times) - 1))))]
print("keysweep scan <empty repository>, warm rule cache: p50 %.1f ms  p90 %.1f ms  min %.1f ms  max %.1f ms  (%d runs)"
      % (pick(0.5), pick(0.9), times[0], times[-1], len(times)))
PY
