"""A large workspace for bench/web.py: an inventory of N hosts and a store of C commits, written
with `git fast-import` (minutes of `Store.commit` calls would be seconds here).

The history: one commit with every config; then one changed config per commit (every 10th commit
changes the "hot" device, so it has C/10 versions; the others a handful each; one device moves to
another site half-way, its older versions under the old site folder); two inspected periods
(every host's result, a summary.json with its per-host map, the period's tag) near the end.
Commit authors alternate between netpatrol and a person.
"""

from __future__ import annotations

import json
import random
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import yaml

from netpatrol.inspection.results import Facts, Finding, Health, InspectionResult
from netpatrol.inspection.service import summary_document
from netpatrol.report.problem_rows import report_checks
from netpatrol.store import layout
from netpatrol.store.periods import current_period, previous_period

START = datetime(2023, 1, 2, tzinfo=timezone.utc)
PLATFORMS = ("cisco_ios", "huawei_vrp", "h3c_comware", "cisco_nxos")
CHECKS = list(report_checks(None).values())  # the built-in quarterly job's, as a workspace without its own
HOT, MOVED = "dev00000", "dev00001"
CPU = Finding(check="cpu_percent", severity="minor", title={"zh-CN": "CPU 利用率偏高", "en": "CPU high"},
              detail="CPU 82% >= 75%", recommendation={"zh-CN": "检查", "en": "check"})
FAN = Finding(check="fan_failed", severity="major", title={"zh-CN": "风扇故障", "en": "Fan failed"},
              detail="FAN2: failed", recommendation={"zh-CN": "更换", "en": "replace"}, subject="FAN2")


def host_name(i: int) -> str:
    return f"dev{i:05d}"


def site_of(i: int, sites: int) -> str:
    return f"site{i % sites:03d}"


def config(name: str, rev: int) -> str:
    """About 40 lines; revision `rev` changes one description line (numstat +1 -1)."""
    ports = "".join(f"interface GigabitEthernet0/{p}\n description port {p}\n switchport mode access\n!\n"
                    for p in range(1, 9))
    return (f"hostname {name}\n!\nlogging host 10.0.0.5\nntp server 10.0.0.123\n!\n{ports}"
            f"interface Vlan1\n description change {rev}\n ip address 10.{rev % 250}.0.1 255.255.255.0\n!\nend\n")


