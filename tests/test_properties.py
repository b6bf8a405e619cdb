"""Bad input: generated inventories, check packs, job files and TextFSM template dirs either
load or fail with a netpatrol error naming the file (and host/check and field) — never anything else."""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netpatrol.checks.loader import load_packs, validate_pack_file
from netpatrol.errors import NetpatrolError
from netpatrol.inspection.catalogue import load_job
from netpatrol.inspection.parsing import parse, validate_template_dir
from netpatrol.workspace.inventory import load_inventory

REPO = Path(__file__).resolve().parents[1]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 70000), st.floats(allow_nan=False, width=16),
                    st.text(max_size=12), st.sampled_from(["cisco_ios", "huawei_vrp", "${NOPE}", "127.0.0.1", "", "platfrom"]))
values = st.recursive(scalars, lambda kids: st.one_of(st.lists(kids, max_size=3),
                                                      st.dictionaries(st.text(max_size=8), kids, max_size=3)), max_leaves=8)


def _paths(doc, prefix=()):
    """Every key path in a nested mapping/list document."""
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _paths(v, (*prefix, i))


@st.composite
def mutated(draw, original):
    """A valid document with a few keys dropped, renamed (typos) or given random values."""
    doc = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = doc
        for k in path[:-1]:
            parent = parent[k]
        key = path[-1]
        action = draw(st.sampled_from(["drop", "value", "typo"]))
        if action == "drop":
            del parent[key]
        elif action == "value" or isinstance(parent, list):
            parent[key] = draw(values)
        else:
            parent[str(key)[::-1] or "x"] = parent.pop(key)
    return doc


raw_text = st.one_of(st.text(max_size=200), st.sampled_from(["a: [", "- - -", ":\n  :", "a: !!python/object x", "{a: 1, a: 2}", "\t- x"]))


def _expect_clean(fn, *names):
    try:
        return fn()
    except NetpatrolError as exc:
        text = str(exc)
        assert any(n in text for n in names), f"error does not name the file: {text}"
        return None


def _load(name: str) -> dict:
    return yaml.safe_load((REPO / "inventory" / name).read_text(encoding="utf-8"))


INV = {n: _load(f"{n}.yaml") for n in ("hosts", "groups", "defaults")}


@SETTINGS
@given(which=st.sampled_from(sorted(INV)), data=st.data())
def test_inventory_loads_or_names_file_host_field(which, data):
    doc = data.draw(st.one_of(mutated(INV[which]), values))
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        (root / "inventory").mkdir()
        for n, original in INV.items():
            text = yaml.safe_dump(doc if n == which else original, allow_unicode=True)
            (root / "inventory" / f"{n}.yaml").write_text(text, encoding="utf-8")
        _expect_clean(lambda: load_inventory(root, need_secrets=False), "inventory/", ".yaml")


@SETTINGS
@given(text=raw_text)
def test_inventory_raw_text_never_crashes(text):
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        (root / "inventory").mkdir()
        (root / "inventory" / "hosts.yaml").write_text(text, encoding="utf-8")
        _expect_clean(lambda: load_inventory(root, need_secrets=False), "hosts.yaml")


PACK = yaml.safe_load((REPO / "src/netpatrol/checks/packs/health.yaml").read_text(encoding="utf-8"))
PACK_CHECKS = PACK["checks"] if isinstance(PACK, dict) else PACK


@SETTINGS
@given(doc=st.one_of(mutated({"checks": PACK_CHECKS[:3]}), values), text=st.one_of(st.none(), raw_text))
def test_check_pack_loads_or_names_file_and_check(doc, text):
    with tempfile.TemporaryDirectory() as d:
        checks = Path(d) / "checks"
        checks.mkdir()
        path = checks / "own.yaml"
        path.write_text(text if text is not None else yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        problems = validate_pack_file(path)
        assert all(isinstance(p, str) and "own.yaml" in p for p in problems), problems
        _expect_clean(lambda: load_packs(["health", "security"], checks), "own.yaml", "checks")


JOB = load_job(None, "quarterly").model_dump()  # the built-in job in the file format


@SETTINGS
@given(doc=st.one_of(mutated(JOB), values), text=st.one_of(st.none(), raw_text))
def test_job_file_loads_or_names_file_and_field(doc, text):
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        (root / "tasks").mkdir()
        body = text if text is not None else yaml.safe_dump(doc, allow_unicode=True)
        (root / "tasks" / "quarterly.yaml").write_text(body, encoding="utf-8")
        _expect_clean(lambda: load_job(root, "quarterly"), "quarterly.yaml")


GOOD_TEMPLATE = "Value NAME (\\S+)\nValue STATE (up|down)\n\nStart\n  ^${NAME}\\s+${STATE} -> Record\n"
template_text = st.one_of(st.just(GOOD_TEMPLATE), st.text(max_size=120),
                          st.builds(lambda a, b: GOOD_TEMPLATE[:a] + b + GOOD_TEMPLATE[a:],
                                    st.integers(0, len(GOOD_TEMPLATE)), st.text(max_size=10)))
index_text = st.one_of(
    st.just("Template, Hostname, Platform, Command\n\nown.textfsm, .*, cisco_ios, sh[[ow]] fo[[o]]\n"),
    st.text(max_size=120),
    st.builds(lambda t, p, c: f"Template, Hostname, Platform, Command\n\n{t}, .*, {p}, {c}\n",
              st.sampled_from(["own.textfsm", "missing.textfsm", "own.textfsm:other.textfsm", ""]),
              st.sampled_from(["cisco_ios", "(", "huawei_vrp", ""]), st.sampled_from(["sh[[ow]] fo[[o]]", "[[", "show foo", ""])),
)


@SETTINGS
@given(index=index_text, template=template_text, output=st.text(max_size=80))
def test_template_dir_validates_and_parses_or_names_file(index, template, output):
    with tempfile.TemporaryDirectory() as d:
        parsers = Path(d) / "parsers"
        parsers.mkdir()
        (parsers / "index").write_text(index, encoding="utf-8")
        (parsers / "own.textfsm").write_text(template, encoding="utf-8")
        problems = validate_template_dir(parsers)
        assert all(isinstance(p, str) and ("index" in p or ".textfsm" in p) for p in problems), problems
        outcome = _expect_clean(lambda: parse("cisco_ios", "show foo", output, [parsers]), "parsers", "index", ".textfsm")
        if outcome is not None:
            assert outcome.status in ("parsed", "empty", "no_template", "parse_error")
