#!/usr/bin/env bash
# history_bench.sh: end-to-end full-history benchmark of keysweep against `git cat-file`.
#
#   bench/history_bench.sh [--build DIR] [--keysweep PATH] [--generator PATH] [--repo DIR]
#                          [--commits N] [--blob-bytes SIZE] [--keys K] [--runs R] [--threads "1 2"]
#                          [--save-report FILE]
#
# 1. Makes the benchmark repository with make_history_repo if it is not there yet (cached in
#    BUILD/bench-repo-<commits>-<size>: repo.git, manifest.tsv, info.txt).
# 2. Times, after one warm-up run each (page cache warm for both), R runs of
#      git -C REPO cat-file --batch-all-objects --batch --unordered >/dev/null
#      keysweep scan REPO --format json --quiet --output FILE
#    and R runs of keysweep with each --threads value; reports medians, the ratio keysweep/git, bytes
#    scanned per second (keysweep's JSON summary), keysweep's peak RSS (/usr/bin/time %M).
# 3. Checks every planted key (manifest.tsv: sha256 of the secret) against the findings' `secret`, and
#    whether the finding names the commit and path that introduced it.
# Prints a Markdown table for the README. Exit: 0 all planted keys found; 1 some missed; 2 error.
# Needs: git, jq, sha256sum, /usr/bin/time (Debian: apt-get install git jq coreutils time).

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build="$here/../build"
keysweep="" generator="" repo_dir="" save_report=""
commits=20000 blob_bytes=5G keys=50 runs=3 threads_list="1 2"

usage() { sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "history_bench: $*" >&2; exit 2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --keysweep) keysweep=$2; shift 2 ;;
    --generator) generator=$2; shift 2 ;;
    --repo) repo_dir=$2; shift 2 ;;
    --commits) commits=$2; shift 2 ;;
    --blob-bytes) blob_bytes=$2; shift 2 ;;
    --keys) keys=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --threads) threads_list=$2; shift 2 ;;
    --save-report) save_report=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done

[[ -n $keysweep ]] || keysweep="$build/keysweep"
[[ -n $generator ]] || generator="$build/bench/make_history_repo"
[[ -n $repo_dir ]] || repo_dir="$build/bench-repo-$commits-$blob_bytes"
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive number"
for tool in git jq sha256sum awk; do
  command -v "$tool" >/dev/null || die "$tool is missing (apt-get install git jq coreutils gawk)"
done
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (apt-get install time)"
# Output goes to /dev/null by the gigabyte: make sure it is still the null device.
[[ -c /dev/null ]] || die "/dev/null is not a character device on this machine (recreate it: mknod -m 666 /dev/null c 1 3)"
[[ -x $keysweep ]] || die "no keysweep binary at $keysweep (build it, or pass --keysweep PATH)"

# -- the repository ----------------------------------------------------------------------------------
if [[ ! -f $repo_dir/manifest.tsv || ! -d $repo_dir/repo.git ]]; then
  [[ -x $generator ]] || die "no generator at $generator (build target make_history_repo, or pass --generator)"
  echo "history_bench: generating $repo_dir ($commits commits, $blob_bytes of blobs, $keys keys)" >&2
  t0=$(date +%s%N)
  "$generator" "$repo_dir" --commits "$commits" --blob-bytes "$blob_bytes" --keys "$keys" --force
  gen_s=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN{printf "%.1f", (b-a)/1e9}')
  echo "history_bench: generated in $gen_s s" >&2
fi
repo="$repo_dir/repo.git"
manifest="$repo_dir/manifest.tsv"

