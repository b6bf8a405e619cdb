"""Loading check packs: the built-in packs by name, then the workspace's `checks/*.yaml`.

A pack is a list of checks (or `{checks: [...]}`). Built-in packs live in `checks/packs/<name>.yaml`
in the package; every `*.yaml` in a workspace's `checks/` adds checks, or overrides a built-in one
by id: the workspace entry's top-level keys replace the built-in's, so
`{id: cpu_percent, severity: major}` is a complete override. Every problem is reported at once,
naming the file, the check id and the field.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from netpatrol import safe_yaml
from netpatrol.checks import operators
from netpatrol.checks.model import Check
from netpatrol.errors import CheckFileError

BUILTIN_DIR = Path(__file__).with_name("packs")


def _read(path: Path, label: str, problems: list[str]) -> list[dict[str, Any]]:
    try:
        doc = safe_yaml.load_file(path, label)
    except (FileNotFoundError, safe_yaml.YamlFileError) as exc:
        problems.append(str(exc) if isinstance(exc, safe_yaml.YamlFileError) else f"{label}: not found")
        return []
    if isinstance(doc, dict) and set(doc) == {"checks"}:
        doc = doc["checks"]
    if doc is None:
        return []
    if not isinstance(doc, list) or not all(isinstance(e, dict) for e in doc):
        problems.append(f"{label}: expected a list of checks (or {{checks: [...]}}), each a mapping")
        return []
    return doc


def _validate(raw: dict[str, Any], label: str, problems: list[str]) -> Check | None:
    where = f"check '{raw.get('id', '?')}'"
    try:
        return Check.model_validate({**raw, "source": label})
    except ValidationError as exc:
        for e in exc.errors():
            loc = ".".join(str(p) for p in e["loc"] if not str(p).startswith(("function-", "literal[")))
            msg = e["msg"].removeprefix("Value error, ")
            if e["type"] == "extra_forbidden":
                msg = f"unknown key (known here: {', '.join(_known_keys(e['loc'][:-1]))})"
            problems.append(f"{label}: {where}: field '{loc or '(check)'}': {msg}")
        return None


def _known_keys(loc: tuple[Any, ...]) -> list[str]:
    """The keys the model at `loc` accepts, for an "unknown key" message."""
    model: Any = Check
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part)) if isinstance(model, type) and issubclass(model, BaseModel) else None
        if field is None:
            return []
        model = operators.element_model(field.annotation)
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return []
    return [f.alias or name for name, f in model.model_fields.items() if name != "source"]


def _load_file(path: Path, label: str, base: dict[str, dict[str, Any]], problems: list[str]) -> dict[str, Check]:
    """Checks of one file by id; entries overriding `base` are merged over it first."""
    out: dict[str, Check] = {}
    for i, raw in enumerate(_read(path, label, problems)):
        cid = raw.get("id")
        if not isinstance(cid, str):
            problems.append(f"{label}: check #{i + 1}: field 'id': missing")
            continue
        if cid in out:
            problems.append(f"{label}: check '{cid}': field 'id': duplicate id in the same file")
            continue
        merged = {**base[cid], **raw} if cid in base else raw
        check = _validate(merged, label, problems)
        if check is not None:
            out[cid] = check
    return out


@functools.lru_cache(maxsize=1)
def _builtin_raw() -> dict[str, dict[str, Any]]:
    """Raw built-in entries by id: the base that workspace overrides are merged over."""
    raw: dict[str, dict[str, Any]] = {}
    for path in sorted(BUILTIN_DIR.glob("*.yaml")):
        for entry in _read(path, f"built-in {path.name}", []):
            if isinstance(entry.get("id"), str):
                raw[entry["id"]] = {k: v for k, v in entry.items()}
    return raw


def _workspace_files(d: Path | None) -> list[Path]:
    if d is None or not d.is_dir():
        return []
    return sorted(p for p in d.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def load_packs(names: list[str], workspace_checks_dir: Path | None) -> list[Check]:
    """Built-in packs by name, then every workspace file adding or overriding checks by id.

    Raises CheckFileError listing every problem (file, check id, field) at once.
    """
    problems: list[str] = []
    checks: dict[str, Check] = {}
    ws_files = _workspace_files(workspace_checks_dir)
    for name in names:
        path = BUILTIN_DIR / f"{name}.yaml"
        if path.is_file():
            checks.update(_load_file(path, f"built-in {name}.yaml", {}, problems))
        elif not any(p.stem == name for p in ws_files):
            known = ", ".join(sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml")))
            problems.append(f"check pack '{name}': not found (built-in packs: {known}; or add checks/{name}.yaml)")
    base = _builtin_raw()
    seen_in: dict[str, str] = {}
    for path in ws_files:
        label = f"checks/{path.name}"
        for cid, check in _load_file(path, label, base, problems).items():
            if cid in seen_in:
                problems.append(f"{label}: check '{cid}': field 'id': also defined in {seen_in[cid]}")
                continue
            seen_in[cid] = label
            checks[cid] = check
    if problems:
        raise CheckFileError(f"{len(problems)} problem(s) in the check packs:\n" + "\n".join(f"  - {p}" for p in problems))
    return list(checks.values())


def validate_pack_file(path: Path) -> list[str]:
    """Problems of one pack file (for `netpatrol inventory check`); [] when it is valid."""
    problems: list[str] = []
    label = f"{path.parent.name}/{path.name}"
    _load_file(path, label, _builtin_raw(), problems)
    return problems
