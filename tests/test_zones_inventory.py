"""Zones on the inventory and settings side: `data.zone` resolved and listed, `inventory check` holding
every zone to netpatrol.yaml `zones:` and `distributed:`, clear netpatrol.yaml errors, the `init`
template's example, and the `no_collector` status in every catalogue of words."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import get_args

import pytest
import yaml
from typer.testing import CliRunner

from netpatrol import errors
from netpatrol.automation.messages import Voice, texts
from netpatrol.cli.root import app
from netpatrol.errors import InventoryError, WorkspaceError
from netpatrol.inspection.results import DeviceStatus
from netpatrol.report.i18n import catalogue
from netpatrol.web.render import LANGS, result_label
from netpatrol.workspace.inventory import load_inventory
from netpatrol.workspace.settings import Workspace
from netpatrol.workspace.zone_check import check_zones, zone_problems

DEFAULTS = {"username": "netops", "password": "${NP_ZONE_PW}"}
GROUPS = {
    "site-city": {"data": {"site": {"name": "City"}}},
    "site-county": {"data": {"site": {"name": "County A"}, "zone": "county-a"}},
    "cameras": {"groups": ["site-county"], "data": {"role": "video"}},
}
HOSTS = {
    "city-core": {"hostname": "192.0.2.1", "platform": "huawei_vrp", "groups": ["site-city"]},
    "county-sw": {"hostname": "192.0.2.2", "platform": "huawei_vrp", "groups": ["site-county"]},
    "county-cam": {"hostname": "192.0.2.3", "platform": "cisco_ios", "groups": ["cameras"]},
    "county-video": {"hostname": "192.0.2.4", "platform": "cisco_ios", "groups": ["cameras"], "data": {"zone": "video"}},
}
ZONED = ("zones:\n  county-a: {description: County A network}\n  video:\n"
         "distributed:\n  broker: 'redis://:${NP_BROKER_PW}@10.0.0.5:6379/0'\n")


@pytest.fixture(autouse=True)
def _env(monkeypatch):
    monkeypatch.setenv("NP_ZONE_PW", "zone-secret-value")
    monkeypatch.delenv("NP_BROKER_PW", raising=False)


def write_ws(root: Path, settings: str = ZONED, hosts=None, groups=None, defaults=None) -> Path:
    (root / "inventory").mkdir(parents=True, exist_ok=True)
    for name, body in (("hosts", HOSTS if hosts is None else hosts), ("groups", GROUPS if groups is None else groups),
                       ("defaults", DEFAULTS if defaults is None else defaults)):
        (root / "inventory" / f"{name}.yaml").write_text(yaml.safe_dump(body), encoding="utf-8")
    (root / "netpatrol.yaml").write_text("client: Test\n" + settings, encoding="utf-8")
    return root


def check(root: Path) -> tuple[int, list[str]]:
    res = CliRunner().invoke(app, ["inventory", "check", "-w", str(root), "--json"])
    return res.exit_code, json.loads(res.stdout)["problems"]


# --- resolution and listing -------------------------------------------------------------------------

def test_zone_is_host_then_groups_in_order_then_defaults_then_local(tmp_path):
    inv = load_inventory(write_ws(tmp_path))
    assert {n: h.zone for n, h in inv.hosts.items()} == {
        "city-core": "local", "county-sw": "county-a", "county-cam": "county-a", "county-video": "video"}
    inv = load_inventory(write_ws(tmp_path, defaults={**DEFAULTS, "data": {"zone": "video"}}))
    # defaults name the zone of every host that sets none itself nor through a group
    assert inv.hosts["city-core"].zone == "video" and inv.hosts["county-cam"].zone == "county-a"


def test_inventory_list_shows_the_zone_in_json_and_table(tmp_path):
    root = write_ws(tmp_path)
    runner = CliRunner()
    res = runner.invoke(app, ["inventory", "list", "-w", str(root), "--json"])
    assert res.exit_code == 0, res.output
    assert {d["name"]: d["zone"] for d in json.loads(res.stdout)} == {
        "city-core": "local", "county-sw": "county-a", "county-cam": "county-a", "county-video": "video"}
    assert "zone-secret-value" not in res.output
    res = runner.invoke(app, ["inventory", "list", "-w", str(root)], env={"COLUMNS": "300"})
    assert res.exit_code == 0, res.output
    header = next(line for line in res.stdout.splitlines() if " host " in line)
    assert re.search(r"\bsite\b.*\bzone\b.*\bplatform\b", header), header
    video = next(line for line in res.stdout.splitlines() if "county-video" in line)
    assert re.search(r"\bvideo\b", video) and "county-a" in next(x for x in res.stdout.splitlines() if "county-sw" in x)


def test_a_workspace_without_zones_lists_as_before(tmp_path):
    hosts = {"city-core": HOSTS["city-core"]}
    root = write_ws(tmp_path, settings="", hosts=hosts, groups={"site-city": GROUPS["site-city"]})
    res = CliRunner().invoke(app, ["inventory", "list", "-w", str(root)], env={"COLUMNS": "300"})
    assert res.exit_code == 0, res.output
    header = next(line for line in res.stdout.splitlines() if " host " in line)
    assert " zone " not in header and " platform " in header
    assert check(root) == (0, [])


# --- inventory check ----------------------------------------------------------------------------------

def test_declared_zones_and_a_broker_are_valid(tmp_path):
    assert check(write_ws(tmp_path)) == (0, [])


def test_undeclared_zones_are_named_with_file_place_and_field(tmp_path):
    groups = {**GROUPS, "site-county": {"data": {"site": {"name": "County A"}, "zone": "county_a"}}}
    root = write_ws(tmp_path, groups=groups, defaults={**DEFAULTS, "data": {"zone": "vidoe"}})
    code, problems = check(root)
    assert code == 2
    assert any(p.startswith("inventory/groups.yaml: group site-county: field 'data.zone' zone 'county_a' is not declared")
               and "declared: county-a, video" in p for p in problems), problems
    assert any(p.startswith("inventory/defaults.yaml: defaults: field 'data.zone' zone 'vidoe'") for p in problems), problems
    assert len(problems) == 2, problems  # hosts inheriting a bad zone are not each reported again


def test_a_host_zone_typo_names_the_host(tmp_path):
    hosts = {**HOSTS, "county-video": {**HOSTS["county-video"], "data": {"zone": "vid"}}}
    code, problems = check(write_ws(tmp_path, hosts=hosts))
    assert code == 2 and problems == [
        "inventory/hosts.yaml: host county-video: field 'data.zone' zone 'vid' is not declared in netpatrol.yaml 'zones:' "
        "(declared: county-a, video; 'local' is this machine); add  zones: {vid: {description: ...}}"]


def test_a_non_local_zone_needs_the_distributed_section(tmp_path):
    root = write_ws(tmp_path, settings="zones:\n  county-a: {}\n  video: {}\n")
    code, problems = check(root)
    assert code == 2 and len(problems) == 1, problems
    assert problems[0].startswith("inventory/hosts.yaml: host county-cam: field 'data.zone' 3 host(s) are in zone(s) "
                                  "county-a, video but netpatrol.yaml has no 'distributed:' section")
    # nothing is used outside `local`: declared zones alone need no broker, `local` needs no declaration
    hosts = {n: {**h, "data": {"zone": "local"}} for n, h in HOSTS.items()}
    assert check(write_ws(tmp_path, settings="zones:\n  county-a: {}\n", hosts=hosts)) == (0, [])


def test_check_zones_refuses_a_run_over_undeclared_zones(tmp_path):
    root = write_ws(tmp_path)
    inv = load_inventory(root)
    settings = Workspace(root).settings
    assert zone_problems(settings, inv) == []
    check_zones(settings, inv.hosts.values())  # all declared, broker present
    bare = settings.model_copy(update={"zones": {"video": settings.zones["video"]}, "distributed": None})
    with pytest.raises(InventoryError) as info:
        check_zones(bare, inv.hosts.values())
    text = str(info.value)
    assert "host county-sw: field 'data.zone' zone 'county-a' is not declared" in text
    assert "no 'distributed:' section" in text
    check_zones(bare, [inv.hosts["city-core"]])  # a local-only selection runs without zones


# --- netpatrol.yaml errors --------------------------------------------------------------------------

SETTINGS_CASES = [
    ("zones-list", "zones: [county-a]\n", "field 'zones': must be a mapping of zone names"),
    ("zone-name", "zones:\n  County A: {}\n", "field 'zones': 'County A' is not a zone name"),
    ("zone-local", "zones:\n  local: {}\n", "field 'zones': 'local' is this machine's own zone"),
    ("zone-typo", "zones:\n  a: {descripton: x}\n", "field 'zones.a.descripton': unknown key"),
    ("zone-text", "zones:\n  a: County A\n", "field 'zones.a': a zone must be a mapping, e.g. {description:"),
    ("dist-url", "distributed: redis://10.0.0.5\n", "field 'distributed': distributed must be a mapping, e.g. {broker:"),
    ("dist-empty", "distributed: {}\n", "field 'distributed.broker': Field required"),
    ("no-scheme", "distributed: {broker: '10.0.0.5:6379'}\n", "field 'distributed.broker': '10.0.0.5:6379' is not a redis://"),
    ("backend-scheme", "distributed: {broker: 'redis://h', result_backend: 'rpc://'}\n",
     "field 'distributed.result_backend': 'rpc://' is not a redis:// / rediss:// / sentinel:// URL"),
    ("password-hidden", "distributed: {broker: 'http://u:hunter2@h'}\n", "'http://u:**@h' is not a redis://"),
    ("ssl-typo", "distributed: {broker: 'rediss://h', ssl: {ssl_ca_cert: /ca.pem}}\n",
     "field 'distributed.ssl': unknown option(s) 'ssl_ca_cert' for a Redis broker"),
    ("prefix", "distributed: {broker: 'redis://h', queue_prefix: 'a b'}\n",
     "field 'distributed.queue_prefix': 'a b' is not a queue prefix"),
    ("batch", "distributed: {broker: 'redis://h', batch_size: 0}\n", "field 'distributed.batch_size'"),
    ("key-typo", "distributed: {broker: 'redis://h', brokr: x}\n", "field 'distributed.brokr': unknown key"),
]


@pytest.mark.parametrize("text, expected", [c[1:] for c in SETTINGS_CASES], ids=[c[0] for c in SETTINGS_CASES])
def test_settings_errors_name_the_field(tmp_path, text, expected):
    (tmp_path / "netpatrol.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(WorkspaceError) as info:
        _ = Workspace(tmp_path).settings
    assert expected in str(info.value)
    assert "hunter2" not in str(info.value)


def test_zone_settings_accept_an_empty_zone_and_the_ssl_options(tmp_path):
    (tmp_path / "netpatrol.yaml").write_text(
        "zones:\n  county-a:\n  video: {description: Video}\ndistributed:\n  broker: 'rediss://:${NP_BROKER_PW}@h:6380/0'\n"
        "  ssl: {ssl_cert_reqs: required, ssl_ca_certs: /etc/ca.pem}\n", encoding="utf-8")
    s = Workspace(tmp_path).settings
    assert s.zones["county-a"].description == "" and s.zones["video"].description == "Video"
    assert s.distributed is not None and s.distributed.ssl == {"ssl_cert_reqs": "required", "ssl_ca_certs": "/etc/ca.pem"}


# --- the init template --------------------------------------------------------------------------------

def _uncomment(path: Path, start: str, stop: str | None) -> None:
    """Uncomment the commented block from the line starting `start` up to (not including) `stop`."""
    out, inside = [], False
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        inside = (inside or line.lstrip().startswith(start)) and not (stop and line.startswith(stop))
        out.append(line.replace("# ", "", 1) if inside and not line.lstrip().startswith("#   #") else line)
    path.write_text("".join(out), encoding="utf-8")


def test_init_template_zone_examples_are_valid_once_uncommented(tmp_path, monkeypatch):
    monkeypatch.setenv("NETPATROL_PASSWORD", "x")
    root = tmp_path / "new"
    assert CliRunner().invoke(app, ["init", str(root), "--lang", "en"]).exit_code == 0
    settings_file, groups_file = root / "netpatrol.yaml", root / "inventory" / "groups.yaml"
    assert "# zones:" in settings_file.read_text(encoding="utf-8")
    _uncomment(groups_file, "# zone:", None)  # the site group joins zone county-a...
    code, problems = check(root)
    zone_issues = [p for p in problems if "data.zone" in p]
    assert code == 2 and len(zone_issues) == 2, problems
    assert zone_issues[0].startswith("inventory/groups.yaml: group site-main: field 'data.zone' zone 'county-a' is not declared")
    assert zone_issues[1].startswith("inventory/hosts.yaml: host core-sw1: field 'data.zone' 1 host(s) are in zone(s) county-a "
                                     "but netpatrol.yaml has no 'distributed:'")
    _uncomment(settings_file, "# zones:", None)  # ...declared with its broker by the example
    assert check(root) == (0, [])
    s = Workspace(root).settings
    assert set(s.zones) == {"county-a", "video"} and s.distributed is not None
    assert s.distributed.broker.startswith("redis://:${NETPATROL_BROKER_PASSWORD}@")
    inv = load_inventory(root)
    assert {h.zone for h in inv.hosts.values()} == {"county-a"}


# --- no_collector in every catalogue --------------------------------------------------------------------

def _device_statuses() -> set[str]:
    found, todo = set(), [errors.DeviceError]
    while todo:
        cls = todo.pop()
        found.add(cls.status)
        todo.extend(cls.__subclasses__())
    return found | set(get_args(DeviceStatus))


def test_every_device_status_has_words_in_every_catalogue():
    statuses = _device_statuses()
    assert {"no_collector", "auth_failed", "not_inspected"} <= statuses
    for lang in ("zh-CN", "en"):
        words = catalogue(lang)
        assert {f"status.{s}" for s in statuses} <= set(words), lang
        # notifications say what failed, in the workspace's language
        assert {f"status.{s}" for s in statuses - {"ok"}} <= set(texts()), lang
    for lang in LANGS:
        assert all(result_label(s, lang) != s for s in statuses), lang  # the web, in the report's words
    assert Voice("zh-CN").status("no_collector") == "所在网络区域无在线采集节点"
    assert catalogue("en")["status.no_collector"] == "No collector in its zone"


@pytest.mark.parametrize("command", ["backup", "inspect"])
def test_a_run_over_an_undeclared_zone_stops_before_anything_is_written(tmp_path, command):
    hosts = {**HOSTS, "county-video": {**HOSTS["county-video"], "data": {"zone": "vid"}}}
    root = write_ws(tmp_path, hosts=hosts)
    res = CliRunner().invoke(app, [command, "-w", str(root), "--json"])
    assert res.exit_code == 2, res.output
    assert "host county-video: field 'data.zone' zone 'vid' is not declared" in res.output
    assert not (root / "backups" / ".git").exists() and not (root / ".netpatrol" / "runs.jsonl").exists()
