"""Loading compliance packs: the built-in packs with their platform parts, then the workspace's.

Built-in packs (`compliance/packs/*.yaml`) name no platform; each platform folder's
`compliance.yaml` gives `{pack: {rule id: condition mapping | null}}`, merged here into
`Rule.platforms`. Then every `<workspace>/compliance/*.yaml`: a pack with a new name is added; the
same name adds rules, or overrides a rule by id (the workspace entry's keys replace the built-in
rule's, and its `platforms:` entries replace those platforms' entries one by one).

Every problem is reported at once, one line each naming the file, the YAML line, the pack, the
rule and the field: what a user needs to find and fix it. The format: docs/compliance.md.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel, ValidationError

from netpatrol import safe_yaml
from netpatrol.compliance.model import Condition, Pack, PlatformRule, Rule, ValueTest
from netpatrol.compliance.validation import check_platform_rule
from netpatrol.errors import UsageError, WorkspaceError
from netpatrol.platforms import canonical_keys, unknown_platform

if TYPE_CHECKING:
    from netpatrol.workspace.settings import Workspace

BUILTIN_DIR = Path(__file__).with_name("packs")

Loc = tuple[Any, ...]


class ComplianceError(WorkspaceError):
    """Problems in compliance packs; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        head = problems[0] if len(problems) == 1 else (
            f"{len(problems)} problem(s) in the compliance packs:\n" + "\n".join(f"  - {p}" for p in problems))
        super().__init__(head)


class _Source:
    """One YAML file's document and the line of every key and item in it (for messages)."""

    def __init__(self, path: Path, label: str):
        self.path, self.label = path, label
        self.lines: dict[Loc, int] = {}
        self.doc: Any = safe_yaml.load_file(path, label)  # refuses bombs and duplicate keys first
        try:
            text = safe_yaml.decode(path.read_bytes(), label)
            self._index(yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)), ())
        except (yaml.YAMLError, safe_yaml.YamlFileError, RecursionError):  # lines are a help, not a need
            pass

    def _index(self, node: yaml.Node | None, loc: Loc) -> None:
        if node is None or len(self.lines) > 200_000:
            return
        self.lines.setdefault(loc, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode):
                    self.lines.setdefault((*loc, k.value), k.start_mark.line + 1)
                    self._index(v, (*loc, k.value))
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                self._index(v, (*loc, i))

    def line(self, loc: Loc) -> int:
        """The line of `loc`, or of its nearest enclosing key that the file has."""
        for n in range(len(loc), -1, -1):
            if loc[:n] in self.lines:
                return self.lines[loc[:n]]
        return 0


class _Problems(list[str]):
    def add(self, src: _Source | None, loc: Loc, pack: str | None, rule: str | None, field: str, msg: str,
            label: str | None = None) -> None:
        parts = [label or (src.label if src else "?")]
        line = src.line(loc) if src else 0
        if line:
            parts.append(f"line {line}")
        if pack:
            parts.append(f"pack '{pack}'")
        if rule:
            parts.append(f"rule '{rule}'")
        if field:
            parts.append(f"field '{field}'")
        self.append(": ".join(parts) + f": {msg}")


def _dotted(loc: Loc) -> str:
    return ".".join(str(p) for p in loc)


def _known_keys(model: type[BaseModel]) -> str:
    return ", ".join(f.alias or n for n, f in model.model_fields.items())


_MODELS: dict[tuple[str, ...], type[BaseModel]] = {
    (): Rule, ("platforms", "*"): PlatformRule, ("platforms", "*", "conditions", "#"): Condition,
    ("platforms", "*", "conditions", "#", "value"): ValueTest}
_TYPE_WORDS = {"float": "a number", "int": "a whole number", "str": "a string", "bool": "true/false",
               "list[str]": "a list of strings"}


def _model_at(loc: Loc) -> type[BaseModel] | None:
    """The model whose keys the mapping at `loc` (inside a rule) holds."""
    shape: list[str] = []
    for part in loc:
        shape.append("#" if isinstance(part, int) else ("*" if shape[-1:] == ["platforms"] else str(part)))
        if shape[-2:] in (["any_of", "#"], ["all_of", "#"]):  # a nested condition is a condition
            del shape[-2:]
    return _MODELS.get(tuple(shape))


