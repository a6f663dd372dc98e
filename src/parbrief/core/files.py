"""Writing files safely, in one place: atomically (a reader sees the old file or the new one,
never half of one), never through a symbolic link planted where reports go, and checksummed."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from parbrief.core.errors import ParbriefError


def _read_umask() -> int:
    mask = os.umask(0o022)  # the only way to read it; set back at once, at import
    os.umask(mask)
    return mask


_UMASK = _read_umask()


FILE_MODE = 0o666 & ~_UMASK


DIR_MODE = 0o777 & ~_UMASK


def atomic_write(path: Path, data: bytes | Callable[[BinaryIO], None]) -> Path:
    """Write ``data`` (bytes, or a callable writing to a binary file) to ``path`` atomically.

    The bytes go to a temporary file in the same folder, are flushed to disk, and replace
    ``path`` in one rename: a reader sees the old file or the new one, never half of one, and
    if writing fails the old file is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            if callable(data):
                data(fh)
            else:
                fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, FILE_MODE)  # mkstemp makes 0600; reports are for readers
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    fsync_dir(path.parent)
    return path


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # not possible on every platform; the rename is still atomic
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def replace_dir(built: Path, target: Path) -> None:
    """Put the fully written folder ``built`` in place of ``target``."""
    if target.exists():
        old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.old-"))
        os.replace(target, old / target.name)
        os.replace(built, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(built, target)
    fsync_dir(target.parent)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_no_symlink(path: Path, top: Path) -> None:
    """Refuse to write through a symbolic link planted inside the output folder."""
    link = symlink_below(Path(os.path.normpath(path)), Path(os.path.normpath(top)))
    if link is not None:
        raise ParbriefError(f"refusing to write {path}: {link} is a symbolic link inside the "
                            f"output folder {top}; remove it")


def symlink_below(path: Path, root: Path) -> Path | None:
    """The first existing component between ``root`` and ``path`` that is a symbolic link."""
    rel = path.relative_to(root)
    current = root
    for part in rel.parts:
        current = current / part
        if current.is_symlink():
            return current
        if not current.exists():
            return None
    return None
