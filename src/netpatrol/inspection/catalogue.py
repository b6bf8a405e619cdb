"""Job definitions (what a job collects per platform): built-in defaults, replaced per workspace.

A built-in job is its file in jobs/ (name, checks, config collection) plus, per platform, the
entries under the job's name in that platform folder's inspection.yaml. A workspace's
tasks/<job>.yaml holds the whole job, `platforms:` included, and replaces the built-in one, or
names a built-in job in `extends:` and adds, replaces or (with an empty list, `item: []`) removes
items of it, per platform."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from netpatrol import safe_yaml
from netpatrol.errors import InventoryIssue, WorkspaceError, invalid_file
from netpatrol.platforms import PLATFORMS, canonical_keys, load_part, unknown_platform

_BUILTIN = Path(__file__).with_name("jobs")
CATALOGUE_FILE = "inspection.yaml"


class Job(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    # A built-in job this one adds items to (or replaces items of, by name, per platform);
    # description, check_packs and collect_config come from it unless given here.
    extends: str | None = None
    description: str = ""
    check_packs: list[str] = Field(default_factory=list)
    collect_config: bool = True
    # platform -> item -> command alternatives (first accepted wins); platforms and commands are
    # checked by `entry_issues`, so that every bad entry is named at once with its platform and item.
    # In a job with `extends`, an empty list removes the built-in item of that name.
    platforms: dict[str, dict[str, list[str]]]

    @field_validator("platforms", mode="before")
    @classmethod
    def _canonical(cls, v: Any) -> Any:
        # An alias key is stored as its folder name (hosts carry it); unknown keys stay for entry_issues.
        return canonical_keys(v) if isinstance(v, dict) else v


class JobProblems(WorkspaceError):
    """Bad entries of a job file; each issue names file, platform and item. `job` is the job
    without them, still good for validating its check packs."""

    headline = "problem(s) in the job file"

    def __init__(self, issues: list[InventoryIssue], job: Job):
        self.issues, self.job = issues, job
        lines = "\n".join(f"  - {i}" for i in issues)
        super().__init__(f"{len(issues)} {self.headline}:\n{lines}")


class NotReadOnly(JobProblems):
    """Job commands that would change a device; each issue names file, platform, item and command."""

    headline = "job command(s) refused: job files may only send read-only commands"


def entry_issues(job: Job, label: str, base: Job | None = None) -> list[InventoryIssue]:
    """Unknown platforms, empty commands, and removals (`item: []`) of items `base`, the job
    named in `extends`, does not have."""
    issues = []
    for platform, items in job.platforms.items():
        if platform not in PLATFORMS:
            issues.append(InventoryIssue(label, f"platform {platform}", "platforms", unknown_platform(platform)))
            continue
        for item, alternatives in items.items():
            where = f"platform {platform}, item '{item}'"
            if any(not a.strip() for a in alternatives):
                issues.append(InventoryIssue(label, where, "commands", "an empty command: give the command text"))
            elif alternatives:
                continue
            elif base is None:
                issues.append(InventoryIssue(label, where, "commands", "give at least one command "
                                             "(an empty list removes an item only in a job with 'extends:')"))
            elif item not in (known := base.platforms.get(platform, {})):
                issues.append(InventoryIssue(label, where, "commands", (
                    f"[] removes a built-in item, but job '{base.name}' has no item '{item}' on {platform} "
                    f"(its items: {', '.join(sorted(known)) or 'none'})")))
    return issues


def _without(job: Job, issues: list[InventoryIssue]) -> Job:
    """`job` minus the platforms and items `issues` name."""
    bad_platforms = {p for p in job.platforms if p not in PLATFORMS}
    bad_items = {i.where for i in issues}
    platforms = {p: {item: alts for item, alts in items.items() if f"platform {p}, item '{item}'" not in bad_items}
                 for p, items in job.platforms.items() if p not in bad_platforms}
    return job.model_copy(update={"platforms": platforms})


def read_only_issues(job: Job, label: str) -> list[InventoryIssue]:
    """Every command of `job` its platform's read-only policy (platform.yaml `read_only` of each platform folder) refuses."""
    issues = []
    for platform, items in job.platforms.items():
        policy = PLATFORMS[platform].read_only
        for item, alternatives in items.items():
            for command in alternatives:
                reason = policy.refusal(command)
                if reason:
                    issues.append(InventoryIssue(label, f"platform {platform}, item '{item}'", "command",
                                                 f"{command!r} refused: {reason}"))
    return issues


