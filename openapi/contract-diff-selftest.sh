#!/usr/bin/env bash
# Proves the contract check works: it must fail on breaking changes (a
# response field removed, a parameter made required), pass on an additive
# one, and pass a breaking change once it is acknowledged.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
spec="$here/tokens.yaml"
diff_script="$here/contract-diff.sh"

# A response field removed: the ip property of a token.
sed '/^        ip:$/,/^        user_agent:$/{/^        user_agent:$/!d}' "$spec" > "$work/removed.yaml"
# A parameter made required: Fastly-OTP.
sed '/name: Fastly-OTP/,/required: false/ s/required: false/required: true/' "$spec" > "$work/required.yaml"
# Additive: a new optional response field.
sed 's/^        user_agent:$/        role:\n          type: string\n        user_agent:/' "$spec" > "$work/added.yaml"
for f in removed required added; do
  if cmp -s "$spec" "$work/$f.yaml"; then echo "selftest: the $f mutation changed nothing" >&2; exit 1; fi
done

expect() {
  local want=$1 name=$2
  if "$diff_script" --files "$spec" "$work/$name.yaml" > "$work/$name.out" 2>&1; then got=pass; else got=fail; fi
  if [ "$got" != "$want" ]; then
    cat "$work/$name.out" >&2
    echo "selftest: expected the contract check to $want on '$name', it did $got" >&2
    exit 1
  fi
  echo "selftest: '$name' -> $got, as expected"
}
expect fail removed
expect fail required
expect pass added
cp "$spec" "$work/same.yaml"
expect pass same

# An acknowledged breaking change passes: acknowledge every line reported
# for the removal, in the file's format (METHOD PATH message).
sed -n 's/^error at [^,]*, in API \(.*\) \[[a-z-]*\]\. *$/\1/p' "$work/removed.out" > "$work/ack.txt"
[ -s "$work/ack.txt" ] || { echo "selftest: no breaking lines to acknowledge" >&2; exit 1; }
ACKNOWLEDGED="$work/ack.txt" expect pass removed
