#!/usr/bin/env bash
# Mutation testing: runs gremlins over each package given, each against its
# own tests only, prints its efficacy and surviving mutants, and fails when
# efficacy is under 90% or a survivor is not listed in MUTATION.md as
# equivalent. Run it with `make mutate` (it installs the pinned gremlins).
#
#   GREMLINS=path/to/gremlins WORKERS=2 .ci/mutate.sh ./wrapper ./api
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
gremlins=${GREMLINS:-gremlins}
workers=${WORKERS:-2}
export FASTLY_TOKENS_MUTATION=1 # tests that cannot kill a mutant and cost seconds skip themselves
# gremlins times each mutant's tests against its coverage run: a cached
# (instant) coverage run would make every mutant time out.
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-count=1"
threshold=${THRESHOLD:-90}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The equivalent mutants MUTATION.md lists, as "path:line:col MUTATOR".
sed -n 's/^| `\([^`]*\)` | `\([A-Z_]*\)` |.*/\1 \2/p' "$root/MUTATION.md" | sort -u > "$work/listed"

status=0
summary=""
for pkg in "$@"; do
  dir=${pkg#./}
  echo "== $dir"
  # A package of a nested module (vault/) runs from that module's folder.
  modroot=$root
  rel=$dir
  if [ -f "$root/${dir%%/*}/go.mod" ] && [ "${dir%%/*}" != "$dir" ]; then
    modroot=$root/${dir%%/*}
    rel=${dir#*/}
  fi
  # Only this package's own files: gremlins would otherwise walk into
  # subpackages, whose mutants this package's tests cannot see.
  excludes=()
  while IFS= read -r sub; do
    [ "$sub" = "$rel" ] || excludes+=(--exclude-files "^${sub#"$rel"/}/")
  done < <(cd "$modroot" && go list -f '{{.Dir}}' "./$rel/..." | sed "s|^$modroot/||")
  (cd "$modroot" && "$gremlins" unleash --workers "$workers" --timeout-coefficient 10 -S lt "${excludes[@]}" "./$rel") \
    | tee "$work/out"
  efficacy=$(sed -n 's/^Test efficacy: \([0-9.]*\)%.*/\1/p' "$work/out")
  timedout=$(sed -n 's/^Timed out: \([0-9]*\),.*/\1/p' "$work/out")
  killed=$(sed -n 's/^Killed: \([0-9]*\),.*/\1/p' "$work/out")
  if [ "${timedout:-0}" -gt "${killed:-0}" ]; then
    echo "mutate: $dir: more mutants timed out ($timedout) than were killed ($killed): the timings are off" >&2
    status=1
  fi
  if [ -z "$efficacy" ]; then
    echo "mutate: no efficacy reported for $dir" >&2
    status=1
    continue
  fi
  summary+="$dir: efficacy ${efficacy}%"$'\n'
  if ! awk -v e="$efficacy" -v t="$threshold" 'BEGIN { exit !(e >= t) }'; then
    echo "mutate: $dir efficacy ${efficacy}% is under ${threshold}%" >&2
    status=1
  fi
  sed -n 's/^ *LIVED \([A-Z_]*\) at \(.*\)$/\2 \1/p' "$work/out" | while read -r loc mutator; do
    echo "$dir/$loc $mutator"
  done | sort -u > "$work/lived"
  unlisted=$(comm -23 "$work/lived" "$work/listed")
  if [ -n "$unlisted" ]; then
    echo "mutate: survivors in $dir not listed in MUTATION.md as equivalent:" >&2
    echo "$unlisted" >&2
    status=1
  fi
done
echo
echo "== efficacy"
printf '%s' "$summary"
exit "$status"
