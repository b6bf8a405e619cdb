#!/usr/bin/env bash
# Install netpatrol with its test dependencies into .venv, run the lint and type gates, then the
# whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
# Debian packages for PDF/CJK reports, the Chromium screenshot test and the browser tests (root only; tests that
# need them skip with a reason otherwise).
if ! bash scripts/install-system-deps.sh; then
    if [ "${NETPATROL_REQUIRE_BROWSER:-}" = 1 ] && ! { [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; }; then
        echo "error: Chromium and chromedriver are required here (NETPATROL_REQUIRE_BROWSER=1) and could not be installed" >&2
        exit 1
    fi
    echo "warning: system packages missing; PDF, screenshot and browser tests will skip" >&2
fi
[ -x .venv/bin/pytest ] || { $PY -m venv .venv && .venv/bin/pip install -q --upgrade pip; }
.venv/bin/pip install -q -e '.[test]'
.venv/bin/ruff check src tests bench
.venv/bin/mypy src
exec .venv/bin/python -m pytest -n 2 -q "$@"
