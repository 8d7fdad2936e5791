"""Files and folders that hold victims' data or keys, made readable by their owner only.

The SQLite database (and the ``-wal`` and ``-shm`` files SQLite makes beside it, which take the
database file's mode), the key files, the snapshots and the evidence bundles and bank exports the
CLI writes are created with mode 0600, and the folders Bouclier makes for them with 0700,
whatever the process's umask: the umask filters the mode given to ``open``/``mkdir`` (a
permissive one, 0002, would leave them group-writable), so the mode is set explicitly afterwards.
Files and folders that already exist are left as they are: an administrator's choice is kept.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO, TextIO

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def private_dir(path: Path) -> Path:
    """``path`` as a folder; each folder made here (missing parents too) gets mode 0700."""
    path = path.expanduser()
    missing: list[Path] = []
    current = path
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:
            continue  # another process made it a moment ago: theirs, as it is
        os.chmod(folder, PRIVATE_DIR)
    return path


def create_private_file(path: Path) -> bool:
    """Makes ``path`` an empty file of mode 0600 unless it exists; whether it was made here."""
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return False
    try:
        os.fchmod(fd, PRIVATE_FILE)
    finally:
        os.close(fd)
    return True


def _private_fd(path: Path) -> int:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)
    except OSError:
        os.close(fd)
        raise
    return fd


def open_private_binary(path: Path) -> BinaryIO:
    """``path`` opened for writing bytes (made, or emptied), of mode 0600 from the first byte."""
    return os.fdopen(_private_fd(path), "wb")


def open_private_text(path: Path, *, newline: str | None = None) -> TextIO:
    """``path`` opened for writing UTF-8 text (made, or emptied), of mode 0600."""
    return os.fdopen(_private_fd(path), "w", encoding="utf-8", newline=newline)
