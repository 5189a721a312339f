#!/usr/bin/env bash
# The portal chat's one third-party file, socket.io-client, from npm into bot/web/static/vendor/
# (git-ignored). Without it the chat still works through our REST relay (/api/chat).
set -euo pipefail
cd "$(dirname "$0")/.."
version="4.8.1"
target=bot/web/static/vendor/socket.io.min.js
if [ -f "$target" ] && grep -q "Socket.IO v$version" "$target"; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "npm not found: the portal chat will use the REST relay instead of socket.io" >&2
  exit 0
fi
npm install --silent --no-audit --no-fund --prefix var/web "socket.io-client@$version" >/dev/null
mkdir -p "$(dirname "$target")"
cp var/web/node_modules/socket.io-client/dist/socket.io.min.js "$target"
