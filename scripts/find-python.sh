#!/usr/bin/env bash
# Prints a Python 3.10 interpreter (Rasa 3.6 supports 3.8-3.10): on PATH, else through pyenv.
set -euo pipefail
for candidate in "${PYTHON310:-}" python3.10; do
  [ -n "$candidate" ] || continue
  if path=$(command -v "$candidate" 2>/dev/null) && "$path" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    echo "$path"; exit 0
  fi
done
if command -v pyenv >/dev/null 2>&1; then
  if path=$(PYENV_VERSION=3.10 pyenv which python3.10 2>/dev/null) && [ -x "$path" ]; then
    echo "$path"; exit 0
  fi
  for dir in "$(pyenv root)"/versions/3.10*; do
    [ -x "$dir/bin/python3.10" ] && { echo "$dir/bin/python3.10"; exit 0; }
  done
fi
cat >&2 <<'MSG'
Python 3.10 not found. Rasa 3.6 runs on Python 3.8-3.10 only. Install one, for example:
  pyenv install 3.10        (then run make again), or
  apt-get install python3.10 python3.10-venv
or point PYTHON310 at an interpreter: make PYTHON310=/path/to/python3.10 run
MSG
exit 1
