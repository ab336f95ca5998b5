#!/usr/bin/env bash
# Creates the project's virtualenv once per set of pins and links it as ./.venv.
# The venv lives under ~/.cache so that a fresh clone (CI) reuses it when the pins
# have not changed; a change to any requirements file builds a new one.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python310() {
  local candidate
  for candidate in "${PYTHON310:-}" python3.10 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10*/bin/python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do
    [ -n "$candidate" ] || continue
    if "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then
      command -v "$candidate" || echo "$candidate"
      return 0
    fi
  done
  echo "error: Python 3.10 is required (Rasa 3.6 supports 3.8-3.10); set PYTHON310=/path/to/python3.10" >&2
  return 1
}

# Duckling (pyduckling-native) reads Debian's time-zone database.
if [ ! -d /usr/share/zoneinfo/America ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tzdata
  else
    echo "error: /usr/share/zoneinfo is missing; install the tzdata package" >&2
    exit 1
  fi
fi

key=$(cat requirements.txt requirements-dev.txt constraints.txt | sha256sum | cut -c1-16)
cache="${HELPDESK_CACHE_DIR:-$HOME/.cache/helpdesk-voice}"
venv="$cache/venv-$key"

if [ ! -f "$venv/.complete" ]; then
  python=$(find_python310)
  echo "creating virtualenv $venv with $python"
  rm -rf "$venv"
  mkdir -p "$cache"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade "pip==24.3.1"
  echo "installing the pinned packages (a few minutes the first time) ..."
  set +o pipefail
  "$venv/bin/pip" install --progress-bar off -r requirements.txt -r requirements-dev.txt \
    -c constraints.txt 2>&1 | grep -E --line-buffered "^(Collecting|Successfully|ERROR)" \
    | sed -E 's/^Collecting /  collecting /'
  status=${PIPESTATUS[0]}
  set -o pipefail
  if [ "$status" != 0 ]; then
    echo "error: installing the pinned packages failed (pip exit $status)" >&2
    exit "$status"
  fi
  "$venv/bin/pip" check
  touch "$venv/.complete"
fi

if [ "$(readlink .venv 2>/dev/null)" != "$venv" ]; then
  rm -rf .venv
  ln -s "$venv" .venv
fi
