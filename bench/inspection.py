"""Inspection benchmark: `netpatrol inspect` against collection alone, and parse throughput.

    .venv/bin/python bench/inspection.py                 # 200 lab devices (7 platforms), 2 runs
    .venv/bin/python bench/inspection.py --quick         # 50 devices, 1 run
    .venv/bin/python bench/inspection.py --parse-only    # just the parse throughput table

Same lab, same run, each variant in its own subprocess (wall, CPU incl. git children, peak RSS from
wait4; the lab's CPU from /proc/<pid>/stat):

  netpatrol   `netpatrol inspect --json --period <P>` (collect, parse, normalise, checks, store)
  collect     plain Nornir + nornir-netmiko running the same commands (first alternative of every
              item of the job's platform catalogue, plus running and saved config), nothing else

Parse: a synthetic, realistic Cisco IOS `show interfaces` with 500 interfaces, and every real
capture of tests/parsers (all families, several candidate templates per command), through
`netpatrol.inspection.parsing.parse` (candidates tried, fit measured), through the parser as it was
before candidates (the command's one template, plain TextFSM) and, for the first, through
`ntc_templates.parse.parse_output`. The ratio column is each against the candidates path.
"""

from __future__ import annotations

import repo_env  # noqa: F401 - re-runs with the clone's .venv when netpatrol is not importable

import argparse
import io
import json
import sys
import tempfile
from pathlib import Path

import textfsm
import yaml

import common

ENABLE = common.PLAIN_ENABLE
ROOT = Path(__file__).resolve().parents[1]


def job_commands() -> dict[str, list[str]]:
    from netpatrol.inspection.catalogue import load_job
    from netpatrol.platforms import PLATFORMS

    job = load_job(None, "quarterly")
    out = {}
    for platform, items in job.platforms.items():
        cmds = list(dict.fromkeys(alts[0] for alts in items.values()))
        backup = PLATFORMS[platform].backup
        if job.collect_config:
            cmds += [c for c in (backup.running, backup.saved) if c and c not in cmds]
        out[platform] = cmds
    return out


def collect(ws: Path, workers: int) -> None:
    """The plain collection script (its own process)."""
    import yaml
    from nornir.core import Nornir
    from nornir.core.configuration import Config
    from nornir.core.inventory import ConnectionOptions, Defaults, Groups, Host, Hosts, Inventory
    from nornir.core.plugins.connections import ConnectionPluginRegister
    from nornir.plugins.runners import ThreadedRunner
    from nornir_netmiko.tasks import netmiko_send_command

    commands = job_commands()
    defaults = Defaults()
    raw = yaml.safe_load((ws / "inventory" / "hosts.yaml").read_text(encoding="utf-8"))
    hosts = Hosts({
        n: Host(name=n, hostname=h["hostname"], port=h["port"], platform=h["platform"], username="admin",
                password=common.LAB_PASSWORD, defaults=defaults,
                connection_options={"netmiko": ConnectionOptions(extras={"secret": common.LAB_PASSWORD})})
        for n, h in raw.items()
    })
    ConnectionPluginRegister.auto_register()
    nr = Nornir(inventory=Inventory(hosts=hosts, groups=Groups(), defaults=defaults),
                runner=ThreadedRunner(num_workers=workers), config=Config(logging={"enabled": False}))

    def task(t):  # type: ignore[no-untyped-def]
        got = {}
        for i, cmd in enumerate(commands[t.host.platform]):
            got[cmd] = t.run(netmiko_send_command, command_string=cmd, enable=i == 0 and t.host.platform in ENABLE).result
        return got

    result = nr.run(task=task)
    print(json.dumps({"ok": len(hosts) - len(result.failed_hosts), "failed": sorted(result.failed_hosts)[:5]}))


def _ok(label: str, m: common.Measured) -> int:
    try:
        if label == "netpatrol":
            doc = json.loads(m.out)
            return sum(1 for d in doc.get("devices", doc.get("results", [])) if d.get("status") == "ok")
        return json.loads(m.out.strip().splitlines()[-1])["ok"]
    except (ValueError, KeyError, IndexError, AttributeError):
        return -1


