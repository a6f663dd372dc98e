"""One batch per output folder at a time."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from pathlib import Path
from typing import Self

from parbrief.core.errors import ParbriefError

LOCK_NAME = ".parbrief.lock"


class BatchLockedError(ParbriefError):
    """Another batch is writing to the same output folder."""


class OutputFolderError(ParbriefError):
    """The output folder cannot be written to."""


class OutputLock:
    """``reports/.parbrief.lock``: one batch per output folder at a time (fcntl.flock, released
    by the kernel when the process ends, however it ends)."""

    def __init__(self, output: Path):
        self.output = Path(output)
        self.path = self.output / LOCK_NAME
        self.fd: int | None = None

    def __enter__(self) -> Self:
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            self.output.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, flags, 0o644)
        except OSError as e:
            if e.errno == errno.ELOOP:
                raise BatchLockedError(f"{self.path} is a symbolic link; remove it") from None
            # a read-only folder or file system, a file where the folder should be: say so
            # before any job runs, not as a traceback
            raise OutputFolderError(
                f"cannot write in the output folder {self.output}: {e.strerror or e}; give a "
                "folder you can write to ('output:' in the params file, or --out)") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise BatchLockedError(
                f"another parbrief batch (PID {holder}) is writing to {self.output} (lock file "
                f"{self.path}); wait until it finishes, or stop it (kill {holder}) and run "
                "again") from None
        try:  # the PID only names the holder for a second batch; the flock is the lock
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        except OSError:  # e.g. no space left on the device: the jobs will say so
            pass
        self.fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self.fd, 0)
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None
