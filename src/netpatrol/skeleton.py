"""`netpatrol init DIR`: a new workspace from the commented template shipped in the package."""

from __future__ import annotations

import shutil
from pathlib import Path

from netpatrol.errors import UsageError

TEMPLATE = Path(__file__).parent / "workspace_template"


def create_workspace(directory: Path) -> list[Path]:
    directory = directory.resolve()
    if (directory / "netpatrol.yaml").exists() or (directory / "inventory" / "hosts.yaml").exists():
        raise UsageError(f"{directory} already holds a workspace; nothing was changed")
    created = []
    for src in sorted(TEMPLATE.rglob("*")):
        if src.is_dir() or "__pycache__" in src.parts:
            continue
        rel = src.relative_to(TEMPLATE)
        dest = directory / (".gitignore" if rel.name == "gitignore" else rel)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        created.append(dest)
    (directory / "backups").mkdir(exist_ok=True)
    return created
