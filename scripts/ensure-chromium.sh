#!/usr/bin/env bash
# Make sure a headless Chromium is available for the report-rendering test
# (tests/evidence, marker `browser`). Idempotent: does nothing when `chromium`
# is already on PATH. Installs Debian's `chromium` package when run as root
# (or with passwordless sudo); otherwise says what to run and exits 1.
set -euo pipefail

for name in chromium chromium-browser; do
    if command -v "$name" >/dev/null 2>&1; then
        exit 0
    fi
done

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-chromium: no chromium on PATH and no apt-get here; install Chromium" \
         "(headless is enough) and put \`chromium\` on PATH." >&2
    exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        echo "ensure-chromium: chromium is missing and this user cannot install packages;" \
             "run: sudo apt-get update && sudo apt-get install -y chromium" >&2
        exit 1
    fi
fi

echo "ensure-chromium: installing Debian's chromium package (headless report rendering)" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
command -v chromium >/dev/null 2>&1
