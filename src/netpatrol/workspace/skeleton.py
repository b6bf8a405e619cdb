"""`netpatrol init DIR`: a new workspace from the commented template shipped in the package."""

from __future__ import annotations

import shutil
from pathlib import Path

from netpatrol.errors import UsageError
from netpatrol.store.layout import STORE_DIR

TEMPLATE = Path(__file__).with_name("template")
LANGUAGES = ("zh-CN", "en")


def settings_text(template: str, lang: str) -> str:
    """The template's netpatrol.yaml for a workspace in `lang` (the template is written for zh-CN)."""
    if lang == "zh-CN":
        return template
    lines = []
    for line in template.splitlines(keepends=True):
        if line.startswith("language: zh-CN"):
            line = "language: en" + line[len("language: zh-CN"):]
        elif line.startswith("timezone:"):
            line = "# " + line  # the machine's zone
        lines.append(line)
    return "".join(lines)


def create_workspace(directory: Path, lang: str = "zh-CN") -> list[Path]:
    """`lang`: the workspace language; zh-CN workspaces also get `timezone: Asia/Shanghai`, en ones
    leave it commented (the machine's zone)."""
    if lang not in LANGUAGES:
        raise UsageError(f"--lang {lang!r}: expected one of {', '.join(LANGUAGES)}")
    if not str(directory) or any(ord(c) < 32 or ord(c) == 127 for c in str(directory)):
        # A line break in the path would split the crontab entry and unit files made for it.
        raise UsageError(f"bad workspace directory {str(directory)!r}: give a path without line breaks or control characters")
    try:
        return _create(directory.resolve(), lang)
    except OSError as exc:  # e.g. a name longer than the file system allows
        raise UsageError(f"cannot create a workspace at {str(directory)[:100]!r}: {exc.strerror}") from None


def _create(directory: Path, lang: str) -> list[Path]:
    blocker = next((p for p in (directory, *directory.parents) if p.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise UsageError(f"{blocker} exists and is not a directory; give a new or existing directory")
    if (directory / "netpatrol.yaml").exists() or (directory / "inventory" / "hosts.yaml").exists():
        raise UsageError(f"{directory} already holds a workspace; nothing was changed")
    created = []
    for src in sorted(TEMPLATE.rglob("*")):
        if src.is_dir() or "__pycache__" in src.parts:
            continue
        rel = src.relative_to(TEMPLATE)
        dest = directory / (".gitignore" if rel.name == "gitignore" else rel)
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            if rel == Path("netpatrol.yaml"):
                dest.write_text(settings_text(src.read_text(encoding="utf-8"), lang), encoding="utf-8")
            else:
                shutil.copyfile(src, dest)
        except OSError as exc:
            raise UsageError(f"cannot create {dest}: {exc.strerror}") from None
        created.append(dest)
    (directory / STORE_DIR).mkdir(exist_ok=True)
    return created
