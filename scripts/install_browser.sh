#!/usr/bin/env bash
# Installs what the console's browser test needs: Debian's headless Chromium and its
# matching chromedriver (/usr/bin/chromium, /usr/bin/chromedriver). Selenium itself is
# pinned in requirements-dev.txt. Skips everything when both programs are present, so
# the test path can call it every time; Selenium Manager is never used (no downloads).
set -euo pipefail

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian packages: chromium chromium-driver"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    chromium chromium-driver >/dev/null
else
  echo "error: install the Debian packages chromium and chromium-driver" >&2
  echo "       (apt-get install chromium chromium-driver)" >&2
  exit 1
fi
