#!/usr/bin/env bash
# A CI pipeline step, plain shell, runnable locally and in any CI: make a
# throwaway SoftHSM build token with a build key, create a signed release
# request from the build's images and SBOM, and verify it the way the
# appliance will. A real pipeline keeps its build key in its own HSM and
# names it with --sign-with; only the token set-up below is for the demo.
#
# Inputs (environment, all optional):
#   SIGNBOX      the signbox binary (default: build ./cmd/signbox into bin/)
#   OUT          where the request media goes (default: out/request-pump-1.0.0)
#   BOOTLOADER, APP, SBOM   the build's outputs (default: examples/ci/sample/)
# The PINs come from the environment, never from argv.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
module=${SIGNBOX_SOFTHSM_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
if [[ -z ${SIGNBOX:-} ]]; then
	(cd "$root" && go build -o bin/signbox ./cmd/signbox)
	SIGNBOX=$root/bin/signbox
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
OUT=${OUT:-out/request-pump-1.0.0}
BOOTLOADER=${BOOTLOADER:-$here/sample/bootloader.bin}
APP=${APP:-$here/sample/app.bin}
SBOM=${SBOM:-$here/sample/sbom.cdx.json}

# 1. A throwaway SoftHSM token for the build key (CI's own HSM in production).
mkdir -p "$work/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$work/tokens" >"$work/softhsm2.conf"
export SOFTHSM2_CONF=$work/softhsm2.conf
export BUILD_PIN=${BUILD_PIN:-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')}
export BUILD_SO_PIN=${BUILD_SO_PIN:-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')}
"$SIGNBOX" hsm init-token --module "$module" --label build --pin-env BUILD_PIN --so-pin-env BUILD_SO_PIN
uri="pkcs11:token=build?module-path=$module"
"$SIGNBOX" build-key create --token "$uri" --label build-key --pin-env BUILD_PIN --pub "$work/build.pub.pem"

# 2. The signed request: every check the appliance's import makes runs first.
mkdir -p "$(dirname "$OUT")"
"$SIGNBOX" request create "$OUT" --product pump --version 1.0.0 --chip esp32c6 --security-version 1 \
	--bootloader "$BOOTLOADER" --app "$APP" --sbom "$SBOM" \
	--sign-with "$uri" --key-label build-key --pin-env BUILD_PIN

# 3. Verified as the appliance will, with the build key the policy pins.
"$SIGNBOX" request verify "$OUT" --build-key "$work/build.pub.pem"
echo "release request ready: $OUT"