def _validation_problems(exc: ValidationError, src: _Source | None, base: Loc, pack: str, rule: str | None,
                         problems: _Problems, model_prefix: Loc = (), field_prefix: str = "", missing: str = "") -> None:
    """One problem per field: a union's alternatives (threshold: number, text or list) give one."""
    done: set[Loc] = set()
    for e in exc.errors():
        loc: Loc = ()
        msg = e["msg"].removeprefix("Value error, ")
        for part in e["loc"]:
            if str(part) in _TYPE_WORDS:  # an alternative of a union: the field itself is wrong
                members = [_TYPE_WORDS[str(m)] for m in _union_members(exc, loc)]
                msg = "expected " + " or ".join(members) + f", got {_shown(e.get('input'))}"
                break
            if not str(part).startswith(("function-", "literal[", "union[", "tagged-union[")):
                loc = (*loc, part)
        if loc in done:
            continue
        done.add(loc)
        if e["type"] == "extra_forbidden":
            model = _model_at((*model_prefix, *loc[:-1])) if rule else Pack
            msg = "unknown field" + (f" (known here: {_known_keys(model)})" if model else "")
        elif e["type"] == "missing":
            msg = "missing" + missing
        problems.add(src, (*base, *loc), pack, rule, field_prefix + _dotted(loc) or "(rule)", msg)


def _union_members(exc: ValidationError, loc: Loc) -> list[str]:
    """The union alternatives pydantic tried at `loc`, in order."""
    out: list[str] = []
    for e in exc.errors():
        plain = tuple(p for p in e["loc"] if not str(p).startswith(("function-", "literal[")))
        if plain[: len(loc)] == loc and len(plain) > len(loc) and str(plain[len(loc)]) in _TYPE_WORDS:
            out.append(str(plain[len(loc)]))
    return list(dict.fromkeys(out))


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _loc_of(field: str) -> Loc:
    return tuple(int(p) if p.isdigit() else p for p in field.split("."))


# --- reading -------------------------------------------------------------------------------------


def _read(path: Path, label: str, problems: _Problems) -> tuple[_Source | None, dict[str, Any] | None]:
    try:
        src = _Source(path, label)
    except safe_yaml.YamlFileError as exc:
        problems.append(str(exc))
        return None, None
    doc = src.doc
    if not isinstance(doc, dict):
        problems.add(src, (), None, None, "", "expected a pack: a mapping with pack, title, rules")
        return src, None
    return src, doc


