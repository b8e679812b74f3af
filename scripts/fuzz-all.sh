#!/usr/bin/env bash
# Runs every Go fuzz target in the module for the given time each and
# reports how many inputs each one executed.
# A package whose targets cannot be listed (it does not build) fails the
# run instead of being skipped, and minimising a new input is bounded
# (FUZZMINIMIZE, default 5s) so a short slot is spent fuzzing, not
# minimising. A failing target fails the run after the others have run.
#
#   scripts/fuzz-all.sh [FUZZTIME] [package pattern...]
set -euo pipefail
t=${1:-30s}
shift || true
min=${FUZZMINIMIZE:-5s}
report=$(mktemp)
log=$(mktemp)
trap 'rm -f "$report" "$log"' EXIT
failed=0
for pkg in $(go list "${@:-./...}"); do
  list=$(go test -list '^Fuzz' "$pkg") || { echo "fuzz-all: cannot list fuzz targets of $pkg" >&2; exit 1; }
  for f in $(printf '%s\n' "$list" | grep '^Fuzz' || true); do
    echo "== $pkg $f ($t)"
    status=ok
    nice -n "${FUZZNICE:-0}" go test -run '^$' -fuzz "^$f\$" -fuzztime "$t" -fuzzminimizetime "$min" "$pkg" 2>&1 | tee "$log" || status=FAIL
    # The last progress line says how far the fuzzer got:
    # "fuzz: elapsed: 30s, execs: 123456 (4115/sec), new interesting: 3 (total: 40)"
    execs=$(grep -o 'execs: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    inter=$(grep -o 'total: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    printf '%-32s %-28s %12s %8s %s\n' "${pkg#signbox/}" "$f" "${execs:-0}" "${inter:-?}" "$status" >>"$report"
    [ "$status" = ok ] || failed=1
  done
done
echo
echo "fuzz-all: FUZZTIME=$t FUZZMINIMIZE=$min"
printf '%-32s %-28s %12s %8s %s\n' package target execs corpus result
cat "$report"
exit $failed