def job_path(root: Path | None, name: str) -> tuple[Path, bool]:
    """The workspace's tasks/<name>.yaml when present, else the built-in one."""
    if root is not None:
        own = root / "tasks" / f"{name}.yaml"
        if own.exists():
            return own, True
    return _BUILTIN / f"{name}.yaml", False


def builtin_entries(name: str) -> dict[str, object]:
    """Platform -> item -> commands of built-in job `name`, from every platform's inspection.yaml."""
    entries = {}
    for platform in PLATFORMS:
        catalogue = load_part(platform, CATALOGUE_FILE) or {}
        if isinstance(catalogue, dict) and name in catalogue:
            entries[platform] = catalogue[name]
    return entries


def _read_job(path: Path, label: str, builtin: bool) -> Job:
    raw = safe_yaml.load_file(path, label)
    if builtin and isinstance(raw, dict):
        raw = {**raw, "platforms": builtin_entries(path.stem)}
    try:
        return Job.model_validate(raw)
    except ValidationError as exc:
        raise WorkspaceError(invalid_file(label, exc)) from None


def _base(job: Job, label: str) -> Job:
    """The built-in job `job` names in `extends`."""
    known = sorted(p.stem for p in _BUILTIN.glob("*.yaml"))
    if job.extends not in known:
        raise WorkspaceError(f"{label}: field 'extends': no built-in job {job.extends!r} (built-in: {', '.join(known)})")
    return _read_job(_BUILTIN / f"{job.extends}.yaml", f"built-in {job.extends}.yaml", builtin=True)


def _extended(job: Job, base: Job) -> Job:
    """`job` laid over `base`: its items add to or replace base items by name; `item: []` removes one."""
    platforms = {platform: dict(items) for platform, items in base.platforms.items()}
    for platform, items in job.platforms.items():
        merged = platforms.setdefault(platform, {})
        for item, alternatives in items.items():
            if alternatives:
                merged[item] = alternatives
            else:
                merged.pop(item, None)
    own: dict[str, Any] = {f: getattr(job, f) for f in ("description", "check_packs", "collect_config") if f in job.model_fields_set}
    return base.model_copy(update={"name": job.name, "extends": job.extends, "platforms": platforms, **own})


def load_job(root: Path | None, name: str) -> Job:
    path, own = job_path(root, name)
    label = str(path.relative_to(root)) if root and path.is_relative_to(root) else f"built-in {path.name}"
    try:
        job = _read_job(path, label, builtin=not own)
    except FileNotFoundError:
        raise WorkspaceError(f"job '{name}' not found (looked for tasks/{name}.yaml)") from None
    base = _base(job, label) if job.extends else None
    if own:
        problems = entry_issues(job, label, base)
    else:
        problems = [issue for platform, items in job.platforms.items()
                    for issue in entry_issues(job.model_copy(update={"platforms": {platform: items}}),
                                              str(PLATFORMS[platform].folder / CATALOGUE_FILE))]
    job = _without(job, problems) if problems else job
    if base is not None:
        job = _extended(job, base)
    if problems:
        raise JobProblems(problems, job)
    # Checked on every load, so `inventory check` reports it and `inspect` refuses before connecting.
    if own:
        issues = read_only_issues(job, label)
    else:  # a refused built-in command is named in its platform's inspection.yaml
        issues = [issue for platform, items in job.platforms.items()
                  for issue in read_only_issues(job.model_copy(update={"platforms": {platform: items}}),
                                                str(PLATFORMS[platform].folder / CATALOGUE_FILE))]
    if issues:
        raise NotReadOnly(issues, job)
    return job
