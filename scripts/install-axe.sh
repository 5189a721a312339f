#!/usr/bin/env bash
# axe-core for the browser tests' accessibility checks, from npm into var/axe (git-ignored),
# pinned; the tests inject var/axe/node_modules/axe-core/axe.min.js into each page they check.
set -euo pipefail
cd "$(dirname "$0")/.."
version="4.10.2"
target=var/axe/node_modules/axe-core/axe.min.js
if [ -f "$target" ] && grep -q "axe v$version" "$target"; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "npm not found: the browser tests' accessibility checks need axe-core (install Node.js and npm)" >&2
  exit 1
fi
npm install --silent --no-audit --no-fund --prefix var/axe "axe-core@$version" >/dev/null
