"""The store's own git configuration must not make git run programs.

`backups/.git` may come from anywhere (a restored archive, a copied workspace), and its
`.git/config` is read by every git command netpatrol runs. Hooks and fsmonitor are switched off
on the command line (store/git.py, GIT_OPTS), but many other keys name a program git runs by itself:
a `filter.<driver>.process` runs on `git add`, `remote.<name>.receivepack` on `git push`, and so
on. Those keys cannot all be overridden with `-c` (their names contain the attacker's driver or
remote name), so a store whose repository-level configuration (including files it includes) names
a program is refused before git runs anything else in it. Programs the user trusts belong in their
own ~/.gitconfig, which is not read from here.
"""

from __future__ import annotations

import re
from pathlib import Path

from netpatrol.errors import StoreError

# `git config` only reads files: it runs none of the programs it lists.
LIST_ARGS = ("config", "--list", "--show-scope", "--show-origin", "--includes", "-z")

# Key names as `git config --list` prints them (section and variable lower-cased).
_RUNS_PROGRAM = re.compile(
    r"filter\..+\.(clean|smudge|process)"
    r"|diff\.external|diff\..+\.(textconv|command)"
    r"|merge\..+\.driver"
    r"|core\.(pager|editor|askpass|sshcommand|gitproxy|alternaterefscommand)"
    r"|pager\..+|sequence\.editor"
    r"|credential\.(.+\.)?helper"
    r"|gpg\.(.+\.)?program"
    r"|remote\..+\.(receivepack|uploadpack|vcs)"
    r"|submodule\..+\.update")
# Only what sits in the repository itself; the user's global and the system config are theirs.
_REPO_SCOPES = ("local", "worktree")


def programs_named(listing: str) -> list[tuple[str, str]]:
    """(origin, key) of each repository-level key that runs a program, from the output of
    `git config --list --show-scope --show-origin --includes -z`."""
    found = []
    for scope, origin, key in _records(listing):
        if scope in _REPO_SCOPES and _RUNS_PROGRAM.fullmatch(key):
            found.append((origin.removeprefix("file:"), key))
    return found


def _records(listing: str) -> list[tuple[str, str, str]]:
    # -z: "scope NUL origin NUL key [LF value] NUL", repeated.
    fields = listing.split("\0")
    records = []
    for i in range(0, len(fields) - 2, 3):
        scope, origin, entry = fields[i], fields[i + 1], fields[i + 2]
        records.append((scope, origin, entry.split("\n", 1)[0]))
    return records


def refuse_programs(repo: Path, listing: str) -> None:
    """StoreError naming the first repository-level key that runs a program, and how to remove it."""
    named = programs_named(listing)
    if named:
        origin, key = named[0]
        where = origin if Path(origin).is_absolute() else str(repo / origin)
        raise StoreError(
            f"{where}: '{key}' makes git run a program, and netpatrol does not run git in a repository "
            f"whose own configuration names programs (it may come from an archive or another machine); "
            f"remove it with: git -C {repo} config --unset-all {key} (put programs you trust in ~/.gitconfig)")
