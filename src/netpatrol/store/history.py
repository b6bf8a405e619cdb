"""Reading the store's history: commits, logs with per-file counts, changed files and tags.

A mixin of Store (store/repo.py), which runs git for it; refs.py, drift.py, the reports and the
schedule read the history through these methods only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from netpatrol.errors import StoreError

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
_REC = "\x1e"
_SEP = "\x1f"


@dataclass(frozen=True)
class FileStat:
    path: str
    added: int
    removed: int


@dataclass(frozen=True)
class LogEntry:
    sha: str
    parents: tuple[str, ...]
    date: datetime  # committer date, UTC
    message: str
    files: tuple[FileStat, ...]
    author: str = ""  # the author's name (`%an`)

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0]


def git_date(when: datetime) -> str:
    """A moment as git's raw date (seconds since the epoch, UTC); naive means UTC."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return f"{int(when.timestamp())} +0000"


class History:
    """Read-only queries on the store's commits. The class using it provides `path` and `_git`."""

    path: Path

    def _git(self, *args: str, stdin: bytes | None = None, ok: Sequence[int] = (0,),
             env: dict[str, str] | None = None, timeout: float | None = None) -> tuple[int, str]:
        raise NotImplementedError

    def head(self) -> str | None:
        return self.rev_parse("HEAD")

    def rev_parse(self, rev: str) -> str | None:
        """The commit a revision names, or None."""
        status, out = self._git("rev-parse", "--verify", "--quiet", "--end-of-options",
                                f"{rev}^{{commit}}", ok=range(0, 256))
        return out.strip() if status == 0 and out.strip() else None

    def tree_files(self, rev: str, prefix: str) -> list[tuple[str, str]]:
        """(blob id, path) of every regular file below `prefix` at `rev` (no links, no submodules),
        from one `git ls-tree`; StoreError for an unknown revision."""
        listing = self._git("ls-tree", "-r", "-z", "--full-tree", self._commit(rev), "--", prefix)[1]
        files = []
        for entry in listing.split("\0"):  # "<mode> <type> <blob>\t<path>"; str ops: 10,000 entries
            meta, _, path = entry.partition("\t")
            if meta.startswith(("100644 blob ", "100755 blob ")):
                files.append((meta.rsplit(" ", 1)[-1], path))
        return files

    def subdirs(self, rev: str, prefix: str) -> list[str]:
        """Names of the directories directly below `prefix` at `rev`, sorted: one `git ls-tree`
        that does not descend (the periods below `inspections/`, without their 10,000 results)."""
        listing = self._git("ls-tree", "-z", "--full-tree", self._commit(rev), "--", prefix.rstrip("/") + "/")[1]
        return sorted(path.rsplit("/", 1)[-1] for meta, _, path in (e.partition("\t") for e in listing.split("\0"))
                      if meta.split(" ")[1:2] == ["tree"])

    def _commit(self, ref: str) -> str:
        sha = self.rev_parse(ref)
        if sha is None:
            raise StoreError(f"{self.path}: unknown revision {ref!r}")
        return sha

    def last_commit_before(self, moment: datetime, rev: str = "HEAD") -> str | None:
        """The newest commit (first-parent) with a committer date at or before `moment`."""
        out = self._git("rev-list", "-1", "--first-parent", f"--before={git_date(moment)}",
                        self._commit(rev))[1].strip()
        return out or None

    def log(self, pathspecs: Sequence[str] = (), rev: str = "HEAD", max_count: int | None = None,
            skip: int = 0) -> list[LogEntry]:
        """Commits reachable from `rev` touching `pathspecs`, newest first, with per-file numstat;
        `skip` passes over the newest ones first (a page of a device's versions).

        One literal path is answered from the commit-graph's changed-path filters where the store
        has them (Store.commit keeps them up to date); several paths or a glob walk every commit's tree."""
        args = ["log", f"--format={_REC}%H{_SEP}%P{_SEP}%ct{_SEP}%an{_SEP}%B{_SEP}", "--numstat", "--no-renames"]
        args += [f"--max-count={max_count}"] if max_count else []
        args += [f"--skip={skip}"] if skip > 0 else []
        out = self._git(*args, self._commit(rev), "--", *pathspecs)[1]
        entries = []
        for rec in out.split(_REC)[1:]:
            sha, parents, ts, author, message, stats = rec.split(_SEP)
            files = tuple(FileStat(p, _num(a), _num(r)) for a, r, p in
                          (ln.split("\t", 2) for ln in stats.strip("\n").splitlines() if ln.count("\t") >= 2))
            entries.append(LogEntry(sha, tuple(parents.split()), datetime.fromtimestamp(int(ts), timezone.utc),
                                    message.strip(), files, author))
        return entries

    def changed_files(self, old: str | None, new: str, prefix: str = "") -> list[tuple[str, str]]:
        """(status letter A/D/M, path) between two commits; old None means the empty tree."""
        args = ["diff", "--name-status", "-z", "--no-renames", old or EMPTY_TREE, new, "--"]
        fields = [f for f in self._git(*args, *([prefix] if prefix else []))[1].split("\0") if f]
        return [(fields[i][0], fields[i + 1]) for i in range(0, len(fields) - 1, 2)]

    def tags(self) -> dict[str, str]:
        """Tag name -> commit sha (annotated tags peeled)."""
        out = self._git("for-each-ref", "--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)",
                        "refs/tags")[1]
        result = {}
        for line in out.splitlines():
            name, obj, peeled = line.split("\0")
            result[name] = peeled or obj
        return result


def _num(text: str) -> int:
    return int(text) if text.isdigit() else 0  # "-" for binary files
