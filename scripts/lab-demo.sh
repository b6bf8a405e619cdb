#!/usr/bin/env bash
# The main job against the bundled lab network, from a fresh clone:
# install, start the lab, then backup + quarterly inspection + report of the sample workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
bash scripts/install-system-deps.sh || echo "warning: PDF reports need the Debian packages above" >&2
[ -x .venv/bin/netpatrol ] || { $PY -m venv .venv && .venv/bin/pip install -q --upgrade pip; }
.venv/bin/pip install -q -e .
np=.venv/bin/netpatrol
# The lab accepts whatever password the inventory's ${NETPATROL_PASSWORD} holds; make one if unset.
export NETPATROL_PASSWORD=${NETPATROL_PASSWORD:-$($PY -c 'import secrets; print(secrets.token_urlsafe(16))')}
$np inventory check
$np lab up
echo "(the lab keeps running for exploration; stop it with: .venv/bin/netpatrol lab down)"
# Device failures (exit 1) are reported in the tables and do not stop the job.
$np backup || [ $? -eq 1 ]
$np inspect || [ $? -eq 1 ]
formats=docx,html,md,xlsx
.venv/bin/python -c 'import weasyprint' >/dev/null 2>&1 && formats=$formats,pdf
$np report --format "$formats"
