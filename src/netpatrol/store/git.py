"""How the store runs git: fixed options, a secret-free environment, owner-only file modes.

Every git child of the store starts here, so three rules hold for all of them:
- no repository hook, fsmonitor or `ext::` transport runs (`backups/.git` may come from anywhere: a restored
  archive, a colleague's clone), and nothing waits for a signing prompt;
- the environment is `child_env()`: device and mail passwords never reach git or its helpers;
- umask 077: objects, refs, the index and reflogs git creates are readable by the owner only.
GitPython cannot remove variables from a child's environment, so git is run with subprocess.
"""

from __future__ import annotations

import errno
import re
import subprocess
import threading
import weakref
from collections.abc import Generator, Sequence
from pathlib import Path
from typing import IO

from netpatrol.childenv import child_env
from netpatrol.errors import StoreError

GIT_OPTS = ("-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false",
            "-c", "commit.gpgSign=false", "-c", "tag.gpgSign=false", "-c", "core.quotePath=false",
            # `ext::` remote URLs run a shell command; a repository's config may allow them.
            "-c", "protocol.ext.allow=never",
            # The automatic gc a commit may start runs inside that command, under the run's lock:
            # detached, it would pack and prune loose objects while the next run or `git fsck`
            # reads them (fsck then reports every pruned object as missing).
            "-c", "gc.autoDetach=false", "-c", "maintenance.autoDetach=false")
OWNER_ONLY_UMASK = 0o077


# What a person may have left half-done in the store's repository; `git commit` would conclude it
# (a merge with conflict markers in a device's config, under netpatrol's own message).
_IN_PROGRESS = (("MERGE_HEAD", "a merge", "merge --abort"), ("CHERRY_PICK_HEAD", "a cherry-pick", "cherry-pick --abort"),
                ("REVERT_HEAD", "a revert", "revert --abort"), ("rebase-merge", "a rebase", "rebase --abort"),
                ("rebase-apply", "a rebase or am", "rebase --abort"), ("sequencer", "a cherry-pick or revert",
                                                                       "cherry-pick --abort"))


def operation_in_progress(git_dir: Path) -> tuple[str, str] | None:
    """(what, how to abort it) of an unfinished merge/rebase/cherry-pick/revert, or None."""
    for name, what, abort in _IN_PROGRESS:
        if (git_dir / name).exists():
            return what, abort
    return None


_CREDS_IN_URL = re.compile(r"(\w+://)[^/@\s]+@")


def redact_url_creds(text: str) -> str:
    return _CREDS_IN_URL.sub(r"\1***@", text)


def error_line(stderr: str, status: int) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith(("fatal:", "error:"))]
    return (errors or lines or [f"exit status {status}"])[0]


