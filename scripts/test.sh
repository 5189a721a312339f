#!/usr/bin/env bash
# Everything `make test` runs, in order: lint, data validation, model (cached), then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_CPP_MIN_LOG_LEVEL=2
scripts/services.sh
scripts/install-browser.sh
scripts/install-axe.sh
echo "== lint"
.venv/bin/ruff check bot actions tests bench
echo "== rasa data validate"
.venv/bin/rasa data validate --fail-on-warnings --config config.yml --domain domain.yml --data data 2>&1 | tail -n 3
echo "== model"
.venv/bin/python -m bot model train
echo "== pytest"
.venv/bin/python -m pytest tests -q -p no:cacheprovider "$@"
