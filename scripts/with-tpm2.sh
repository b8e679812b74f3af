#!/usr/bin/env bash
# Runs a command against a throwaway software TPM, the second PKCS#11
# implementation signbox tests on (tpm2-pkcs11 over swtpm):
#
#   scripts/with-tpm2.sh go test ./hsm/
#
# It starts, in a fresh temporary directory and on free 127.0.0.1 ports:
#   swtpm        the TPM 2.0 simulator (state in the temp dir),
#   dbus-daemon  a private bus for
#   tpm2-abrmd   the access broker / resource manager: tpm2-pkcs11 keeps
#                keys loaded, and a TPM holds only three objects at once, so
#                without a resource manager the second key fails with
#                TPM_RC_OBJECT_MEMORY (measured, swtpm 0.7.1);
# exports what the tests and the tpm2-pkcs11 module need, runs the command,
# and stops all three whatever the command's outcome. Nothing is left on the
# machine. Each test process keeps its token store (TPM2_PKCS11_STORE) in a
# temporary directory of its own (see hsm/hsmtest).
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 command [args...]" >&2
  exit 2
fi
for c in swtpm dbus-daemon tpm2-abrmd dbus-send; do
  command -v "$c" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin"
  if ! command -v "$c" >/dev/null 2>&1; then
    echo "signbox: $c missing: run scripts/ensure-deps.sh tpm2" >&2
    exit 1
  fi
done

dir=$(mktemp -d "${TMPDIR:-/tmp}/signbox-tpm2-XXXXXX")
pids=()
stop() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  [ -n "${SIGNBOX_TPM2_KEEP:-}" ] || rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# swtpm: two consecutive free ports (server, control), a few tries.
started=
for _ in 1 2 3 4 5 6 7 8; do
  port=$(( 20000 + RANDOM % 30000 ))
  port_free "$port" && port_free $((port + 1)) || continue
  mkdir -p "$dir/tpm"
  swtpm socket --tpm2 --tpmstate dir="$dir/tpm" \
    --server type=tcp,port="$port",bindaddr=127.0.0.1 \
    --ctrl type=tcp,port=$((port + 1)),bindaddr=127.0.0.1 \
    --flags not-need-init,startup-clear >"$dir/swtpm.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 40); do
    if ! port_free "$port"; then started=1; break; fi
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.05
  done
  [ -n "$started" ] && break
done
if [ -z "$started" ]; then
  echo "signbox: swtpm did not start on 127.0.0.1 (see $dir/swtpm.log)" >&2
  cat "$dir/swtpm.log" >&2 || true
  exit 1
fi

cat >"$dir/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$dir/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default"><allow send_destination="*"/><allow receive_sender="*"/><allow own="*"/></policy>
</busconfig>
EOF
dbus-daemon --config-file="$dir/bus.conf" --nofork >"$dir/dbus.log" 2>&1 &
pids+=($!)
export DBUS_SESSION_BUS_ADDRESS="unix:path=$dir/bus"
for _ in $(seq 40); do [ -S "$dir/bus" ] && break; sleep 0.05; done

name="com.intel.tss2.Tabrmd.signbox$port"
root=()
[ "$(id -u)" = 0 ] && root=(--allow-root)
tpm2-abrmd --session "${root[@]}" --flush-all --dbus-name="$name" \
  --tcti="swtpm:host=127.0.0.1,port=$port" >"$dir/abrmd.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  if timeout 2 dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
      org.freedesktop.DBus.NameHasOwner "string:$name" 2>/dev/null | grep -q true; then
    ready=1; break
  fi
  sleep 0.05
done
if [ -z "${ready:-}" ]; then
  echo "signbox: tpm2-abrmd did not start" >&2
  cat "$dir/abrmd.log" >&2 || true
  exit 1
fi

export TPM2_PKCS11_TCTI="tabrmd:bus_type=session,bus_name=$name"
export TPM2_PKCS11_LOG_LEVEL=0
export SIGNBOX_TOKEN_IMPL=tpm2
"$@"
