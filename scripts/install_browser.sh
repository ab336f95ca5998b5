#!/usr/bin/env bash
# Installs what the console's browser test needs: Debian's headless Chromium and its
# matching chromedriver (/usr/bin/chromium, /usr/bin/chromedriver). Selenium itself is
# pinned in requirements-dev.txt. Does nothing when both programs are there, so the test
# path calls it every time; Selenium Manager is never used (no driver downloads).
# CHROMIUM_BINARY and CHROMEDRIVER point the test at another Chromium build (e.g. the
# Chrome and chromedriver preinstalled on GitHub's Ubuntu runners); then nothing is installed.
set -euo pipefail

browser="${CHROMIUM_BINARY:-/usr/bin/chromium}"
driver="${CHROMEDRIVER:-/usr/bin/chromedriver}"
if [ -x "$browser" ] && [ -x "$driver" ]; then
  exit 0
fi
if [ -n "${CHROMIUM_BINARY:-}${CHROMEDRIVER:-}" ]; then
  echo "error: CHROMIUM_BINARY ($browser) or CHROMEDRIVER ($driver) is not executable" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null; then
  echo "error: install Chromium and its chromedriver as /usr/bin/chromium and /usr/bin/chromedriver" >&2
  exit 1
fi
if [ "$(id -u)" = 0 ]; then
  as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  as_root=(sudo)  # a CI runner with password-less sudo
else
  echo "error: run as root, or: sudo apt-get install chromium chromium-driver" >&2
  exit 1
fi
echo "installing Debian packages: chromium chromium-driver"
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
