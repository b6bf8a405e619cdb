"""Benchmark: `inventory import` of a realistic device ledger, against a plain sheet-to-YAML script, same run.

    .venv/bin/python bench/inventory_import.py                 # 300 and 3,000 devices
    .venv/bin/python bench/inventory_import.py --devices 10000

The ledger is tests/import_sheets.py's (a cover sheet, a merged title row, a two-row merged
header, blank rows, a totals row, mixed vendors written as people write them). For each size, in
one run, into a fresh `netpatrol init` workspace (in process, so start-up is not counted):
  import       read_table + to_devices + make_plan + write_plan (round-trip YAML, the result validated
               as `inventory check` does, atomic replace, previous files kept)
  re-import    the same sheet again: everything compared, nothing written
  baseline     what a one-off script would do: openpyxl reads the rows (read-only mode), each row
               becomes a host dict, yaml.CSafeDumper writes hosts.yaml (no headers to recognise,
               no platforms, no merge, no validation, no comments kept)
The ratio says what recognising, merging and checking cost over that script; wall seconds are
for comparison within one run.
"""

from __future__ import annotations

import repo_env  # noqa: F401 - re-runs with the clone's .venv when netpatrol is not importable

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml
from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the tests' sheet generator
from import_sheets import write_ledger_xlsx
from netpatrol.inventory_import.service import import_inventory
from netpatrol.workspace.settings import Workspace
from netpatrol.workspace.skeleton import create_workspace


def baseline(sheet: Path, out: Path) -> int:
    book = load_workbook(sheet, read_only=True, data_only=True)
    ws = book["设备台账"]
    hosts = {}
    for row in ws.iter_rows(min_row=5, values_only=True):
        if not row or row[1] is None or row[6] is None:
            continue
        hosts[str(row[1])] = {"hostname": str(row[6]), "platform": str(row[3]), "groups": [str(row[10])],
                              "data": {"model": str(row[4]), "serial": str(row[5])}}
    out.write_text(yaml.dump(hosts, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return len(hosts)


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, nargs="+", default=[300, 3000])
    args = parser.parse_args()
    print(f"{'devices':>8} {'import s':>9} {'re-import s':>12} {'baseline s':>11} {'ratio':>6} {'hosts.yaml KB':>14}")
    for n in args.devices:
        with tempfile.TemporaryDirectory() as tmp_dir:
            tmp = Path(tmp_dir)
            sheet = tmp / "ledger.xlsx"
            write_ledger_xlsx(sheet, devices=n)
            root = tmp / "ws"
            create_workspace(root)
            ws = Workspace.locate(root)
            first, plan = timed(lambda: import_inventory(ws, sheet))  # noqa: B023 - called at once
            assert len(plan.added) == n and not plan.refused, (len(plan.added), plan.refused[:3])
            again, replan = timed(lambda: import_inventory(ws, sheet))  # noqa: B023
            assert len(replan.unchanged) == n and not replan.added and not replan.changed
            base, count = timed(lambda: baseline(sheet, tmp / "plain.yaml"))  # noqa: B023
            assert count == n, count
            size = (root / "inventory" / "hosts.yaml").stat().st_size / 1024
            print(f"{n:>8} {first:>9.2f} {again:>12.2f} {base:>11.2f} {first / base:>5.1f}x {size:>14.0f}")
            shutil.rmtree(root)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
