#!/usr/bin/env bash
# tui-smoke: drive `signbox demo`, `signbox init` and `signbox` in a real
# terminal (tmux, 80x24, NO_COLOR) and check what a person would see.
# Usage: scripts/tui-smoke.sh BIN
#
# First a fresh appliance that is not the demo: four SoftHSM tokens
# (alice, bob, carol, the operator's audit token), alice and bob enrol,
# `signbox init` runs in the TUI (the plan, four PINs typed, carol enrolled
# on her token during the genesis, the paper log),
# then `signbox` alone in that workspace opens the status screen (the
# operator's PIN at the prompt), reaches Choose a ceremony and back, and
# shows the too-small guard at 60x18. SMOKE_ONLY=init stops there.
#
# Walks the release ceremony: import -> review -> triage (decides every
# open finding) -> plan -> approvals -> sign -> verify -> export -> done,
# then rehearses the bundle on the emulated device and confirms it, and
# shrinks the terminal to 60x18 to check the too-small guard, then opens
# the same workspace with `signbox open` at the home screen.
# Approvals need the demo custodians' PINs: set SIGNBOX_SMOKE_PINS to two
# of them, space-separated, in custodian order (or let the demo write
# <workspace>/demo-pins, one per line). SMOKE_SCREENS=FILE keeps every
# checked screen. Without them the walk stops after
# the plan, aborts the ceremony (recorded, with the offered reason) and
# checks the audit log instead.
set -euo pipefail

bin=${1:?usage: scripts/tui-smoke.sh path/to/signbox}
[[ -x $bin ]] || { echo "tui-smoke: $bin is not an executable" >&2; exit 2; }
command -v tmux >/dev/null || { echo "tui-smoke: tmux is not installed (apt-get install tmux)" >&2; exit 2; }

timeout_s=${SMOKE_TIMEOUT:-60}
work=$(mktemp -d)
session="signbox-smoke-$$"
log="$work/screens.txt"

