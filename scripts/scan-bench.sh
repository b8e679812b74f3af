#!/usr/bin/env bash
# Whole-process timing of `signbox vuln scan --vex` (docs/BENCHMARKS.md,
# "sbom/vuln"): generated SBOMs of 1,034 (real Go feed), 10,000 and 100,000
# components (synthetic feed), plus the real proton-bridge SBOM, each timed
# RUNS times with /usr/bin/time -v (wall and peak RSS); the median is shown.
# With OSV_SCANNER=/path/to/osv-scanner (2.5, built as in
# ../shared/design/vuln.md section 5) the peer runs interleaved with signbox
# on the same SBOMs and the same Go all.zip, offline, --format json.
#
#   scripts/scan-bench.sh                 # RUNS=5 SIZES="1k 10k 100k"
#   RUNS=9 SIZES=1k OSV_SCANNER=~/osv-scanner scripts/scan-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
SIZES=${SIZES:-"pb 1k 10k 100k"}
SHARED=${SIGNBOX_SHARED:-../shared}
DATA=$SHARED/data
[ -f "$DATA/osv/Go/all.zip" ] || { echo "scan-bench: $DATA/osv/Go/all.zip not found (set SIGNBOX_SHARED)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "scan-bench: needs GNU time (/usr/bin/time; apt-get install time)" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/scan-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
go build -o "$WORK/signbox" ./cmd/signbox
go build -o "$WORK/scanbench" ./scripts/scanbench

prepare() { # name -> $WORK/ws-name, $WORK/name.cdx.json
	case $1 in
	pb)
		"$WORK/scanbench" -ws "$WORK/ws-pb" -sbom "$WORK/unused.cdx.json" -n 1 -feed "$DATA/osv/Go/all.zip"
		cp "$DATA/sbom/proton-bridge-v1.8.0.cdx.json" "$WORK/pb.cdx.json" ;;
	1k) "$WORK/scanbench" -ws "$WORK/ws-1k" -sbom "$WORK/1k.cdx.json" -n 1034 -feed "$DATA/osv/Go/all.zip" ;;
	10k) "$WORK/scanbench" -ws "$WORK/ws-10k" -sbom "$WORK/10k.cdx.json" -n 10000 ;;
	100k) "$WORK/scanbench" -ws "$WORK/ws-100k" -sbom "$WORK/100k.cdx.json" -n 100000 ;;
	*) echo "scan-bench: unknown size $1" >&2; exit 2 ;;
	esac
}

# timed LABEL CMD... appends "wall_s rss_kib" to $WORK/LABEL.times
timed() {
	local label=$1; shift
	/usr/bin/time -v -o "$WORK/time.txt" "$@" >/dev/null 2>"$WORK/stderr.txt" || true
	local wall rss
	wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$WORK/time.txt")
	rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
	echo "$wall $rss" >>"$WORK/$label.times"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

peer_db() { # the Go all.zip where osv-scanner 2.5 reads it offline (vuln.md section 2)
	mkdir -p "$WORK/osvdb/osv-scalibr/Go"
	cp "$DATA/osv/Go/all.zip" "$WORK/osvdb/osv-scalibr/Go/all.zip"
}

printf '%-6s %10s %8s %12s %s\n' size components findings "median wall" "max RSS (MiB), signbox | peer"
for size in $SIZES; do
	prepare "$size"
	[ -n "${OSV_SCANNER:-}" ] && peer_db
	for i in $(seq 1 "$RUNS"); do
		rm -f "$WORK/vex.json"
		timed "signbox-$size" "$WORK/signbox" vuln scan "$WORK/$size.cdx.json" --workspace "$WORK/ws-$size" \
			--date 2026-09-01 --vex "$WORK/vex.json"
		if [ -n "${OSV_SCANNER:-}" ]; then
			timed "peer-$size" unshare -n "$OSV_SCANNER" scan source --offline-vulnerabilities \
				--local-db-path "$WORK/osvdb" -L "$WORK/$size.cdx.json" --format json --output "$WORK/peer.json"
		fi
	done
	read -r comps findings < <("$WORK/signbox" vuln scan "$WORK/$size.cdx.json" --workspace "$WORK/ws-$size" --date 2026-09-01 2>/dev/null |
		awk '/components scanned/ {print $1, $(NF-1)}' || true)
	line=$(printf '%-6s %10s %8s %10ss %8s' "$size" "$comps" "$findings" \
		"$(cut -d' ' -f1 "$WORK/signbox-$size.times" | median)" \
		"$(cut -d' ' -f2 "$WORK/signbox-$size.times" | sort -n | tail -1 | awk '{printf "%.0f", $1/1024}')")
	if [ -n "${OSV_SCANNER:-}" ]; then
		line+=$(printf ' | peer %ss %s MiB' "$(cut -d' ' -f1 "$WORK/peer-$size.times" | median)" \
			"$(cut -d' ' -f2 "$WORK/peer-$size.times" | sort -n | tail -1 | awk '{printf "%.0f", $1/1024}')")
	fi
	echo "$line"
	rm -rf "$WORK/ws-$size" "$WORK/$size.cdx.json" "$WORK"/*.times
done
echo "($RUNS runs each, $(nproc) cores, $(date -u +%Y-%m-%d), $(go version | cut -d' ' -f3))"
