#!/usr/bin/env bash
# Runs every Go fuzz target in the module for the given time each.
# A package whose targets cannot be listed (it does not build) fails the
# run instead of being skipped, and minimising a new input is bounded so a
# short slot is spent fuzzing, not minimising.
set -euo pipefail
t=${1:-30s}
min=${FUZZMINIMIZE:-5s}
for pkg in $(go list ./...); do
  list=$(go test -list '^Fuzz' "$pkg") || { echo "fuzz-all: cannot list fuzz targets of $pkg" >&2; exit 1; }
  for f in $(printf '%s\n' "$list" | grep '^Fuzz' || true); do
    echo "== $pkg $f ($t)"
    go test -run '^$' -fuzz "^$f\$" -fuzztime "$t" -fuzzminimizetime "$min" "$pkg"
  done
done
