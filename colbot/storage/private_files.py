"""Secret files under COLBOT_DATA_DIR: owner-only, written whole, and made once across processes."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PRIVATE_FILE_MODE = 0o600
FOLDER_MODE = 0o700


def write_private(path: Path, data: bytes) -> Path:
    """Writes a new owner-only file beside path and returns it, ready to be moved into place."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    return temporary


def private_folder(path: Path) -> Path:
    """A folder only the owner may enter."""
    path.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    path.chmod(FOLDER_MODE)
    return path


def create_once(path: Path, data: bytes) -> bool:
    """Puts data at path unless a file is there already (another process got there first)."""
    private_folder(path.parent)
    temporary = write_private(path, data)
    try:
        os.link(temporary, path)
    except FileExistsError:
        return False
    finally:
        temporary.unlink()
    return True
