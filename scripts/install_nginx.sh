#!/usr/bin/env bash
# Installs nginx from Debian's packages: the load balancer in front of Rasa
# replicas (RASA_REPLICAS > 1). Does nothing when nginx is already there.
set -euo pipefail
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "error: nginx is needed for RASA_REPLICAS > 1; install it (Debian: apt-get install nginx-light)" >&2
  exit 1
fi
echo "installing nginx (load balancer for Rasa replicas) ..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx-light >/dev/null