def bench_lab(n: int, workers: int, runs: int, root: Path) -> list[list[object]]:
    specs = common.specs_for(n, "all")
    ws = common.write_workspace(root / "ws", specs, workers)
    me = str(Path(__file__).resolve())
    variants = {
        "netpatrol inspect": lambda r: [*common.NETPATROL, "inspect", "-w", str(ws), "--json", "--backfill", "--period", f"{2001 + r}Q1"],
        "collect only (Nornir+netmiko)": lambda r: [common.PY, me, "--collect", str(ws), str(workers)],
    }
    cells = {k: common.Cell(k) for k in variants}
    with common.lab(root / "lab", specs) as pid:
        for rnd in range(runs + 1):
            for label, argv in variants.items():
                m = common.measure(label, argv(rnd), pid)
                got = _ok("netpatrol" if label.startswith("netpatrol") else "collect", m)
                print(f"  {'warm-up' if rnd == 0 else f'run {rnd}':8} {label:30} wall {m.wall:6.2f}s cpu {m.cpu:6.2f}s "
                      f"rss {m.rss_mib:5.0f}MiB lab cpu {m.server_cpu:6.2f}s ok {got}/{n} rc {m.rc}", flush=True)
                if got != n:
                    print(f"    !! stdout tail {m.out[-400:]!r} stderr tail {m.err[-400:]!r}", flush=True)
                if rnd:
                    cells[label].runs.append(m)
    base = cells["collect only (Nornir+netmiko)"]
    return [[k, c.spread("wall"), c.med("cpu"), c.med("cpu") / n * 1000, c.med("rss_mib"), c.med("server_cpu"),
             c.med("wall") / base.med("wall"), c.med("cpu") / base.med("cpu")] for k, c in cells.items()]


# -- parse throughput ---------------------------------------------------------------------------


def show_interfaces(count: int) -> str:
    """A realistic IOS `show interfaces` (31-line blocks, varied counters and states)."""
    blocks = []
    for i in range(count):
        up = i % 7 != 3
        name = f"GigabitEthernet{1 + i // 48}/0/{1 + i % 48}"
        state = "up" if up else "down"
        proto = "up (connected)" if up else "down (notconnect)"
        blocks.append(f"""{name} is {state}, line protocol is {proto}
  Hardware is Gigabit Ethernet, address is 00a3.{i // 256:02x}{i % 256:02x}.8{i % 10}01 (bia 00a3.{i // 256:02x}{i % 256:02x}.8{i % 10}01)
  Description: host-{i:04d} access port vlan {10 + i % 8}
  MTU 1500 bytes, BW 1000000 Kbit/sec, DLY 10 usec,
     reliability 255/255, txload {1 + i % 9}/255, rxload {1 + i % 5}/255
  Encapsulation ARPA, loopback not set
  Keepalive set (10 sec)
  Full-duplex, 1000Mb/s, media type is 10/100/1000BaseTX
  input flow-control is off, output flow-control is unsupported
  ARP type: ARPA, ARP Timeout 04:00:00
  Last input 00:00:0{i % 10}, output 00:00:00, output hang never
  Last clearing of "show interface" counters never
  Input queue: 0/75/0/0 (size/max/drops/flushes); Total output drops: {i * 3 % 97}
  Queueing strategy: fifo
  Output queue: 0/40 (size/max)
  5 minute input rate {i * 1013 % 900000} bits/sec, {i * 7 % 900} packets/sec
  5 minute output rate {i * 2027 % 900000} bits/sec, {i * 11 % 900} packets/sec
     {i * 104729 % 99999999} packets input, {i * 15485863 % 9999999999} bytes, 0 no buffer
     Received {i * 13 % 9999} broadcasts ({i * 5 % 999} multicasts)
     0 runts, 0 giants, 0 throttles
     {i % 4} input errors, {i % 3} CRC, 0 frame, 0 overrun, 0 ignored
     0 watchdog, {i * 5 % 999} multicast, 0 pause input
     0 input packets with dribble condition detected
     {i * 130363 % 99999999} packets output, {i * 32452843 % 9999999999} bytes, 0 underruns
     {i % 2} output errors, 0 collisions, {i % 3} interface resets
     0 unknown protocol drops
     0 babbles, 0 late collision, 0 deferred
     0 lost carrier, 0 no carrier, 0 pause output
     0 output buffer failures, 0 output buffers swapped out
""")
    return "".join(blocks)


