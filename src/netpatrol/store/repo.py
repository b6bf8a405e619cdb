"""The Git store: the workspace's `backups/` repository, and everything that writes to it.

Git is driven through its CLI (store/git.py), not GitPython's index API, which measured ~80x
slower when 1 % of 10,000 configs change (bench/gitstore.py). Every git failure becomes a StoreError
here. Reading the history (log, tags, changed files) is store/history.py's.
A run holds `.git/netpatrol.lock` (flock); the locked descriptor is handed to every git child,
so a git command orphaned by a SIGKILLed run keeps the store locked until it has finished.

What is stored must not be lost or leaked: the store writes and commits only on its own branch
(recorded as `netpatrol.branch` in `.git/config`), never through a symbolic link (store/files.py),
and keeps everything owner-only (0700 directories, 0600 files) whatever the umask.
Not thread-safe, except `write_file` on distinct files.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path, PurePosixPath

from netpatrol.errors import LockedError, StoreError
from netpatrol.store import files as store_files
from netpatrol.store import gitconfig as store_gitconfig
from netpatrol.store.git import GitRunner, operation_in_progress, redact_url_creds
from netpatrol.store.history import History, git_date
from netpatrol.store.layout import COMMIT_MSG, GITIGNORE, LOCK_NAME, MANAGED_DIRS, README
from netpatrol.store.lock import acquire_flock

BRANCH = "main"
_README = "# netpatrol backups\n\nDevice configurations and inspection results, written by netpatrol.\n"
_GITIGNORE = "# half-written files of an interrupted run\n.*.tmp\n"
BRANCH_KEY = "netpatrol.branch"


@dataclass(frozen=True)
class PushResult:
    ok: bool
    message: str


class Store(History):
    def __init__(self, path: Path | str, author_name: str = "netpatrol",
                 author_email: str = "netpatrol@localhost", managed_dirs: Sequence[str] = MANAGED_DIRS,
                 tz: tzinfo | None = None):
        self.path = Path(path).resolve()
        self.tz = tz  # the zone a lock holder's start time is shown in (None: the machine's)
        self.managed_dirs = tuple(managed_dirs)
        # Identity through the environment: works without any git config, and never writes one.
        self._runner = GitRunner(self.path, {"GIT_AUTHOR_NAME": author_name, "GIT_AUTHOR_EMAIL": author_email,
                                             "GIT_COMMITTER_NAME": author_name, "GIT_COMMITTER_EMAIL": author_email})
        self._opened = False
        self._branch: str | None = None
        self._lock_fd: int | None = None
        self._lock_depth = 0

    # -- lifecycle --------------------------------------------------------------------------
    @property
    def git_dir(self) -> Path:
        return self.path / ".git"

    def open_or_init(self) -> Store:
        """Open the repository, creating it (with a first commit) if needed; repair a killed run."""
        self._ensure_git_dir()
        if not self._opened:
            self._check_repository()
            if store_files.loose(self.path) or store_files.loose(self.git_dir):
                # Made by an older netpatrol or under a loose umask: configs are secrets.
                store_files.owner_only(self.path)
            self._opened = True
        self._recover()
        if self.head() is None:
            self._initial_commit()
        return self

    def open_readonly(self) -> Store:
        """An existing repository for reading only (the web view): no recovery, commit or chmod."""
        if not (self.git_dir / "HEAD").is_file() or self.git_dir.is_symlink():
            raise StoreError(f"{self.path}: no store here yet (run 'netpatrol backup' first)")
        self._check_repository()
        self._opened = True
        return self

    def _check_repository(self) -> None:
        # Read before git runs anything that could start a program the repository names.
        store_gitconfig.refuse_programs(self.path, self._git(*store_gitconfig.LIST_ARGS)[1])
        status, top = self._git("rev-parse", "--show-toplevel", ok=range(256))
        if status != 0 or Path(top.strip()).resolve() != self.path:
            raise StoreError(f"{self.path}: not a usable git repository (git rev-parse failed)")

    def close(self) -> None:
        self._runner.close()
        self._opened = False

    def __enter__(self) -> Store:
        return self.open_or_init()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _ensure_git_dir(self) -> None:
        if self.git_dir.is_symlink() or (self.git_dir.exists() and not self.git_dir.is_dir()):
            # A `gitdir:` file or a link: the history would live, and be written, somewhere else.
            raise StoreError(f"{self.git_dir} is a {'symbolic link' if self.git_dir.is_symlink() else 'file'}, not the "
                             f"store's own repository directory; netpatrol wrote nothing. Put the repository itself there "
                             f"(e.g. git clone it into {self.path})")
        if (self.git_dir / "HEAD").is_file() and (self.git_dir / "objects").is_dir():
            return
        try:
            self.path.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot create the backup directory: {exc.strerror}") from exc
        # `git init` is idempotent: re-running it completes a .git left half-made by a killed run.
        self._git("init", "-q", f"--initial-branch={BRANCH}", str(self.path))
        self._git("config", "--local", BRANCH_KEY, BRANCH)

    # -- branch guard -----------------------------------------------------------------------
    def branch(self) -> str:
        """The branch this store commits to: recorded at creation; for stores made before it was
        recorded, `main` if it exists, else the branch checked out when first opened."""
        if self._branch is None:
            status, out = self._git("config", "--local", "--get", BRANCH_KEY, ok=(0, 1))
            recorded = out.strip() if status == 0 else ""
            if not recorded:
                current = self._head_branch()
                has_main = self.rev_parse(f"refs/heads/{BRANCH}") is not None
                recorded = BRANCH if has_main or current in (None, BRANCH) else current
                self._git("config", "--local", BRANCH_KEY, recorded)
            self._branch = recorded
        return self._branch

    def _head_branch(self) -> str | None:
        """The checked-out branch, None when HEAD is detached."""
        status, out = self._git("symbolic-ref", "-q", "HEAD", ok=(0, 1))
        ref = out.strip()
        return ref.removeprefix("refs/heads/") if status == 0 and ref.startswith("refs/heads/") else None

    def check_branch(self) -> None:
        """Refuse (before anything is written) when HEAD is not on the store's branch, or a merge,
        rebase, cherry-pick or revert someone started there is unfinished."""
        expected = self.branch()
        try:
            head = (self.git_dir / "HEAD").read_text(encoding="utf-8", errors="replace").strip()
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot read .git/HEAD: {exc.strerror}") from exc
        busy = operation_in_progress(self.git_dir)
        if busy is not None:
            raise StoreError(f"{self.path}: {busy[0]} is in progress in the store; netpatrol wrote nothing and will not "
                             f"commit it for you. Finish it, or undo it with: git -C {self.path} {busy[1]}")
        if head == f"ref: refs/heads/{expected}":
            return
        if head.startswith("ref: refs/heads/"):
            where = f"on branch '{head.removeprefix('ref: refs/heads/')}'"
        else:
            where = f"detached at {head[:12] or '?'}"
        raise StoreError(
            f"{self.path}: HEAD is {where}, not on the store's branch '{expected}'; netpatrol writes and "
            f"commits only on '{expected}' and wrote nothing. Go back with: git -C {self.path} switch {expected} "
            f"(merge anything committed meanwhile into '{expected}' first)")

    def _initial_commit(self) -> None:
        self.check_branch()
        for name, text in ((GITIGNORE, _GITIGNORE), (README, _README)):
            if not (self.path / name).exists():
                self.write_file(name, text)
        self._git("add", "--", GITIGNORE, README)
        self._git("commit", "-q", "-m", "netpatrol: initialise backup store")

    def _recover(self) -> None:
        """Remove what a killed run left behind, unless a live run (holding our lock) owns it."""
        try:
            with self.lock(timeout=0, writing=False):
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
    def lock(self, timeout: float = 0, writing: bool = True) -> Iterator[Store]:
        """Exclusive lock for one run; re-entrant within this Store. timeout 0 fails at once.
        A run that will write is refused here, before it contacts any device, when off-branch."""
        outer = self._lock_depth == 0
        if outer:
            self._ensure_git_dir()
            if writing:
                self.check_branch()
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
        self._lock_fd = acquire_flock(self.git_dir / LOCK_NAME, self.path, timeout, self.tz)

    # -- git plumbing -----------------------------------------------------------------------
    def _git(self, *args: str, stdin: bytes | None = None, ok: Sequence[int] = (0,),
             env: dict[str, str] | None = None, timeout: float | None = None) -> tuple[int, str]:
        fds = (self._lock_fd,) if self._lock_fd is not None else ()
        return self._runner.run(*args, stdin=stdin, ok=ok, env=env, timeout=timeout, pass_fds=fds)

    def _need_repo(self) -> None:
        if not self._opened:
            raise StoreError(f"{self.path}: store not opened (call open_or_init first)")

    def _check_rel(self, rel: str) -> str:
        p = PurePosixPath(rel)
        if (not rel or p.is_absolute() or ".." in p.parts or p.parts[0] == ".git"
                or any(c in rel for c in "\n\r\0")):
            raise StoreError(f"{self.path}: bad store path {rel!r}: expected e.g. 'configs/site-a/core-sw1.cfg'")
        return str(p)

    # -- files ------------------------------------------------------------------------------
    def write_file(self, rel_path: str, text: str) -> bool:
        """Atomically write (temp file, fsync, rename). Returns False when content is unchanged."""
        rel = self._check_rel(rel_path)
        self.check_branch()
        try:
            return store_files.write_bytes(self.path, rel, text.encode("utf-8"))
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot write {rel_path}: {exc.strerror}") from exc

    def remove_file(self, rel_path: str) -> bool:
        rel = self._check_rel(rel_path)
        self.check_branch()
        try:
            return store_files.remove(self.path, rel)
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot remove {rel_path}: {exc.strerror}") from exc

    def stream_blobs(self, blobs: list[str]) -> Generator[bytes, None, None]:
        """The contents of many blobs (ids from `tree_files`) in one stream, each as it arrives."""
        self._need_repo()
        return self._runner.stream_blobs(blobs)

    def read_file(self, rel_path: str, ref: str | None = None) -> str:
        """The file in the working tree (ref None) or at a commit/tag."""
        rel = self._check_rel(rel_path)
        if ref is None:
            try:
                return store_files.read_bytes(self.path, rel).decode("utf-8", "replace")
            except OSError as exc:
                raise StoreError(f"{self.path}: cannot read {rel}: {exc.strerror}") from exc
        self._need_repo()
        found = self._runner.object_data(f"{ref}:{rel}")
        if found is None:
            raise StoreError(f"{self.path}: no file {rel} at {ref!r}")
        kind, data = found
        if kind != "blob":
            raise StoreError(f"{self.path}: {rel} at {ref!r} is not a file")
        return data.decode("utf-8", "replace")

    def exists(self, rel_path: str, ref: str | None = None) -> bool:
        rel = self._check_rel(rel_path)
        if ref is None:
            return store_files.is_file(self.path, rel)
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
        self.check_branch()
        scope = {self._check_rel(p).rstrip("/") for p in (paths if paths is not None else self.managed_dirs)}
        tracked = set(self._git("ls-files", "-z")[1].split("\0"))
        present = sorted(p for p in scope if (self.path / p).exists() or p in tracked
                         or any(t.startswith(p + "/") for t in tracked))
        if present:
            self._git("add", "-A", "--pathspec-from-file=-", "--pathspec-file-nul",
                      stdin="\0".join(present).encode())
        fields = self._git("diff", "--cached", "--raw", "-z", "--no-renames", "HEAD")[1].split("\0")
        staged = [(fields[i + 1], fields[i].split()[1]) for i in range(0, len(fields) - 1, 2) if fields[i].startswith(":")]
        targets = [p for p, _ in staged if _within(p, scope)]
        links = [p for p, mode in staged if mode == "120000" and p in targets]
        if links:
            # `git add` stores a link as a link: a planted `inspections/2026Q1 -> /tmp` would replace
            # that period's stored results in this commit. Unstage our paths and refuse.
            self._git("reset", "-q", "HEAD", "--pathspec-from-file=-", "--pathspec-file-nul", stdin="\0".join(targets).encode())
            raise StoreError(f"{self.path}: {links[0]} is a symbolic link; netpatrol never commits links (it would "
                             f"replace what is stored there) and committed nothing: replace it with a real directory or file")
        if not targets:
            return None
        # -m would hit the 128 KiB argv limit, and stdin may carry the pathspec.
        store_files.write_bytes(self.path, f".git/{COMMIT_MSG}", message.encode("utf-8"))
        args = ["commit", "-q", "--cleanup=whitespace", "-F", str(self.git_dir / COMMIT_MSG)]
        feed = None
        if len(targets) != len(staged):  # something else is staged: commit only our paths
            args += ["--pathspec-from-file=-", "--pathspec-file-nul"]
            feed = "\0".join(targets).encode()
        self._git(*args, stdin=feed, env=self._dates(when))
        self._update_commit_graph()
        return self.head()

    def _update_commit_graph(self) -> None:
        """Changed-path filters for the new commit: a device's history (`git log -- <path>`) then skips
        trees, 0.1 s not 1.2 s at 100,000 commits (bench/web.py). Here, under the run's lock (the web
        server never writes); incremental, ms (the first ~3 s). A cache: a failure never fails the run."""
        with contextlib.suppress(StoreError):
            self._git("commit-graph", "write", "--reachable", "--changed-paths", "--split", timeout=900)

    def tag(self, name: str, message: str, ref: str = "HEAD", force: bool = False,
            when: datetime | None = None) -> str:
        """Annotated tag on `ref`; `force` moves an existing tag (re-inspecting a period)."""
        self._check_tag_name(name)
        sha = self._commit(ref)
        self.check_branch()
        if not force and self.rev_parse(f"refs/tags/{name}") is not None:
            raise StoreError(f"{self.path}: tag {name!r} already exists (use force to move it)")
        self._git("tag", "-a", *(["-f"] if force else []), "-F", "-", name, sha,
                  stdin=message.encode("utf-8"), env=self._dates(when))
        return sha

    def tag_unique(self, name: str, message: str, ref: str = "HEAD", when: datetime | None = None) -> str:
        """Annotated tag named `name`, or `name-02`, `name-03`... when taken; returns the name used.

        For tags made after a commit (pre-change backups): two runs within the same second must
        both keep their tag, and a taken name must never fail a run that has already committed.
        The suffixes sort after the plain name, so "newest" stays the last in sorted order.
        """
        self._check_tag_name(name)
        sha = self._commit(ref)
        self.check_branch()
        for n in range(1, 100):  # callers hold the store lock: no other run takes a name meanwhile
            candidate = name if n == 1 else f"{name}-{n:02d}"
            if self.rev_parse(f"refs/tags/{candidate}") is None:
                self._git("tag", "-a", "-F", "-", candidate, sha, stdin=message.encode("utf-8"), env=self._dates(when))
                return candidate
        raise StoreError(f"{self.path}: tags {name!r} to {name}-99 all exist")

    def _check_tag_name(self, name: str) -> None:
        valid = name and not name.startswith("-") and self._git(
            "check-ref-format", f"refs/tags/{name}", ok=range(256))[0] == 0
        if not valid:
            raise StoreError(f"{self.path}: bad tag name {name!r}: expected e.g. 'inspection/2026Q4'")

    def push(self, remote: str, timeout: float = 120) -> PushResult:
        """Push the branch and tags (tags forced: periods get re-tagged). Never raises."""
        if not remote or remote.startswith("-"):
            return PushResult(False, f"push: bad remote {remote!r}: expected a remote name or URL")
        env = {"GIT_TERMINAL_PROMPT": "0"}
        if "GIT_SSH_COMMAND" not in os.environ:
            env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"
        try:
            branch = self.branch()  # the store's branch, whatever is checked out
            self._git("push", "--porcelain", remote, f"refs/heads/{branch}:refs/heads/{branch}",
                      "+refs/tags/*:refs/tags/*", env=env, timeout=timeout)
        except StoreError as exc:
            return PushResult(False, f"push to {redact_url_creds(remote)} failed: {exc}")
        return PushResult(True, f"pushed to {redact_url_creds(remote)}")

    def _dates(self, when: datetime | None) -> dict[str, str]:
        return {} if when is None else {"GIT_AUTHOR_DATE": git_date(when),
                                        "GIT_COMMITTER_DATE": git_date(when)}


def _within(path: str, scope: set[str]) -> bool:
    parts = path.split("/")
    return any("/".join(parts[:i]) in scope for i in range(1, len(parts) + 1))
