"""Reading an image file from disk within the byte limit, with a typed error for every failure."""

from __future__ import annotations

import os
from pathlib import Path

from bouclier.errors import FileUnreadable, MediaError


def read_file(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    """The bytes of a file, never reading more than max_bytes + 1 of it.

    Raises FileUnreadable (missing, a folder, no permission) or MediaError (empty, too large).
    """
    target = Path(path)
    try:
        with target.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise FileUnreadable("no such file", code="file.not_found") from None
    except IsADirectoryError:
        raise FileUnreadable("this is a folder, not a file", code="file.is_directory") from None
    except PermissionError:
        raise FileUnreadable("permission denied", code="file.permission_denied") from None
    except OSError as exc:
        raise FileUnreadable(f"cannot read the file: {exc.strerror or exc}") from None
    if not data:
        raise MediaError("the file is empty", code="media.empty")
    if len(data) > max_bytes:
        raise MediaError(
            f"the file is larger than the limit of {max_bytes} bytes", code="media.too_large"
        )
    return data