def _plain(platform: str, command: str, text: str, path: Path | None = None) -> list:
    """The parser before candidates: the command's one template (`path`, else its first
    candidate), plain TextFSM, no fit measured."""
    from netpatrol.inspection.parsing import _template_text, resolve_template

    path = path or resolve_template(platform, command, [ROOT / "parsers"])
    assert path is not None
    fsm = textfsm.TextFSM(io.StringIO(_template_text(str(path), path.stat().st_mtime_ns)))
    try:
        return fsm.ParseText(text)
    except textfsm.TextFSMError:
        return []


def bench_parse(count: int = 500, repeats: int = 5) -> list[list[object]]:
    from ntc_templates.parse import parse_output

    from netpatrol.inspection.parsing import ntc_template_dir, parse

    text = show_interfaces(count)
    before = ntc_template_dir() / "cisco_ios_show_interfaces.textfsm"  # the map's one template before candidates
    rows = []
    cases = {
        "netpatrol parse (candidates + fit)": lambda: parse("cisco_ios", "show interfaces", text).rows,
        "one template, plain TextFSM (before)": lambda: _plain("cisco_ios", "show interfaces", text, before),
        "ntc_templates parse_output": lambda: parse_output(platform="cisco_ios", command="show interfaces", data=text),
    }
    base = None
    for label, fn in cases.items():
        got = fn()
        assert len(got) == count, (label, len(got))
        med = common.median_seconds(fn, repeats, warm_up=True)
        base = base or med
        rows.append([label, f"{len(text) / 1024:.0f} KiB", len(got), med, count / med, len(text) / med / 2**20, med / base])
    return rows


def bench_pairs(repeats: int = 5) -> list[list[object]]:
    """Every real-capture test pair (tests/parsers): many families, several candidates per command."""
    from netpatrol.inspection.parsing import parse

    pairs = []
    for raw in sorted((ROOT / "tests" / "parsers").glob("*/*/*.raw")):
        doc = yaml.safe_load(raw.with_suffix(".yml").read_text(encoding="utf-8")) or {}
        pairs.append((raw.parent.parent.name, doc.get("command") or raw.parent.name.replace("_", " "),
                      raw.read_text(encoding="utf-8")))
    size = sum(len(t) for *_, t in pairs)
    new = common.median_seconds(lambda: [parse(p, c, t, [ROOT / "parsers"]) for p, c, t in pairs], repeats, warm_up=True)
    old = common.median_seconds(lambda: [_plain(p, c, t) for p, c, t in pairs], repeats, warm_up=True)
    return [[label, len(pairs), f"{size / 1024:.0f} KiB", med, len(pairs) / med, med / new]
            for label, med in (("netpatrol parse (candidates + fit)", new), ("one template, plain TextFSM (before)", old))]


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--collect":
        collect(Path(sys.argv[2]), int(sys.argv[3]))
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--devices", type=int, default=200)
    ap.add_argument("--workers", type=int, default=50)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="50 devices, 1 run")
    ap.add_argument("--parse-only", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.devices, args.runs = 50, 1
    print(common.machine())
    if not args.parse_only:
        with tempfile.TemporaryDirectory(prefix="np-ibench-") as d:
            rows = bench_lab(args.devices, args.workers, args.runs, Path(d))
        print(f"\nInspection, N={args.devices}, W={args.workers}, median of {args.runs}")
        print(common.table(["variant", "wall s median [min-max]", "CPU s", "CPU ms/dev", "peak RSS MiB", "lab CPU s",
                            "wall ÷ collect", "CPU ÷ collect"], rows))
    print("\nParse throughput, IOS `show interfaces`, 500 interfaces, median of 5")
    print(common.table(["parser", "input", "rows", "s", "rows/s", "MiB/s", "÷ candidates"], bench_parse()))
    print("\nParse throughput, every test pair in tests/parsers (real captures, all families), median of 5")
    print(common.table(["parser", "outputs", "input", "s", "outputs/s", "÷ candidates"], bench_pairs()))


if __name__ == "__main__":
    main()
