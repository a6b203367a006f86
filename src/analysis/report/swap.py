"""Atomic output: a lock, temporary folders and the swap of a finished period into place."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import shutil
import sys
from pathlib import Path
from typing import Iterator

from analysis.report.periods import PERIOD_RE

TMP_PREFIX = ".tmp-"


OLD_PREFIX = ".old-"


FAILED_PREFIX = ".failed-"


class PipelineError(Exception):
    """A problem that stops the pipeline with one readable message and exit code 1."""


@contextlib.contextmanager
def locked(out_dir: Path, wait: bool = True) -> Iterator[None]:
    """Hold an exclusive lock on <out>/.lock; wait (saying so) or fail when another run holds it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / ".lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise PipelineError(f"another render holds {out_dir / '.lock'}; try again when it has finished")
            print(f"waiting for another render to finish ({out_dir / '.lock'}) ...", file=sys.stderr, flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def cleanup_stale(out_dir: Path) -> list[str]:
    """Remove temp dirs of killed runs and restore a period a killed swap left aside (hold the lock)."""
    removed = []
    for path in sorted(out_dir.glob(OLD_PREFIX + "*")):
        period = path.name[len(OLD_PREFIX):].rsplit("-", 1)[0]
        if PERIOD_RE.fullmatch(period) and not (out_dir / period).exists():
            os.rename(path, out_dir / period)
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path.name)
    for path in sorted(out_dir.glob(TMP_PREFIX + "*")):
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path.name)
    return removed


RENAME_EXCHANGE = 2


AT_FDCWD = -100


def exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with renameat2(RENAME_EXCHANGE); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(a))


def swap_in(tmp: Path, final: Path) -> None:
    """Put a finished temp dir in place of final; the old final is removed only once replaced."""
    if not final.exists():
        os.rename(tmp, final)
        return
    if exchange(tmp, final):
        shutil.rmtree(tmp)
        return
    old = final.with_name(f"{OLD_PREFIX}{final.name}-{os.getpid()}")
    os.rename(final, old)
    os.rename(tmp, final)
    shutil.rmtree(old)


def write_atomic(path: Path, text: str) -> None:
    """Write a text file through a temp file and rename."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
