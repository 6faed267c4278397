#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine:
# the package with its test extras (and, for browser tests, Debian's chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -e ".[test]"
# Browser tests: Debian's chromium (Playwright drives it; never `playwright install`),
# and the Nu Html Checker (vnu-jar from npm, run with Java), each only when missing.
apt_missing=()
[ -x /usr/bin/chromium ] || apt_missing+=(chromium)
command -v java >/dev/null || apt_missing+=(default-jre-headless)
command -v npm >/dev/null || apt_missing+=(npm)
if [ ${#apt_missing[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_missing[@]}"
fi
if [ ! -f tests/.tools/node_modules/vnu-jar/build/dist/vnu.jar ]; then
    mkdir -p tests/.tools
    npm install --prefix tests/.tools --no-save --no-package-lock --no-audit --no-fund \
        --loglevel=error vnu-jar
fi
