"""The Git store: the workspace's `backups/` repository. The only module that imports GitPython.

Git is driven through its CLI (`Git.execute`), not GitPython's index API: perf_anchors §5 measured
the index API ~80x slower when 1 % of 10,000 configs change. Every git failure becomes a StoreError
here. A run holds `.git/netpatrol.lock` (flock); the locked descriptor is handed to every git child,
so a git command orphaned by a SIGKILLed run keeps the store locked until it has finished.
Not thread-safe, except `write_file` on distinct files.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import socket
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

import git

from netpatrol.errors import LockedError, StoreError

MANAGED_DIRS = ("configs", "inspections", "evidence", "state")
LOCK_NAME = "netpatrol.lock"
BRANCH = "main"
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
_README = "# netpatrol backups\n\nDevice configurations and inspection results, written by netpatrol.\n"
_GITIGNORE = "# half-written files of an interrupted run\n.*.tmp\n"
# Unattended runs must not stop at a signing prompt or for credentials; hooks still run.
_GIT_OPTS = ("-c", "commit.gpgSign=false", "-c", "tag.gpgSign=false", "-c", "core.quotePath=false")
_CREDS_IN_URL = re.compile(r"(\w+://)[^/@\s]+@")
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

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0]


@dataclass(frozen=True)
class PushResult:
    ok: bool
    message: str


def redact(text: str) -> str:
    """Hide `user:password@` in URLs so push errors can be shown and logged."""
    return _CREDS_IN_URL.sub(r"\1***@", text)


def _git_date(when: datetime) -> str:
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return f"{int(when.timestamp())} +0000"


def format_commit_message(changed: Sequence[str], action: str = "backup", failed: Sequence[str] = (),
                          reason: str | None = None, limit: int = 5) -> str:
    """'backup: 3 changed (core-sw1, core-sw2, dist-1)' plus a body listing every host."""
    names = sorted(changed)
    shown = ", ".join(names[:limit]) + (", ..." if len(names) > limit else "")
    subject = f"{action}: {len(names)} changed" + (f" ({shown})" if names else "")
    body = [f"reason: {reason}"] if reason else []
    body += ["changed:"] + [f"  {n}" for n in names] if names else []
    body += ["failed (last good backup kept):"] + [f"  {n}" for n in sorted(failed)] if failed else []
    return subject + ("\n\n" + "\n".join(body) if body else "") + "\n"


class Store:
    def __init__(self, path: Path | str, author_name: str = "netpatrol",
                 author_email: str = "netpatrol@localhost", managed_dirs: Sequence[str] = MANAGED_DIRS):
        self.path = Path(path).resolve()
        self.managed_dirs = tuple(managed_dirs)
        # Identity through the environment: works without any git config, and never writes one.
        self._env = {"GIT_AUTHOR_NAME": author_name, "GIT_AUTHOR_EMAIL": author_email,
                     "GIT_COMMITTER_NAME": author_name, "GIT_COMMITTER_EMAIL": author_email}
        self._runner = git.Git(str(self.path))
        self._repo: git.Repo | None = None
        self._lock_fd: int | None = None
        self._lock_depth = 0

    # -- lifecycle --------------------------------------------------------------------------
    @property
    def git_dir(self) -> Path:
        return self.path / ".git"

    def open_or_init(self) -> Store:
        """Open the repository, creating it (with a first commit) if needed; repair a killed run."""
        self._ensure_git_dir()
        if self._repo is None:
            try:
                self._repo = git.Repo(str(self.path))
            except (git.GitError, OSError) as exc:
                raise StoreError(f"{self.path}: not a usable git repository: {exc}") from exc
        self._recover()
        if self.head() is None:
            self._initial_commit()
        return self

    def close(self) -> None:
        if self._repo is not None:
            self._repo.close()
            self._repo = None

    def __enter__(self) -> Store:
        return self.open_or_init()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _ensure_git_dir(self) -> None:
        if (self.git_dir / "HEAD").is_file() and (self.git_dir / "objects").is_dir():
            return
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot create the backup directory: {exc.strerror}") from exc
        # `git init` is idempotent: re-running it completes a .git left half-made by a killed run.
        self._git("init", "-q", f"--initial-branch={BRANCH}", str(self.path))

    def _initial_commit(self) -> None:
        for name, text in ((".gitignore", _GITIGNORE), ("README.md", _README)):
            if not (self.path / name).exists():
                self.write_file(name, text)
        self._git("add", "--", ".gitignore", "README.md")
        self._git("commit", "-q", "-m", "netpatrol: initialise backup store")

    def _recover(self) -> None:
        """Remove what a killed run left behind, unless a live run (holding our lock) owns it."""
        try:
            with self.lock(timeout=0):
                leftovers = [*self.git_dir.glob("*.lock"), *(self.git_dir / "refs").rglob("*.lock")]
                for path in leftovers:
                    if path.name != LOCK_NAME:
                        path.unlink(missing_ok=True)
                for top in self.managed_dirs:
                    for path in (self.path / top).rglob(".*.tmp"):
                        path.unlink(missing_ok=True)
        except LockedError:
            pass

    # -- lock -------------------------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self, timeout: float = 0) -> Iterator[Store]:
        """Exclusive lock for one run; re-entrant within this Store. timeout 0 fails at once."""
        outer = self._lock_depth == 0
        if outer:
            self._acquire(timeout)
        self._lock_depth += 1
        try:
            yield self
        finally:
            self._lock_depth -= 1
            if outer:
                fd, self._lock_fd = self._lock_fd, None
                assert fd is not None
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)

    def _acquire(self, timeout: float) -> None:
        self._ensure_git_dir()
        path = self.git_dir / LOCK_NAME
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise StoreError(f"{path}: cannot open the lock file: {exc.strerror}") from exc
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 4096, 0).decode("utf-8", "replace")
                    os.close(fd)
                    raise LockedError(_locked_message(self.path, holder, timeout)) from None
                time.sleep(0.05)
        # The flock, not this text, is the lock: a dead holder's kernel lock is already gone.
        info = {"pid": os.getpid(), "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "host": socket.gethostname()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        self._lock_fd = fd

    # -- git plumbing -----------------------------------------------------------------------
    def _git(self, *args: str, stdin: bytes | None = None, ok: Sequence[int] = (0,),
             env: dict[str, str] | None = None, timeout: float | None = None) -> tuple[int, str]:
        kwargs = {"pass_fds": (self._lock_fd,)} if self._lock_fd is not None else {}
        with tempfile.TemporaryFile() if stdin is not None else contextlib.nullcontext() as feed:
            if feed is not None:
                feed.write(stdin)
                feed.seek(0)
            try:
                status, out, err = self._runner.execute(
                    ["git", *_GIT_OPTS, *args], istream=feed,
                    with_extended_output=True, with_exceptions=False, stdout_as_string=False,
                    strip_newline_in_stdout=False, env={**self._env, **(env or {})},
                    kill_after_timeout=timeout, **kwargs)
            except (git.GitError, OSError) as exc:
                raise StoreError(f"{self.path}: git {args[0]} could not run: {redact(str(exc))}") from exc
        if status not in ok:
            raise StoreError(f"{self.path}: git {args[0]} failed: {redact(_error_line(str(err), status))}")
        return status, out.decode("utf-8", "replace")

    def _need_repo(self) -> git.Repo:
        if self._repo is None:
            raise StoreError(f"{self.path}: store not opened (call open_or_init first)")
        return self._repo

    def _check_rel(self, rel: str) -> str:
        p = PurePosixPath(rel)
        if (not rel or p.is_absolute() or ".." in p.parts or p.parts[0] == ".git"
                or any(c in rel for c in "\n\r\0")):
            raise StoreError(f"{self.path}: bad store path {rel!r}: expected e.g. 'configs/site-a/core-sw1.cfg'")
        return str(p)

    # -- files ------------------------------------------------------------------------------
    def write_file(self, rel_path: str, text: str) -> bool:
        """Atomically write (temp file, fsync, rename). Returns False when content is unchanged."""
        target = self.path / self._check_rel(rel_path)
        data = text.encode("utf-8")
        tmp = target.with_name(f".{target.name}.tmp")
        try:
            if target.is_file() and target.read_bytes() == data:
                return False
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot write {rel_path}: {exc.strerror}") from exc
        return True

    def remove_file(self, rel_path: str) -> bool:
        try:
            (self.path / self._check_rel(rel_path)).unlink()
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot remove {rel_path}: {exc.strerror}") from exc
        return True

    def read_file(self, rel_path: str, ref: str | None = None) -> str:
        """The file in the working tree (ref None) or at a commit/tag."""
        rel = self._check_rel(rel_path)
        if ref is None:
            try:
                return (self.path / rel).read_text(encoding="utf-8", errors="replace")
            except OSError as exc:
                raise StoreError(f"{self.path}: cannot read {rel}: {exc.strerror}") from exc
        try:
            _sha, kind, _size, data = self._need_repo().git.get_object_data(f"{ref}:{rel}")
        except (ValueError, git.GitError) as exc:
            raise StoreError(f"{self.path}: no file {rel} at {ref!r}") from exc
        if kind not in ("blob", b"blob"):
            raise StoreError(f"{self.path}: {rel} at {ref!r} is not a file")
        return data.decode("utf-8", "replace")

    def exists(self, rel_path: str, ref: str | None = None) -> bool:
        rel = self._check_rel(rel_path)
        if ref is None:
            return (self.path / rel).is_file()
        return bool(self._git("ls-tree", "--name-only", self._commit(ref), "--", rel)[1].strip())

    def list_files(self, prefix: str = "", ref: str | None = None) -> list[str]:
        """Sorted repo-relative paths under `prefix`, from the working tree or a commit."""
        prefix = self._check_rel(prefix) if prefix.strip("/") else ""
        if ref is not None:
            out = self._git("ls-tree", "-r", "-z", "--name-only", self._commit(ref), "--",
                            *([prefix] if prefix else []))[1]
            return sorted(p for p in out.split("\0") if p)
        if (self.path / prefix).is_file():
            return [prefix]
        found = []
        for top, dirs, files in os.walk(self.path / prefix):
            dirs[:] = [d for d in dirs if not (top == str(self.path) and d == ".git")]
            rel_top = Path(top).relative_to(self.path).as_posix()
            found += [f if rel_top == "." else f"{rel_top}/{f}" for f in files
                      if not (f.startswith(".") and f.endswith(".tmp"))]
        return sorted(found)

    def uncommitted(self, prefix: str = "") -> set[str]:
        """Paths under `prefix` whose working-tree file differs from HEAD: a run killed between
        writing and committing leaves these, and the next run must commit them, not skip them."""
        args = ["status", "--porcelain", "-z", "--no-renames", "--untracked-files=all", "--"]
        # GIT_OPTIONAL_LOCKS=0: status must not rewrite the index (it may run on a full disk).
        out = self._git(*args, *([self._check_rel(prefix)] if prefix.strip("/") else []),
                        env={"GIT_OPTIONAL_LOCKS": "0"})[1]
        return {e[3:] for e in out.split("\0") if len(e) > 3}

    # -- commits and tags -------------------------------------------------------------------
    def commit(self, message: str, paths: Sequence[str] | None = None,
               when: datetime | None = None) -> str | None:
        """Stage `paths` (files or dirs; default: the managed dirs) and commit them if changed."""
        self._need_repo()
        scope = {self._check_rel(p).rstrip("/") for p in (paths if paths is not None else self.managed_dirs)}
        tracked = set(self._git("ls-files", "-z")[1].split("\0"))
        present = sorted(p for p in scope if (self.path / p).exists() or p in tracked
                         or any(t.startswith(p + "/") for t in tracked))
        if present:
            self._git("add", "-A", "--pathspec-from-file=-", "--pathspec-file-nul",
                      stdin="\0".join(present).encode())
        staged = [p for p in self._git("diff", "--cached", "--name-only", "-z", "--no-renames",
                                       "HEAD")[1].split("\0") if p]
        targets = [p for p in staged if _within(p, scope)]
        if not targets:
            return None
        msg_file = self.git_dir / "NETPATROL_COMMIT_MSG"  # -m would hit the 128 KiB argv limit
        msg_file.write_text(message, encoding="utf-8")
        args = ["commit", "-q", "--cleanup=whitespace", "-F", str(msg_file)]
        feed = None
        if len(targets) != len(staged):  # something else is staged: commit only our paths
            args += ["--pathspec-from-file=-", "--pathspec-file-nul"]
            feed = "\0".join(targets).encode()
        self._git(*args, stdin=feed, env=self._dates(when))
        return self.head()

    def tag(self, name: str, message: str, ref: str = "HEAD", force: bool = False,
            when: datetime | None = None) -> str:
        """Annotated tag on `ref`; `force` moves an existing tag (re-inspecting a period)."""
        valid = name and not name.startswith("-") and self._git(
            "check-ref-format", f"refs/tags/{name}", ok=range(256))[0] == 0
        if not valid:
            raise StoreError(f"{self.path}: bad tag name {name!r}: expected e.g. 'inspection/2026Q4'")
        sha = self._commit(ref)
        if not force and self.rev_parse(f"refs/tags/{name}") is not None:
            raise StoreError(f"{self.path}: tag {name!r} already exists (use force to move it)")
        msg_file = self.git_dir / "NETPATROL_TAG_MSG"
        msg_file.write_text(message, encoding="utf-8")
        self._git("tag", "-a", *(["-f"] if force else []), "-F", str(msg_file), name, sha,
                  env=self._dates(when))
        return sha

    def push(self, remote: str, timeout: float = 120) -> PushResult:
        """Push the branch and tags (tags forced: periods get re-tagged). Never raises."""
        if not remote or remote.startswith("-"):
            return PushResult(False, f"push: bad remote {remote!r}: expected a remote name or URL")
        env = {"GIT_TERMINAL_PROMPT": "0"}
        if "GIT_SSH_COMMAND" not in os.environ:
            env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"
        try:
            status, branch = self._git("symbolic-ref", "--short", "-q", "HEAD", ok=(0, 1))
            branch = branch.strip() if status == 0 else BRANCH
            self._git("push", "--porcelain", remote, f"HEAD:refs/heads/{branch}",
                                    "+refs/tags/*:refs/tags/*", env=env, timeout=timeout)
        except StoreError as exc:
            return PushResult(False, f"push to {redact(remote)} failed: {exc}")
        return PushResult(True, f"pushed to {redact(remote)}")

    def _dates(self, when: datetime | None) -> dict[str, str]:
        return {} if when is None else {"GIT_AUTHOR_DATE": _git_date(when),
                                        "GIT_COMMITTER_DATE": _git_date(when)}

    # -- queries (used by refs.py and drift.py) ---------------------------------------------
    def head(self) -> str | None:
        return self.rev_parse("HEAD")

    def rev_parse(self, rev: str) -> str | None:
        """The commit a revision names, or None."""
        status, out = self._git("rev-parse", "--verify", "--quiet", "--end-of-options",
                                f"{rev}^{{commit}}", ok=range(0, 256))
        return out.strip() if status == 0 and out.strip() else None

    def _commit(self, ref: str) -> str:
        sha = self.rev_parse(ref)
        if sha is None:
            raise StoreError(f"{self.path}: unknown revision {ref!r}")
        return sha

    def last_commit_before(self, moment: datetime, rev: str = "HEAD") -> str | None:
        """The newest commit (first-parent) with a committer date at or before `moment`."""
        out = self._git("rev-list", "-1", "--first-parent", f"--before={_git_date(moment)}",
                        self._commit(rev))[1].strip()
        return out or None

    def log(self, pathspecs: Sequence[str] = (), rev: str = "HEAD", max_count: int | None = None,
            ) -> list[LogEntry]:
        """Commits reachable from `rev` touching `pathspecs`, newest first, with per-file numstat."""
        args = ["log", f"--format={_REC}%H{_SEP}%P{_SEP}%ct{_SEP}%B{_SEP}", "--numstat", "--no-renames"]
        args += [f"--max-count={max_count}"] if max_count else []
        out = self._git(*args, self._commit(rev), "--", *pathspecs)[1]
        entries = []
        for rec in out.split(_REC)[1:]:
            sha, parents, ts, message, stats = rec.split(_SEP)
            files = tuple(FileStat(p, _num(a), _num(r)) for a, r, p in
                          (ln.split("\t", 2) for ln in stats.strip("\n").splitlines() if ln.count("\t") >= 2))
            entries.append(LogEntry(sha, tuple(parents.split()),
                                    datetime.fromtimestamp(int(ts), timezone.utc), message.strip(), files))
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


def _error_line(stderr: str, status: int) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith(("fatal:", "error:"))]
    return (errors or lines or [f"exit status {status}"])[0]


def _within(path: str, scope: set[str]) -> bool:
    parts = path.split("/")
    return any("/".join(parts[:i]) in scope for i in range(1, len(parts) + 1))


def _num(text: str) -> int:
    return int(text) if text.isdigit() else 0  # "-" for binary files


def _locked_message(path: Path, holder: str, timeout: float) -> str:
    try:
        info = json.loads(holder)
        pid, started = int(info["pid"]), info.get("started", "?")
    except (ValueError, KeyError, TypeError):
        return f"{path} is locked by another netpatrol run (holder unknown)"
    try:
        os.kill(pid, 0)
        alive = ""
    except ProcessLookupError:
        alive = " - that process has exited; a git command it started is still finishing"
    except PermissionError:
        alive = ""
    waited = f" after waiting {timeout:g}s" if timeout else ""
    return f"{path} is locked by netpatrol pid {pid} (started {started}){alive}; still locked{waited}"
