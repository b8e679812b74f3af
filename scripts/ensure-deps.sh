#!/usr/bin/env bash
# Installs what signbox's build, tests and demo need on a Debian machine.
# As root it uses apt; otherwise it names the missing packages and stops.
# `ensure-deps.sh tmux` also wants tmux (only `make tui-smoke` drives a
# real terminal). `ensure-deps.sh registry` also wants docker-registry
# (Docker Distribution, started on 127.0.0.1 by scripts/registry.sh for
# the publish/fleet registry tests). The second PKCS#11 implementation the
# HSM tests run on (tpm2-pkcs11 over a software TPM, see
# scripts/with-tpm2.sh) is always wanted: `make test` runs the HSM tier on it too.
set -euo pipefail

need=()
command -v softhsm2-util >/dev/null 2>&1 || need+=(softhsm2)
[ -e /usr/lib/softhsm/libsofthsm2.so ] || need+=(libsofthsm2)
command -v swtpm >/dev/null 2>&1 || need+=(swtpm)
[ -e /usr/lib/x86_64-linux-gnu/pkcs11/libtpm2_pkcs11.so ] || [ -e /usr/lib/aarch64-linux-gnu/pkcs11/libtpm2_pkcs11.so ] || need+=(libtpm2-pkcs11-1)
compgen -G '/usr/lib/*/libtss2-tcti-swtpm.so.0' >/dev/null || need+=(libtss2-tcti-swtpm0)
compgen -G '/usr/lib/*/libtss2-tcti-tabrmd.so.0' >/dev/null || need+=(libtss2-tcti-tabrmd0)
[ -x /usr/sbin/tpm2-abrmd ] || need+=(tpm2-abrmd)
command -v dbus-daemon >/dev/null 2>&1 || need+=(dbus-daemon)
for want in "$@"; do
  case "$want" in
    tmux) command -v tmux >/dev/null 2>&1 || need+=(tmux) ;;
    registry) command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry) ;;
  esac
done

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "signbox: installing ${need[*]} with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "signbox: missing Debian packages: ${need[*]}" >&2
    echo "hint: run as root, or: sudo apt-get install ${need[*]}" >&2
    exit 1
  fi
fi

if ! command -v go >/dev/null 2>&1; then
  echo "signbox: Go 1.26 or later is required (https://go.dev/dl)" >&2
  exit 1
fi