def _raw_rules(src: _Source, doc: dict[str, Any], pack: str, problems: _Problems) -> list[tuple[Loc, dict[str, Any]]]:
    rules = doc.get("rules", [])
    if not isinstance(rules, list):
        problems.add(src, ("rules",), pack, None, "rules", "expected a list of rules")
        return []
    out: list[tuple[Loc, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(rules):
        loc = ("rules", i)
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            problems.add(src, loc, pack, None, f"rules.{i}.id", "each rule is a mapping with an id")
            continue
        rid = raw["id"]
        if rid in seen:
            problems.add(src, (*loc, "id"), pack, rid, "id", f"duplicate rule id (first at line {seen[rid]})")
            continue
        seen[rid] = src.line((*loc, "id"))
        out.append((loc, raw))
    return out


def _validate_rule(raw: dict[str, Any], src: _Source | None, loc: Loc, pack: str, problems: _Problems,
                   platform_names: set[str] | None, missing: str = "") -> Rule | None:
    """The rule, or None after adding its problems (all of them: the rule's own keys and each
    platform's part are checked apart). `platform_names`: the names `platforms:` may use;
    `missing`: what to add to a "missing" message (a new rule that may be a mistyped override)."""
    rid = raw.get("id")
    ok = True
    try:
        Rule.model_validate({**raw, "platforms": {}})
    except ValidationError as exc:
        _validation_problems(exc, src, loc, pack, rid, problems, missing=missing)
        ok = False
    if raw.get("clause") is None and not raw.get("checklist"):  # only an inspection-sheet item has none
        problems.add(src, (*loc, "clause"), pack, rid, "clause", "missing: the standard's clause "
                     "(or `checklist: true` for an item only inspection sheets ask for)" + missing)
        ok = False
    parts = raw.get("platforms") or {}
    if not isinstance(parts, dict):
        problems.add(src, (*loc, "platforms"), pack, rid, "platforms", "expected a mapping: platform name -> condition")
        return None
    for name, entry in parts.items():
        if platform_names is not None and name not in platform_names:
            problems.add(src, (*loc, "platforms", name), pack, rid, f"platforms.{name}", unknown_platform(str(name)))
            ok = False
        elif entry is not None:
            ok = _valid_entry(entry, bool(raw.get("at_backup")), src, (*loc, "platforms", name), pack, str(rid),
                              str(name), problems, f"platforms.{name}.") and ok
    return Rule.model_validate(raw) if ok else None


def _platform_parts(packs_raw: dict[str, dict[str, Any]], problems: _Problems) -> None:
    """Merge each platform folder's compliance.yaml into the built-in packs' raw rules."""
    from netpatrol.platforms import PLATFORMS

    for pname, profile in sorted(PLATFORMS.items()):
        label = f"platforms/{pname}/compliance.yaml"
        path = profile.folder / "compliance.yaml"
        cached: list[_Source] = []

        def src_of(path: Path = path, label: str = label, cached: list[_Source] = cached) -> _Source | None:
            # Read again only for a problem's line: the registry already holds the document.
            if not cached and path.is_file():
                cached.append(_Source(path, label))
            return cached[0] if cached else None

        for pack, entries in (profile.compliance or {}).items():
            if pack not in packs_raw or not isinstance(entries, dict):
                src = src_of()
                why = "expected {rule id: condition or null}" if pack in packs_raw else (
                    f"no built-in pack of that name (built-in: {', '.join(sorted(packs_raw)) or 'none'})")
                problems.add(src, (pack,), pack, None, "", why, label)
                continue
            rules = {r.get("id"): r for r in packs_raw[pack]["rules"]}
            for rid, entry in entries.items():
                if rid not in rules:
                    problems.add(src_of(), (pack, rid), pack, str(rid), "",
                                 f"the pack has no rule '{rid}'{_suggest(str(rid), rules)}", label)
                    continue
                if entry is None or _valid_entry(entry, bool(rules[rid].get("at_backup")), src_of(), (pack, rid),
                                                 pack, rid, pname, problems):
                    rules[rid].setdefault("platforms", {})[pname] = entry


def _valid_entry(entry: Any, at_backup: bool, src: _Source | None, base: Loc, pack: str, rid: str, pname: str,
                 problems: _Problems, field_prefix: str = "") -> bool:
    """Whether one platform's part of a rule is valid; its problems are added."""
    try:
        pr = PlatformRule.model_validate(entry)
    except ValidationError as exc:
        _validation_problems(exc, src, base, pack, rid, problems, model_prefix=("platforms", pname),
                             field_prefix=field_prefix)
        return False
    err: list[tuple[str, str]] = []
    check_platform_rule(pr, at_backup, "", err)
    for field, msg in err:
        field = field.lstrip(".")
        problems.add(src, (*base, *_loc_of(field)), pack, rid, field_prefix + field, msg)
    return not err


def _suggest(name: str, known: Any) -> str:
    close = difflib.get_close_matches(name, sorted(str(k) for k in known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def builtin_pack_names() -> list[str]:
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))


def _workspace_files(d: Path | None) -> list[Path]:
    if d is None or not d.is_dir():
        return []
    return sorted(p for p in d.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def _load_all(ws_dir: Path | None, problems: _Problems) -> list[Pack]:
    from netpatrol.platforms import PLATFORMS

    # pack name -> {"doc": pack keys but rules, "rules": [raw rule], "src": the file that last set the keys}
    raw: dict[str, dict[str, Any]] = {}
    where: dict[tuple[str, str], tuple[_Source, Loc]] = {}
    for path in sorted(BUILTIN_DIR.glob("*.yaml")):
        src, doc = _read(path, f"built-in packs/{path.name}", problems)
        if doc is None or src is None:
            continue
        name = str(doc.get("pack", path.stem))
        raw[name] = {"doc": {k: v for k, v in doc.items() if k != "rules"}, "rules": [], "src": src}
        for loc, r in _raw_rules(src, doc, name, problems):
            r = {**r, "platforms": dict(r.get("platforms") or {})}
            raw[name]["rules"].append(r)
            where[(name, r["id"])] = (src, loc)
    _platform_parts(raw, problems)
    builtin = set(raw)
    names = set(PLATFORMS)
    bad: set[tuple[str, str]] = set()
    overridden_in: dict[tuple[str, str], str] = {}
    for path in _workspace_files(ws_dir):
        src, doc = _read(path, f"compliance/{path.name}", problems)
        if doc is None or src is None:
            continue
        if not isinstance(doc.get("pack"), str):
            problems.add(src, ("pack",), None, None, "pack", "missing: name the pack this file adds to or defines")
            continue
        name = str(doc["pack"])
        entry = raw.setdefault(name, {"doc": {}, "rules": []})
        entry["doc"].update({k: v for k, v in doc.items() if k != "rules"})
        entry["src"] = src
        index = {r["id"]: i for i, r in enumerate(entry["rules"])}
        for loc, r in _raw_rules(src, doc, name, problems):
            try:  # an alias key is its folder's part: hosts carry the folder name
                r = {**r, "platforms": canonical_keys(r["platforms"])} if isinstance(r.get("platforms"), dict) else r
            except ValueError as exc:
                problems.add(src, (*loc, "platforms"), name, r["id"], "platforms", str(exc))
                continue
            key = (name, r["id"])
            if key in overridden_in:
                problems.add(src, (*loc, "id"), name, r["id"], "id", f"also defined in {overridden_in[key]}")
                continue
            overridden_in[key] = src.label
            if r["id"] in index:
                base = entry["rules"][index[r["id"]]]
                merged = {**base, **r, "platforms": {**(base.get("platforms") or {}), **(r.get("platforms") or {})}}
                entry["rules"][index[r["id"]]] = merged
            else:
                merged = r
                entry["rules"].append(merged)
            where[key] = (src, loc)
            hint = "" if r["id"] in index or not index else (
                f" (a new rule needs it; to override a rule of '{name}' use its id{_suggest(r['id'], index)})")
            if _validate_rule(merged, src, loc, name, problems, names, hint) is None:
                bad.add(key)
    packs: list[Pack] = []
    for name, entry in raw.items():
        rules: list[Rule] = []
        for r in entry["rules"]:
            if (name, r["id"]) in bad:
                continue
            src, loc = where[(name, r["id"])]
            rule = _validate_rule(r, src, loc, name, problems, None)
            if rule is not None:
                rules.append(rule)
        try:
            packs.append(Pack.model_validate({**entry["doc"], "pack": name, "rules": rules}))
        except ValidationError as exc:
            hint = f" (a new pack needs it{_suggest(name, builtin)})" if name not in builtin else ""
            _validation_problems(exc, entry.get("src"), (), name, None, problems, missing=hint)
    return packs


def load_packs(ws: Workspace | None, names: list[str] | None = None) -> list[Pack]:
    """The built-in packs merged with the workspace's (`ws` None: built-in only), all or by name.

    Raises ComplianceError listing every problem (file, line, pack, rule, field) at once, and
    UsageError for a name in `names` that no pack has.
    """
    problems = _Problems()
    packs = _load_all(ws.compliance_dir if ws is not None else None, problems)
    if problems:
        raise ComplianceError(list(problems))
    if names is None:
        return packs
    by_name = {p.pack: p for p in packs}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise UsageError(f"unknown compliance pack '{unknown[0]}'{_suggest(unknown[0], by_name)} "
                         f"(known: {', '.join(sorted(by_name)) or 'none'})")
    return [by_name[n] for n in dict.fromkeys(names)]


def validate_workspace_packs(compliance_dir: Path) -> list[str]:
    """Problems of the built-in and workspace packs together (for `netpatrol inventory check`)."""
    problems = _Problems()
    _load_all(compliance_dir, problems)
    return list(problems)
