#!/usr/bin/env bash
# hook_latency.sh: wall time of `keysweep hook pre-commit` on a 10-file staged change in a repository
# with 20,000+ commits, from process start to exit, warm cache (p50/p90 over RUNS runs) and cold cache
# (a fresh XDG_CACHE_HOME each run: the rule set is compiled and the cache written).
#
#   bench/hook_latency.sh [--keysweep PATH] [--work DIR] [--commits N] [--files N] [--runs N]
#
# The repository is generated once (a deterministic `git fast-import` stream; ~10 s) into
# WORK/history-N (default WORK: build-hooks/bench-work, or $TMPDIR) and reused by later runs.
# Target (docs/HOOKS.md, issue 4): p50 <= 30 ms warm, with the full default rule set.
# Uses hyperfine when installed (Debian: apt-get install hyperfine); always prints its own p50/p90.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
keysweep=""
work=""
commits=20000
files=4000
runs=30
while [ $# -gt 0 ]; do
    case "$1" in
        --keysweep) keysweep="$2"; shift 2 ;;
        --work) work="$2"; shift 2 ;;
        --commits) commits="$2"; shift 2 ;;
        --files) files="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "hook_latency.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
if [ -z "$keysweep" ]; then
    for b in "$here"/build/keysweep "$here"/build-*/keysweep; do
        if [ -x "$b" ]; then keysweep="$b"; break; fi
    done
fi
[ -x "$keysweep" ] || { echo "hook_latency.sh: no keysweep binary (build it, or pass --keysweep PATH)" >&2; exit 2; }
keysweep="$(readlink -f "$keysweep")"
[ -n "$work" ] || work="$(dirname "$keysweep")/bench-work"
mkdir -p "$work"
repo="$work/history-$commits-$files"

# --- the repository -------------------------------------------------------------------------------
if [ ! -f "$repo/.ready" ]; then
    rm -rf "$repo" "$repo.tmp"
    git init -q -b main "$repo.tmp"
    echo "hook_latency.sh: generating $commits commits over $files files in $repo ..." >&2
    python3 - "$commits" "$files" <<'PY' | git -C "$repo.tmp" fast-import --quiet
import random, sys
commits, files = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(20240101)
words = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma "
         "tau upsilon phi chi psi omega config value return request handler buffer index result").split()
def line():
    return " ".join(rng.choice(words) for _ in range(rng.randint(3, 12)))
paths = ["src/mod%02d/sub%d/file%04d.%s" % (i % 50, i % 7, i, rng.choice(["c", "py", "go", "md", "yaml"]))
         for i in range(files)]
content = {}
out = sys.stdout.buffer
def data(text):
    b = text.encode()
    out.write(b"data %d\n" % len(b))
    out.write(b)
    out.write(b"\n")
t = 1704067200
for c in range(commits):
    out.write(b"commit refs/heads/main\n")
    out.write(b"author Bench Author <bench@example.com> %d +0000\n" % (t + c * 60))
    out.write(b"committer Bench Author <bench@example.com> %d +0000\n" % (t + c * 60))
    data("commit %d" % c)
    if c == 0:
        touched = range(files)
    else:
        touched = rng.sample(range(files), rng.randint(1, 3))
    for i in touched:
        lines = content.get(i)
        if lines is None:
            lines = [line() for _ in range(rng.randint(20, 200))]
        else:
            lines[rng.randrange(len(lines))] = line()
            if rng.random() < 0.5:
                lines.insert(rng.randrange(len(lines) + 1), line())
        content[i] = lines
        out.write(b"M 100644 inline %s\n" % paths[i].encode())
        data("\n".join(lines) + "\n")
    out.write(b"\n")
PY
    git -C "$repo.tmp" -c gc.auto=0 repack -q -a -d
    git -C "$repo.tmp" checkout -q -f main
    touch "$repo.tmp/.ready"
    mv "$repo.tmp" "$repo"
fi
git -C "$repo" reset -q --hard
n_commits="$(git -C "$repo" rev-list --count HEAD)"
n_files="$(git -C "$repo" ls-files | wc -l)"

# --- the staged change: 10 files, a few added lines each (no secret: the common, passing case) -----
git -C "$repo" ls-files | awk 'NR % 397 == 1' | head -n 10 | while read -r f; do
    printf 'added line one for the benchmark\nanother added line, value = 42\n' >> "$repo/$f"
    git -C "$repo" add -- "$f"
done
staged="$(git -C "$repo" diff --cached --name-only | wc -l)"

cache="$work/xdg-cache-warm"
rm -rf "$cache"
export GIT_CONFIG_NOSYSTEM=1
cmd=("$keysweep" hook pre-commit --quiet)
(cd "$repo" && XDG_CACHE_HOME="$cache" "${cmd[@]}") || { echo "hook_latency.sh: the hook failed or found something" >&2; exit 1; }
rules="$("$keysweep" rules list 2>/dev/null | grep -c . || true)"

# --- timing: our own loop (fork+exec+wait measured in Python, nothing else inside the window) -------
measure() {  # measure RUNS COLD(0|1)
    python3 - "$1" "$2" "$repo" "$cache" "$work" "${cmd[@]}" <<'PY'
import os, shutil, subprocess, sys, time
runs, cold, repo, cache, work, cmd = int(sys.argv[1]), sys.argv[2] == "1", sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6:]
times = []
for i in range(runs):
    env = dict(os.environ)
    if cold:
        c = os.path.join(work, "xdg-cache-cold")
        shutil.rmtree(c, ignore_errors=True)
        env["XDG_CACHE_HOME"] = c
    else:
        env["XDG_CACHE_HOME"] = cache
    t0 = time.perf_counter()
    rc = subprocess.call(cmd, cwd=repo, env=env, stdout=subprocess.DEVNULL)
    times.append((time.perf_counter() - t0) * 1000)
    if rc != 0:
        sys.exit("hook exited %d" % rc)
times.sort()
pick = lambda q: times[min(len(times) - 1, int(round(q * (len(times) - 1))))]
print("p50 %.1f ms  p90 %.1f ms  min %.1f ms  max %.1f ms  (%d runs)" % (pick(0.5), pick(0.9), times[0], times[-1], len(times)))
PY
}

echo "repository: $repo ($n_commits commits, $n_files files; $staged files staged)"
echo "binary:     $keysweep ($rules rules)"
echo "command:    (cd REPO && XDG_CACHE_HOME=... ${cmd[*]})"
echo "warm cache: $(measure "$runs" 0)"
cold_runs=$(( runs < 3 ? runs : 3 ))  # each compiles the whole rule set
echo "cold cache: $(measure "$cold_runs" 1)"
if command -v hyperfine >/dev/null 2>&1; then
    echo "--- hyperfine (warm) ---"
    (cd "$repo" && XDG_CACHE_HOME="$cache" hyperfine -N --warmup 3 --runs "$runs" --style basic "${cmd[*]}" 2>&1 \
        | grep -E 'Time|Range' || true)
fi
git -C "$repo" reset -q --hard