work=$(mktemp -d "${TMPDIR:-/tmp}/history_bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Facts about the repository, from git itself.
git -C "$repo" cat-file --batch-all-objects --batch-check='%(objecttype) %(objectsize)' |
  awk '{n[$1]++; s[$1]+=$2} END{printf "%d %.0f %d %d\n", n["blob"], s["blob"], n["commit"], n["tree"]}' >"$work/facts"
read -r repo_blobs repo_blob_bytes repo_commits repo_trees <"$work/facts"
pack_bytes=$(du -sb "$repo/objects/pack" | cut -f1)
refs=$(git -C "$repo" for-each-ref | wc -l)

# -- timing ---------------------------------------------------------------------------------------------
# timed LABEL CMD...: runs CMD (stdout to /dev/null), appends "wall_s rss_kib exit" to $work/LABEL.
timed() {
  local label=$1; shift
  local t0 t1 rc=0
  t0=$(date +%s%N)
  /usr/bin/time -f '%M' -o "$work/time.out" "$@" >/dev/null 2>"$work/$label.err" || rc=$?
  t1=$(date +%s%N)
  echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", (b-a)/1e9}') $(tail -n1 "$work/time.out") $rc" >>"$work/$label"
  return 0
}
median() {  # median of column $2 of file $1
  awk -v c="$2" '{print $c}' "$1" | sort -g | awk '{v[NR]=$1} END{if (NR%2) print v[(NR+1)/2]; else printf "%.3f\n", (v[NR/2]+v[NR/2+1])/2}'
}
maxcol() { awk -v c="$2" 'BEGIN{m=0} {if ($c>m) m=$c} END{print m}' "$1"; }
check_git() {
  local bad
  bad=$(awk '$3 != 0 {print $3; exit}' "$work/$1")
  [[ -z $bad ]] || die "git cat-file failed (exit status $bad): $(head -c 2000 "$work/$1.err")"
}
check_rc() {  # keysweep: 0 (nothing found) and 1 (findings) are fine; anything else is an error
  local bad
  bad=$(awk '$3 != 0 && $3 != 1 {print $3; exit}' "$work/$1")
  [[ -z $bad ]] || die "keysweep failed ($1: exit status $bad$( ((bad > 128)) && echo ", signal $((bad - 128))")); its stderr: $(head -c 2000 "$work/$1.err")"
}

git_cmd=(git -C "$repo" cat-file --batch-all-objects --batch --unordered)
ks_cmd=("$keysweep" scan "$repo" --format json --quiet --output "$work/report.json")

echo "history_bench: warm-up" >&2
timed warm_git "${git_cmd[@]}"
check_git warm_git
timed warm_ks "${ks_cmd[@]}"
check_rc warm_ks

for ((i = 1; i <= runs; i++)); do
  echo "history_bench: run $i/$runs" >&2
  timed git "${git_cmd[@]}"
  timed ks "${ks_cmd[@]}"
done
check_git git
check_rc ks
for t in $threads_list; do
  for ((i = 1; i <= runs; i++)); do
    echo "history_bench: --threads $t, run $i/$runs" >&2
    timed "ks_t$t" "$keysweep" scan "$repo" --format json --quiet --threads "$t" --output "$work/report_t$t.json"
  done
  check_rc "ks_t$t"
done

git_s=$(median "$work/git" 1)
ks_s=$(median "$work/ks" 1)
ks_rss_kib=$(maxcol "$work/ks" 2)
git_rss_kib=$(maxcol "$work/git" 2)

# -- what keysweep says about its scan ------------------------------------------------------------------
report="$work/report.json"
jq -e . "$report" >/dev/null 2>&1 || die "keysweep's JSON report does not parse"
summary_field() {  # first value of a field anywhere outside findings (the summary's place may move)
  jq -r --arg f "$1" '[del(.findings) | .. | objects | select(has($f)) | .[$f]] | first // empty' "$report"
}
bytes_scanned=$(summary_field bytes_scanned)
blobs_scanned=$(summary_field blobs_scanned)
ks_seconds=$(summary_field seconds)
n_findings=$(jq '.findings | length' "$report")
[[ -z $save_report ]] || cp "$report" "$save_report"

# -- planted keys ---------------------------------------------------------------------------------------
# One file per finding's secret (no trailing newline), hashed by one sha256sum; "hash<TAB>commit<TAB>path".
mkdir "$work/s"
jq -r '.findings[] | [(.secret // ""), (.commit // ""), (.path // ""), (.rule_id // "")] | @tsv' "$report" >"$work/findings.tsv"
awk -F'\t' -v d="$work/s" '{f = sprintf("%s/%08d", d, NR); printf "%s", $1 > f; close(f); print $2 "\t" $3 "\t" $4 > (d ".meta")}' "$work/findings.tsv"
: >"$work/found.tsv"
if [[ -s $work/findings.tsv ]]; then
  (cd "$work/s" && find . -type f -name '[0-9]*' | sort | xargs sha256sum) | awk '{print $1}' >"$work/s.hash"
  paste "$work/s.hash" "$work/s.meta" >"$work/found.tsv"
fi
# manifest: kind sha commit branch path removed_in
awk -F'\t' '
  FNR == NR { found[$1] = 1; at[$1 "\t" $2 "\t" $3] = 1; rule[$1] = $4; next }
  /^#/ { next }
  { planted++
    if ($2 in found) {
      hit++
      if (($2 "\t" $3 "\t" $5) in at) attributed++
      else if (++nmis <= 10) misattr = misattr "  not attributed to its planting commit/path: " $1 " in " substr($3, 1, 12) " " $5 "\n"
    } else {
      missed = missed "  MISSED " $1 " planted in " substr($3, 1, 12) " on " $4 " at " $5 (($6 != "-") ? " (removed later)" : "") "\n"
    } }
  END {
    printf "%d %d %d\n", planted, hit, attributed
    if (nmis > 10) misattr = misattr "  ... and " (nmis - 10) " more not attributed to their planting commit/path\n"
    printf "%s%s", missed, misattr > "/dev/stderr" }
' "$work/found.tsv" "$manifest" >"$work/keys" 2>"$work/keys.detail"
read -r planted found attributed <"$work/keys"
planted_hashes=$(awk -F'\t' '!/^#/ {print $2}' "$manifest" | sort -u)
other=$(awk '{print $1}' "$work/found.tsv" | sort | grep -v -x -F -f <(echo "$planted_hashes") | wc -l || true)

# -- table ----------------------------------------------------------------------------------------------
fmt_s() { awk -v x="$1" 'BEGIN{printf "%.2f s", x}'; }
mib() { awk -v x="$1" 'BEGIN{printf "%.0f MiB", x/1048576}'; }
ratio=$(awk -v a="$ks_s" -v b="$git_s" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else print "n/a"}')
rate=""
if [[ -n $bytes_scanned && -n $ks_seconds ]]; then
  rate=$(awk -v b="$bytes_scanned" -v s="$ks_seconds" 'BEGIN{ if (s > 0) printf "%.0f MiB/s", b/s/1048576; else print "n/a"}')
fi
wall_rate=$(awk -v b="${bytes_scanned:-$repo_blob_bytes}" -v s="$ks_s" 'BEGIN{ if (s > 0) printf "%.0f MiB/s", b/s/1048576; else print "n/a"}')
threads_rows=""
first_t="" first_s=""
for t in $threads_list; do
  s=$(median "$work/ks_t$t" 1)
  r=$(maxcol "$work/ks_t$t" 2)
  extra=""
  if [[ -z $first_t ]]; then first_t=$t; first_s=$s; else
    extra=$(awk -v a="$first_s" -v b="$s" -v t0="$first_t" 'BEGIN{ if (b > 0) printf ", speed-up %.2fx over --threads %s", a/b, t0}')
  fi
  threads_rows+="| keysweep \`--threads $t\` | $(fmt_s "$s") (peak RSS $(mib $((r * 1024)))$extra) |"$'\n'
done

cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
ks_version=$("$keysweep" --version 2>/dev/null | head -n1 || true)
src_rev=$(git -C "$here/.." rev-parse --short HEAD 2>/dev/null || true)
if [[ -n $src_rev ]] && ! git -C "$here/.." diff --quiet HEAD -- scanner patterns 2>/dev/null; then
  src_rev+=" + uncommitted changes"
fi
cat <<EOF

### Full-history scan, $(date -u +%Y-%m-%d), $(nproc) cores${cpu:+ ($cpu)}, median of $runs warm runs

${ks_version:-keysweep}${src_rev:+ (source $src_rev)}, git $(git --version | awk '{print $3}')

| | |
|---|---|
| repository | $repo_commits commits, $refs refs, $repo_blobs blobs ($(mib "$repo_blob_bytes") uncompressed), pack $(mib "$pack_bytes") |
| \`git cat-file --batch-all-objects --batch --unordered\` | $(fmt_s "$git_s") (peak RSS $(mib $((git_rss_kib * 1024)))) |
| \`keysweep scan\` (default threads) | $(fmt_s "$ks_s") |
| ratio keysweep / git | **$ratio** |
| keysweep bytes scanned / its own \`seconds\` | ${bytes_scanned:-?} B / ${ks_seconds:-?} s = ${rate:-n/a} (wall: $wall_rate) |
| keysweep blobs scanned / blobs in the repository | ${blobs_scanned:-?} / $repo_blobs |
| keysweep peak RSS | $(mib $((ks_rss_kib * 1024))) |
${threads_rows}| planted keys found | **$found / $planted** ($attributed attributed to the planting commit and path) |
| other findings (real text on the machine) | $other of $n_findings |

Runs (wall s): git: $(awk '{printf "%s ", $1}' "$work/git")· keysweep: $(awk '{printf "%s ", $1}' "$work/ks")
EOF
if [[ -s $work/keys.detail ]]; then
  echo
  cat "$work/keys.detail"
fi
if [[ $found -lt $planted ]]; then
  echo "history_bench: $((planted - found)) planted key(s) missed" >&2
  exit 1
fi
exit 0