class GitRunner:
    def __init__(self, path: Path, env: dict[str, str]):
        self.path = path
        # LC_ALL=C: error lines are matched and shown in English whatever the locale.
        self._env = {**env, "LANGUAGE": "C", "LC_ALL": "C"}
        self._batch: subprocess.Popen[bytes] | None = None
        self._batch_lock = threading.Lock()

    def argv(self, *args: str) -> list[str]:
        return ["git", *GIT_OPTS, *args]

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return child_env({**self._env, **(extra or {})})

    def run(self, *args: str, stdin: bytes | None = None, ok: Sequence[int] = (0,),
            env: dict[str, str] | None = None, timeout: float | None = None,
            pass_fds: Sequence[int] = ()) -> tuple[int, str]:
        try:
            done = subprocess.run(self.argv(*args), input=stdin, capture_output=True, cwd=self.path,
                                  env=self.env(env), timeout=timeout, pass_fds=tuple(pass_fds),
                                  umask=OWNER_ONLY_UMASK, check=False)
        except subprocess.TimeoutExpired:
            raise StoreError(f"{self.path}: git {args[0]} did not finish within {timeout:g} s") from None
        except OSError as exc:
            raise StoreError(f"{self.path}: git {args[0]} could not run: {exc.strerror}") from exc
        if done.returncode not in ok:
            line = error_line(done.stderr.decode("utf-8", "replace"), done.returncode)
            raise StoreError(f"{self.path}: git {args[0]} failed: {redact_url_creds(line)}")
        return done.returncode, done.stdout.decode("utf-8", "replace")

    def stream_blobs(self, blobs: list[str]) -> Generator[bytes, None, None]:
        """The contents of `blobs` (object ids), in order, through one `git cat-file --batch` of
        their own, each as soon as git has read it: thousands of configs in a fraction of a second
        (store/snapshot.py), where the shared one-at-a-time process would wait on every answer."""
        try:
            proc = subprocess.Popen(self.argv("cat-file", "--batch", "--buffer"), bufsize=1 << 20,
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                    cwd=self.path, env=self.env(), umask=OWNER_ONLY_UMASK)
        except OSError as exc:
            raise StoreError(f"{self.path}: git cat-file could not run: {exc.strerror}") from exc
        assert proc.stdin is not None and proc.stdout is not None
        # Written from a thread: git fills its stdout pipe long before it has read every name.
        writer = threading.Thread(target=_feed, args=(proc.stdin, blobs), daemon=True)
        writer.start()
        try:
            for blob in blobs:
                try:
                    found = _read_object(proc.stdout)
                except OSError as exc:
                    raise StoreError(f"{self.path}: git cat-file failed reading object {blob}: {exc.strerror}") from exc
                if found is None or found[0] != "blob":
                    raise StoreError(f"{self.path}: git cat-file could not read object {blob}")
                yield found[1]
        finally:
            proc.stdout.close()
            writer.join()
            proc.wait()

    def object_data(self, spec: str) -> tuple[str, bytes] | None:
        """(type, content) of `rev:path` from one long-lived `git cat-file --batch`, or None.

        One process for all reads: a report reads thousands of files at a tag.
        """
        if "\n" in spec:
            return None
        with self._batch_lock:
            proc = self._batch
            if proc is None or proc.poll() is not None:
                try:
                    proc = self._batch = subprocess.Popen(
                        self.argv("cat-file", "--batch"), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                        stderr=subprocess.DEVNULL, cwd=self.path, env=self.env(), umask=OWNER_ONLY_UMASK)
                except OSError as exc:
                    raise StoreError(f"{self.path}: git cat-file could not run: {exc.strerror}") from exc
                # A Store dropped without close() must not leave cat-file running.
                weakref.finalize(self, _stop, proc)
            assert proc.stdin is not None and proc.stdout is not None
            try:
                proc.stdin.write(spec.encode("utf-8") + b"\n")
                proc.stdin.flush()
                return _read_object(proc.stdout)
            except OSError as exc:
                self._close_batch()
                raise StoreError(f"{self.path}: git cat-file failed: {exc.strerror}") from exc

    def _close_batch(self) -> None:
        proc, self._batch = self._batch, None
        if proc is not None:
            _stop(proc)

    def close(self) -> None:
        with self._batch_lock:
            self._close_batch()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """cat-file --batch exits at the end of its input."""
    for pipe in (proc.stdin, proc.stdout):
        if pipe is not None and not pipe.closed:
            pipe.close()
    proc.wait()


def _read_object(stdout: IO[bytes]) -> tuple[str, bytes] | None:
    """(type, content) of the next answer of `cat-file --batch`; None for "<spec> missing" /
    "ambiguous". Content cut short (git stopped) is an error, not a shorter file."""
    fields = stdout.readline().split()
    if len(fields) != 3 or not fields[2].isdigit():
        return None
    size = int(fields[2])
    data = stdout.read(size)
    stdout.read(1)  # the newline after the content
    if len(data) != size:
        raise OSError(errno.EPIPE, "git cat-file stopped in the middle of an object")
    return fields[1].decode(), data


def _feed(pipe: IO[bytes], blobs: list[str]) -> None:
    try:
        pipe.write(b"".join(b.encode("ascii") + b"\n" for b in blobs))
    except OSError:
        pass  # the reader stopped early (an error, or the caller dropped the iterator): git is told by EOF
    finally:
        try:
            pipe.close()
        except OSError:
            pass
