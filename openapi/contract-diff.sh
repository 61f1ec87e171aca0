#!/usr/bin/env bash
# Diffs the contract against a base: prints oasdiff's changelog, then fails
# on breaking changes not acknowledged in openapi/breaking-acknowledged.txt.
#
#   contract-diff.sh [BASE_REF]          contract at BASE_REF vs the working tree
#                                        (default: merge base with main)
#   contract-diff.sh --files BASE REV    two contract files
#
# OASDIFF names the oasdiff binary (the Makefile installs a pinned one).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
oasdiff=${OASDIFF:-oasdiff}
levels="$here/oasdiff-levels.txt"
acknowledged=${ACKNOWLEDGED:-"$here/breaking-acknowledged.txt"}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ "${1:-}" = "--files" ]; then
  [ $# -eq 3 ] || { echo "usage: $0 --files BASE REV" >&2; exit 2; }
  base_file=$2 rev_file=$3
  label="$base_file"
else
  root=$(git -C "$here" rev-parse --show-toplevel)
  ref=${1:-}
  if [ -z "$ref" ]; then
    ref=$(git -C "$root" merge-base HEAD origin/main 2>/dev/null ||
      git -C "$root" merge-base HEAD main 2>/dev/null || true)
  fi
  if [ -z "$ref" ]; then
    echo "contract-diff: no base ref (no main branch to take a merge base with); pass one" >&2
    exit 2
  fi
  if ! git -C "$root" cat-file -e "$ref:openapi/tokens.yaml" 2>/dev/null; then
    echo "contract-diff: $ref has no openapi/tokens.yaml: nothing to compare against"
    exit 0
  fi
  base_file="$work/base.yaml"
  git -C "$root" show "$ref:openapi/tokens.yaml" > "$base_file"
  rev_file="$root/openapi/tokens.yaml"
  label="$ref"
fi

echo "Contract changes since $label:"
"$oasdiff" changelog "$base_file" "$rev_file" --flatten-allof --color never --format singleline
echo
echo "Breaking changes:"
"$oasdiff" breaking "$base_file" "$rev_file" --flatten-allof --color never --format singleline \
  --severity-levels "$levels" > "$work/breaking.txt"
cat "$work/breaking.txt"
# Each error as "METHOD PATH message", the form of the acknowledgement file.
sed -n 's/^error at [^,]*, in API \(.*\) \[[a-z-]*\]\. *$/\1/p' "$work/breaking.txt" > "$work/errors.txt"
reported=$(sed -n 's/^[0-9]* changes: \([0-9]*\) error.*/\1/p' "$work/breaking.txt")
if [ "${reported:-0}" != "$(wc -l < "$work/errors.txt" | tr -d ' ')" ]; then
  echo "contract-diff: oasdiff reported ${reported:-0} errors but $(wc -l < "$work/errors.txt") were read: output format changed?" >&2
  exit 1
fi
grep -v '^[[:space:]]*\(#\|$\)' "$acknowledged" > "$work/acknowledged.txt" || true
unacknowledged=$(grep -vxF -f "$work/acknowledged.txt" "$work/errors.txt" || true)
if [ -n "$unacknowledged" ]; then
  echo
  echo "contract-diff: breaking changes not acknowledged in openapi/breaking-acknowledged.txt:" >&2
  printf '%s\n' "$unacknowledged" >&2
  exit 1
fi
echo "contract-diff: no unacknowledged breaking change"