cleanup() {
	if [[ -n ${SMOKE_SCREENS:-} && -f $log ]]; then cp "$log" "$SMOKE_SCREENS"; fi
	tmux kill-session -t "$session" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

screen() { tmux capture-pane -p -t "$session"; }

fail() {
	echo "tui-smoke: FAIL: $*" >&2
	echo "--- screen ---" >&2
	screen >&2 || true
	echo "--------------" >&2
	exit 1
}

# wait_for TEXT: poll the screen until TEXT shows, or fail.
wait_for() {
	local deadline=$((SECONDS + timeout_s))
	while ((SECONDS < deadline)); do
		if ! tmux has-session -t "$session" 2>/dev/null; then
			fail "signbox exited while waiting for '$1'"
		fi
		if screen | grep -qF -- "$1"; then
			check_frame
			return 0
		fi
		sleep 0.2
	done
	fail "timed out after ${timeout_s}s waiting for '$1'"
}

# wait_text TEXT: like wait_for, for screens that are not the 80x24 frame
# (the too-small guard).
wait_text() {
	local deadline=$((SECONDS + timeout_s))
	while ((SECONDS < deadline)); do
		if screen | grep -qF -- "$1"; then
			screen >>"$log"
			printf '=====\n' >>"$log"
			return 0
		fi
		sleep 0.2
	done
	fail "timed out after ${timeout_s}s waiting for '$1'"
}

# wait_gone TEXT: poll until TEXT has left the screen (a form closed).
wait_gone() {
	local deadline=$((SECONDS + timeout_s))
	while ((SECONDS < deadline)); do
		if ! screen | grep -qF -- "$1"; then
			if screen | grep -qF -- "Error:"; then fail "error after saving"; fi
			check_frame
			return 0
		fi
		if screen | grep -qF -- "Error:"; then fail "error while waiting for '$1' to go"; fi
		sleep 0.2
	done
	fail "timed out after ${timeout_s}s waiting for '$1' to go"
}

# check_frame: every screen fits 80x24 and ends with a help line.
check_frame() {
	local s
	s=$(screen)
	printf '%s\n=====\n' "$s" >>"$log"
	if grep -q $'\x1b' <<<"$s"; then fail "escape codes on screen under NO_COLOR"; fi
	if (($(LC_ALL=C.UTF-8 wc -L <<<"$s") > 80)); then fail "a line is wider than 80 columns"; fi
	local help
	help=$(tail -n 1 <<<"$s")
	[[ $help == *"•"* || $help == *enter* || $help == *esc* ]] || fail "no help line at the bottom"
	if grep -qE '^panic: |goroutine [0-9]+ \[' <<<"$s"; then fail "panic on screen"; fi
}

keys() { tmux send-keys -t "$session" "$@"; }
type_text() { tmux send-keys -t "$session" -l -- "$1"; }

# --- signbox init and signbox on a workspace that is not the demo ---
module=${SIGNBOX_SOFTHSM_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
ihsm=$work/init-hsm
mkdir -p "$ihsm/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$ihsm/tokens" >"$ihsm/softhsm2.conf"
tpl=$work/genesis.yaml
printf 'version: 1\nname: smoke\nserial: 1\nproducts:\n  - {id: pump, chip: esp32c6}\ncustodians:\n' >"$tpl"
for t in alice bob carol audit; do
	env SOFTHSM2_CONF="$ihsm/softhsm2.conf" P="$t-pin" SO="$t-so" "$bin" hsm init-token --module "$module" --label "$t" --pin-env P --so-pin-env SO >/dev/null
	[[ $t == audit ]] && continue
	# carol is named without keys: signbox init enrols her on her token.
	if [[ $t == carol ]]; then printf '  - {name: carol, role: custodian}\n' >>"$tpl"; continue; fi
	env SOFTHSM2_CONF="$ihsm/softhsm2.conf" P="$t-pin" "$bin" custodian enrol --name "$t" --token "pkcs11:token=$t?module-path=$module" --pin-env P | grep -v '^#' >>"$tpl"
done
cat >>"$tpl" <<'YAML'
quorum:
  key_generation: {threshold: 2, roles: [custodian]}
  release_signing: {threshold: 2, roles: [custodian]}
  key_revocation: {threshold: 2, roles: [custodian]}
  policy_change: {threshold: 3, roles: [custodian]}
keys:
  secure_boot:
    - {slot: 0, label: sbv2-slot0, algorithm: ecdsa-p256, status: planned, backup: true}
  release_bundle: {label: release-bundle, algorithm: ecdsa-p256, status: planned, backup: true}
  audit_mac: {label: audit-mac, algorithm: hmac-sha256, status: planned}
  audit_checkpoint: {label: audit-checkpoint, algorithm: ed25519, status: planned}
release:
  security_version: {monotonic: true, max: 16}
  vuln_gate: {block_at: high, block_in_triage: true, exploitable_needs_response: true, allow_unchecked: true}
  sbom: {required: true, min_spec_version: "1.5", require_hashes: false}
  max_feed_age: 7d
YAML
iws=$work/appliance
uri() { printf 'pkcs11:token=%s?module-path=%s' "$1" "$module"; }
tmux new-session -d -s "$session" -x 80 -y 24 \
	"env NO_COLOR=1 TERM=xterm-256color SOFTHSM2_CONF='$ihsm/softhsm2.conf' '$bin' init --workspace '$iws' --policy '$tpl' --label appliance --module '$module' --audit-token '$(uri audit)' --founder alice='$(uri alice)' --founder bob='$(uri bob)' --founder carol='$(uri carol)'; echo 'signbox exited: '\$?; sleep 30"
wait_for "Initialise the appliance (genesis)"
wait_for "carol"
# The too-small guard holds the genesis too: no key acts at 60x18.
tmux resize-window -t "$session" -x 60 -y 18
wait_text "Terminal too small: need 80×24, have 60×18."
keys Enter
sleep 0.5
screen | grep -qF "Terminal too small" || fail "a key acted under the too-small guard"
tmux resize-window -t "$session" -x 80 -y 24
wait_for "Read this aloud. Nothing is made"
keys Enter
for who in audit alice bob carol; do
	wait_for "PIN:"
	type_text "$who-pin"
	if screen | grep -qF -- "$who-pin"; then fail "the PIN is visible on screen"; fi
	keys Enter
done
wait_for "Press y to make the appliance"
keys y
wait_for "Genesis complete."
wait_for "founder carol enrolled (made on their token)"
keys NPage
wait_for "eFuse digest (slot 0)"
keys Enter
wait_text "appliance made in $iws"
wait_text "signbox exited: 0"
tmux kill-session -t "$session" 2>/dev/null || true

# `signbox` alone inside the new workspace: the status screen.
tmux new-session -d -s "$session" -x 80 -y 24 -c "$iws" \
	"env NO_COLOR=1 TERM=xterm-256color SOFTHSM2_CONF='$ihsm/softhsm2.conf' '$bin'; echo 'signbox exited: '\$?; sleep 30"
wait_text "PIN for the audit token (operator)"
type_text "audit-pin"
keys Enter
wait_for "Workspace and HSM status"
wait_for "locked, anchor #1"
keys Enter
wait_for "Choose a ceremony"
wait_for "Release signing"
keys Escape
wait_for "Workspace and HSM status"
tmux resize-window -t "$session" -x 60 -y 18
wait_text "Terminal too small: need 80×24, have 60×18."
keys Enter
sleep 0.5
screen | grep -qF "Terminal too small" || fail "a key acted under the too-small guard"
tmux resize-window -t "$session" -x 80 -y 24
wait_for "Workspace and HSM status"
keys q
wait_text "signbox exited: 0"
tmux kill-session -t "$session" 2>/dev/null || true
echo "tui-smoke: init and signbox on a new appliance OK ($(grep -c '^=====$' "$log") screens checked)"
if [[ ${SMOKE_ONLY:-} == init ]]; then exit 0; fi

tmux new-session -d -s "$session" -x 80 -y 24 \
	"env NO_COLOR=1 TERM=xterm-256color '$bin' demo --workspace '$work/ws'; echo 'signbox exited: '\$?; sleep 30"

wait_for "Import media"
keys Enter
wait_for "Review the request"
wait_for "Security version"
keys Enter
wait_for "Vulnerability triage"
wait_for "Gate:"

# Decide every open finding, as the custodians would: the list shows the
# undecided ones first and the cursor moves to the next one after each
# save. not_affected / code_not_present with a detail.
n=$(screen | grep -oE '^[0-9]+ findings, [0-9]+ decided' | awk '{print $1 - $3}' || echo 0)
for ((i = 0; i < n; i++)); do
	wait_for "> GO-"
	screen | grep -E '^> ' | grep -qF UNDECIDED || fail "the cursor is not on an undecided finding"
	keys Enter
	wait_for "Decided by"
	keys Tab Right Tab Tab
	type_text "tui smoke: not reachable in this configuration"
	keys Enter
	wait_gone "Decided by"
done
wait_for "Gate: OPEN"
keys c
wait_for "Plan review"
wait_for "Plan digest"
keys Enter
wait_for "Approvals 0 of"

pins=${SIGNBOX_SMOKE_PINS:-}
if [[ -z $pins && -f $work/ws/demo-pins ]]; then
	pins=$(tr '\n' ' ' <"$work/ws/demo-pins")
fi
if [[ -z $pins ]]; then
	echo "tui-smoke: no custodian PINs (SIGNBOX_SMOKE_PINS); aborting the ceremony after the plan"
	keys Escape
	wait_for "Leave this ceremony?"
	wait_for "the plan stays on disk (no approvals yet)"
	keys x
	wait_for "Reason: operators left at: Approvals"
	keys Enter
	wait_for "the abort is recorded in the audit log"
	wait_for "Workspace and HSM status"
	keys a
	wait_for "Audit log"
	keys Escape
	wait_for "Workspace and HSM status"
	keys q
	echo "tui-smoke: OK (partial walk; $(grep -c '^=====$' "$log") screens checked)"
	exit 0
fi

first=1
for pin in $pins; do
	((first)) || keys Down
	first=0
	keys Enter
	wait_for "choose your token"
	keys Enter
	wait_for "PIN:"
	type_text "$pin"
	if screen | grep -qF -- "$pin"; then fail "the PIN is visible on screen"; fi
	keys Enter
	wait_for "approved the plan"
done
wait_for "Quorum reached"
keys c
wait_for "now?"
keys y
wait_for "Every step completed"
keys Enter
wait_for "All checks passed"
keys Enter
wait_for "Media path:"
keys Enter
wait_for "Press y to write"
keys y
wait_for "Ceremony complete"
wait_for "Audit checkpoint"
keys d
wait_for "Device rehearsal"
keys Enter
wait_for "Boot trace"
wait_for "State   PENDING_VERIFY"
keys c
wait_for "Press y to confirm"
keys y
wait_for "State   VALID"
wait_for "eFuse secure version 2"
keys Escape
wait_for "Workspace and HSM status"
keys '?'
wait_for "Help: Workspace and HSM status"
keys Escape
wait_for "Workspace and HSM status"

# The too-small guard: at 60x18 only the guard is drawn and no key acts;
# back at 80x24 the screen returns.
tmux resize-window -t "$session" -x 60 -y 18
wait_text "Terminal too small: need 80×24, have 60×18."
keys q
sleep 0.5
screen | grep -qF "Terminal too small" || fail "a key acted under the too-small guard"
tmux resize-window -t "$session" -x 80 -y 24
wait_for "Workspace and HSM status"
keys q

# `signbox open` on the same workspace, as on any appliance: the home
# screen, the appliance token locked, the audit token open by the operator.
tmux kill-session -t "$session" 2>/dev/null || true
sleep 0.5
tmux new-session -d -s "$session" -x 80 -y 24 \
	"env NO_COLOR=1 TERM=xterm-256color SOFTHSM2_CONF='$work/ws/hsm/softhsm2.conf' OP=operator-pin '$bin' open --workspace '$work/ws' --date 2026-12-01 --operator-pin-env OP; echo 'signbox exited: '\$?; sleep 30"
wait_for "Workspace and HSM status"
wait_for "locked, anchor #"
keys q
echo "tui-smoke: OK ($(grep -c '^=====$' "$log") screens checked)"
