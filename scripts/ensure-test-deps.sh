#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real (headless Chromium for the web
# page tests, redis-server for the cluster engine, HAProxy in front of a cluster), only when
# they are missing. Runs before `npm test`.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "hubcast tests need Debian packages: ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "run: apt-get install -y ${missing[*]}   (as root), then npm test again" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists only when they are empty (a fresh image) or the install fails.
if [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e lock -e partial || true)" ]; then
  $SUDO apt-get update -qq
fi
$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null || { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null; }
