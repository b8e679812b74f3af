#!/usr/bin/env bash
# Mutation testing of the security-critical packages with gremlins
# (github.com/go-gremlins/gremlins): every covered comparison, boundary,
# arithmetic and increment in a package is broken one at a time and the
# package's own tests are run; a mutant no test notices "lived".
#
#   scripts/mutate.sh [pkg ...]   (default: the packages in MUTATE_PKGS)
#
# Slow by design (one `go test` per mutant), so it is `make mutate`, never
# part of `make test`. Each package runs alone under nice; results go to
# $MUTATE_OUT (default bin/mutate): <pkg>.log (every mutant and its status),
# <pkg>.json (gremlins' machine-readable report) and summary.txt.
# docs/TESTING.md lists the last figures and the accepted survivors.
set -euo pipefail
cd "$(dirname "$0")/.."
version=${GREMLINS_VERSION:-v0.6.0}
bin=${GREMLINS:-$PWD/bin/gremlins}
if [ ! -x "$bin" ]; then
  echo "mutate: installing gremlins $version into $(dirname "$bin") (needs the Go module proxy or a module cache)" >&2
  GOBIN=$(dirname "$bin") go install "github.com/go-gremlins/gremlins/cmd/gremlins@$version"
fi
out=${MUTATE_OUT:-$PWD/bin/mutate}
mkdir -p "$out"
default="device/esp device/emu ceremony bundle audit airgap policy vuln custody anchor"
pkgs=${*:-${MUTATE_PKGS:-$default}}
workers=${MUTATE_WORKERS:-1}
# MUTATE_EXCLUDE: space-separated file regexps gremlins skips, e.g. to
# mutate only a package's verification path: '(^|/)sign\.go$ (^|/)doc\.go$'.
excl=()
for x in ${MUTATE_EXCLUDE:-}; do excl+=(-E "$x"); done
status=0
for p in $pkgs; do
  name=${p//\//-}
  echo "== mutate $p" >&2
  # The exit status of a run is gremlins' own (it fails only on its own
  # errors unless thresholds are set); the figures are read from its log.
  if ! nice -n 10 "$bin" unleash --workers "$workers" --timeout-coefficient "${MUTATE_TIMEOUT_COEFF:-10}" \
      ${excl[@]+"${excl[@]}"} -o "$out/$name.json" "./$p" >"$out/$name.log" 2>&1; then
    echo "mutate: gremlins failed on $p (see $out/$name.log)" >&2
    status=1
    continue
  fi
  grep -E 'LIVED|TIMED OUT' "$out/$name.log" | sed "s|^ *|  $p: |" >&2 || true
done
# summary: kill rate = (killed + timed out) / (killed + timed out + lived)
{
  printf '%-12s %7s %7s %7s %7s %9s\n' package killed timeout lived notcov killrate
  for p in $pkgs; do
    name=${p//\//-}
    [ -f "$out/$name.log" ] || continue
    awk -v p="$p" '
      /^Killed:/   { gsub(",", ""); k=$2; l=$4; nc=$7 }
      /^Timed out:/{ gsub(",", ""); to=$3 }
      END { if (k == "") { printf "%-12s (no result)\n", p; exit }
            d=k+to+l; r=(d>0)?100*(k+to)/d:100
            printf "%-12s %7d %7d %7d %7d %8.1f%%\n", p, k, to, l, nc, r }' "$out/$name.log"
  done
} | tee "$out/summary.txt"
exit $status