def write_workspace(root: Path, devices: int, sites: int) -> tuple[Path, dict[str, str]]:
    """netpatrol.yaml and an inventory of `devices` hosts in `sites` sites; host -> site."""
    (root / "inventory").mkdir(parents=True)
    (root / "netpatrol.yaml").write_text(yaml.safe_dump({"client": "Bench", "provider": "Bench", "language": "en",
                                                        "timezone": "UTC"}), encoding="utf-8")
    groups = {f"site{s:03d}": {"data": {"site": {"name": f"Bench site {s}"}}} for s in range(sites)}
    hosts, where = {}, {}
    for i in range(devices):
        site = site_of(i, sites)
        if i == int(MOVED[3:]):
            site = site_of(i + 1, sites)  # its current site; its first versions are under site_of(i)
        hosts[host_name(i)] = {"hostname": f"10.{i // 65536}.{i // 256 % 256}.{i % 256}",
                               "platform": PLATFORMS[i % len(PLATFORMS)], "groups": [site]}
        where[host_name(i)] = site
    docs = {"defaults": {"username": "netops", "password": "${NP_BENCH_UNUSED}", "port": 22}, "groups": groups, "hosts": hosts}
    for name, doc in docs.items():
        (root / "inventory" / f"{name}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return root, where


def _data(text: str) -> bytes:
    raw = text.encode("utf-8")
    return b"data %d\n%s\n" % (len(raw), raw)


def _commit(n: int, when: datetime, message: str, changes: list[tuple[str, str]], first: bool) -> bytes:
    who = b"netpatrol <netpatrol@localhost>" if n % 3 else "李工 <li@example.cn>".encode()
    stamp = b"%d +0000" % int(when.timestamp())
    out = [b"commit refs/heads/main\n", b"mark :%d\n" % n, b"author " + who + b" " + stamp + b"\n",
           b"committer " + who + b" " + stamp + b"\n", _data(message)]
    if not first:
        out.append(b"from :%d\n" % (n - 1))
    out += [b"M 100644 inline " + path.encode() + b"\n" + _data(text) for path, text in changes]
    return b"".join(out)


def _results(period: str, where: dict[str, str], collected: str, later: bool) -> list[InspectionResult]:
    results = []
    for i, (name, site) in enumerate(sorted(where.items())):
        findings = [CPU] if i % 7 == 0 else []
        if i % 50 == 0 and not later:
            findings.append(FAN)
        status = "unreachable" if later and i % 97 == 0 else "ok"
        results.append(InspectionResult(host=name, site=site, platform=PLATFORMS[i % len(PLATFORMS)], period=period,
                                        collected_at=collected, status=status, facts=Facts(hostname=name),
                                        health=Health(cpu_percent=20.0 + i % 70), findings=findings))
    return results


def build_store(backups: Path, where: dict[str, str], commits: int, sites: int, seed: int = 7) -> dict:
    """The store at `backups`; returns what the bench asks about (periods, tags, a typical host)."""
    backups.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "--initial-branch=main", str(backups)], check=True)
    subprocess.run(["git", "-C", str(backups), "config", "netpatrol.branch", "main"], check=True)
    rng = random.Random(seed)
    names = sorted(where)
    moved_old = f"{layout.CONFIGS}/{site_of(int(MOVED[3:]), sites)}/{MOVED}.cfg"
    revs = dict.fromkeys(names, 0)
    proc = subprocess.Popen(["git", "-C", str(backups), "fast-import", "--quiet"], stdin=subprocess.PIPE)
    assert proc.stdin is not None
    first = [(layout.config_path(where[n], n), config(n, 0)) for n in names if n != MOVED]
    first += [(".gitignore", ".*.tmp\n"), ("README.md", "# netpatrol backups\n"), (moved_old, config(MOVED, 0))]
    proc.stdin.write(_commit(1, START, f"backup: {len(names)} changed\n", first, first=True))
    inspections = {commits - 20: "earlier", commits - 5: "later"}
    info: dict = {"periods": [], "moved_at": None}
    when = START
    for n in range(2, commits + 1):
        when = START + timedelta(minutes=10 * n)
        if n in inspections:
            # Named by the last commit's quarter, the earlier one the quarter before, however few commits.
            period = current_period(START + timedelta(minutes=10 * commits))
            period = previous_period(period) if inspections[n] == "earlier" else period
            results = _results(period, where, when.isoformat(timespec="seconds"), inspections[n] == "later")
            files = [(layout.result_path(period, r.site, r.host), r.model_dump_json(indent=2) + "\n") for r in results]
            summary = summary_document(period, results, CHECKS)
            files.append((layout.summary_path(period), json.dumps(summary, indent=2, sort_keys=True) + "\n"))
            proc.stdin.write(_commit(n, when, f"inspection {period}: {len(results)} devices\n", files, first=False))
            proc.stdin.write(b"tag inspection/%s\nfrom :%d\ntagger netpatrol <netpatrol@localhost> %d +0000\n%s"
                             % (period.encode(), n, int(when.timestamp()), _data(f"inspection {period}\n")))
            info["periods"].append((period, n))
            continue
        name = MOVED if n == commits // 2 else HOT if n % 10 == 0 else names[rng.randrange(len(names))]
        revs[name] += 1
        path = moved_old if name == MOVED and n < commits // 2 else layout.config_path(where[name], name)
        if n == commits // 2:
            info["moved_at"] = n
        reason = f"\n\nreason: CHG-{n} planned change\n" if n % 5 == 0 else "\n"
        proc.stdin.write(_commit(n, when, f"backup: 1 changed ({name}){reason}", [(path, config(name, revs[name]))], first=False))
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "-C", str(backups), "reset", "-q", "--hard", "main"], check=True)
    ordinary = sorted((n for n in names if n not in (HOT, MOVED)), key=lambda n: (revs[n], n))
    typical = ordinary[len(ordinary) // 2]  # the median number of versions
    info.update(hot=HOT, moved=MOVED, typical=typical, versions={HOT: revs[HOT] + 1, typical: revs[typical] + 1},
                last=when)
    return info
