"""The one write protocol for every folder lup_opt writes, and the checks on every path it reads.

Writing a folder (results, diagnosis, evaluation, comparison, trade-offs, sweep runs, a grid
scenario) always goes the same way (:func:`write_folder`):

1. the target is checked (:func:`output_target`): an existing folder is replaced only when its
   ``manifest.json`` says lup_opt wrote it, and never when it is the working folder, a scenario
   folder, or a folder holding either; a folder holding another run is replaced only with
   ``overwrite``;
2. a lock, ``.NAME.lock`` beside the target, is taken (a second writer is refused at once);
3. temporaries that a killed run left beside the target are removed (a results folder moved
   aside just before a kill is put back first);
4. the content is written into a fresh ``.NAME.partial-XXXX`` beside the target, created with
   the user's umask;
5. the manifest is stamped (``written_by``, ``run``) and the temporary swapped into place in one
   step (``renameat2(RENAME_EXCHANGE)`` where the kernel has it), the old folder removed.

Reading: :func:`inside` resolves a path named in a scenario and refuses one that leads outside
the scenario folder (``..``, absolute paths, symlinks) unless allowed; :func:`read_bytes` reads a
scenario file, turning every OS-level failure into a :class:`ScenarioError` naming the file.

This module uses the standard library only.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import json
import os
import secrets
import shutil
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from lup_opt.errors import OutputError, ScenarioError

MANIFEST = "manifest.json"
WRITTEN_BY = "lup_opt"
PARTIAL, OLD, LOCK = ".partial-", ".old-", ".lock"
MAX_PATH = 4096
MAX_NAME = 255
MAX_MANIFEST_BYTES = 50_000_000

# Tests set this to stop or kill a writer at a named step: locked, writing, written, swapped.
step_hook: Callable[[str], None] | None = None


def _step(name: str) -> None:
    if step_hook is not None:
        step_hook(name)


# --------------------------------------------------------------------------------------------- #
# Paths as text


def path_problem(text: str | os.PathLike) -> str | None:
    """Why a path cannot be used at all (a NUL byte, too long), or None."""
    raw = os.fspath(text)
    if "\x00" in raw:
        return "the path contains a NUL byte"
    if len(os.fsencode(raw)) > MAX_PATH:
        return f"the path is {len(os.fsencode(raw)):,} bytes long; at most {MAX_PATH:,}"
    if any(len(os.fsencode(part)) > MAX_NAME for part in Path(raw).parts):
        return f"a name in the path is longer than {MAX_NAME} bytes"
    return None


def excerpt(text: object, limit: int = 40) -> str:
    """At most ``limit`` characters of a value for a message (the rest elided)."""
    value = str(text)
    value = value.replace("\x00", "\\0")
    return value if len(value) <= limit else value[: limit - 3] + "..."


# --------------------------------------------------------------------------------------------- #
# Reading scenario files


def resolve(path: Path, label: str, where: str = "") -> Path:
    """``path`` with every symlink followed; a loop or an unusable path is a ScenarioError."""
    problem = path_problem(path)
    if problem:
        raise ScenarioError.single(label, where, problem)
    try:
        return path.resolve(strict=False)
    except RuntimeError:  # Python 3.11: "Symlink loop from ..."
        raise ScenarioError.single(label, where, "a symlink loop; point the path at a real file") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ScenarioError.single(label, where, "a symlink loop; point the path at a real file") from None
        raise ScenarioError.single(label, where, f"cannot be used: {exc.strerror}") from None


def inside(folder: Path, relative: str, label: str, where: str, allow_outside: bool = False) -> Path:
    """The file ``relative`` names in the scenario ``folder``, resolved; refused (ScenarioError
    at ``label``/``where``) when it leads outside the folder, unless ``allow_outside``."""
    problem = path_problem(relative)
    if problem:
        raise ScenarioError.single(label, where, problem)
    root = resolve(folder, label, where)
    path = resolve(folder / relative, label, where)
    if not allow_outside and path != root and root not in path.parents:
        lead = "a symlink leading" if not Path(relative).is_absolute() and ".." not in Path(relative).parts else \
            "a path"
        raise ScenarioError.single(
            label, where,
            f"{lead} outside the scenario folder ('{excerpt(relative)}'); keep the scenario's files in its folder "
            f"(or give --allow-outside to read it anyway)")
    return path


def read_bytes(path: Path, label: str) -> bytes:
    """The bytes of a scenario file; a missing, unreadable or special file is a ScenarioError."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise ScenarioError.single(label, "", f"file not found (looked for {path})") from None
    except IsADirectoryError:
        raise ScenarioError.single(label, "", "is a folder, not a file") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ScenarioError.single(label, "", "a symlink loop; point the path at a real file") from None
        raise ScenarioError.single(label, "", f"cannot be read: {exc.strerror}; check its permissions") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ScenarioError.single(label, "", "is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise ScenarioError.single(label, "", "is not a regular file (a device, pipe or socket)")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read()
    except OSError as exc:
        raise ScenarioError.single(label, "", f"cannot be read: {exc.strerror}; check its permissions") from None
    finally:
        os.close(fd)


# --------------------------------------------------------------------------------------------- #
# Output targets


def absolute_target(folder: str | os.PathLike, label: str) -> Path:
    raw = os.fspath(folder)
    problem = path_problem(raw)
    if problem:
        raise OutputError(f"{label} '{excerpt(raw)}': {problem}")
    path = Path(os.path.abspath(raw or "."))
    try:
        parent = path.parent.resolve(strict=False)
    except (RuntimeError, OSError):
        raise OutputError(f"{label} {path}: a symlink loop in the path") from None
    return parent / path.name if path.name else parent


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of ``folder`` when it is one lup_opt wrote, else None."""
    path = folder / MANIFEST
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_MANIFEST_BYTES:
            return None
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict):
        return None
    versions = manifest.get("versions")
    if manifest.get("written_by") == WRITTEN_BY or (isinstance(versions, dict) and "lup_opt" in versions):
        return manifest
    return None


def run_label(run: Mapping[str, Any] | None) -> str:
    if not run:
        return "an unnamed run"
    parts = [str(run.get("command", "?")), str(run.get("scenario", ""))]
    parts += [f"+{v}" for v in run.get("variants", [])]
    parts += [f"--set {o}" for o in run.get("overrides", [])]
    return " ".join(excerpt(p, 60) for p in parts if p)


def output_target(folder: str | os.PathLike, *, protect: Iterable[str | os.PathLike] = (),
                  run: Mapping[str, Any] | None = None, overwrite: bool = False, label: str = "--out",
                  marker: bool = True) -> Path:
    """The absolute target folder, once it is safe to (re)place; OutputError otherwise.

    Never the working folder, a folder in ``protect`` (the scenario), or a folder holding one of
    them. An existing folder must be empty, or one whose manifest says lup_opt wrote it (only
    with ``marker``); one holding a different ``run`` is replaced only with ``overwrite``."""
    target = absolute_target(folder, label)
    guarded = [Path.cwd(), *(Path(p) for p in protect if p)]
    for place in guarded:
        try:
            place = place.resolve()
        except (RuntimeError, OSError):
            continue
        if target == place or target in place.parents:
            what = "the working folder" if place == guarded[0].resolve() else "the scenario folder"
            relation = "is" if target == place else "holds"
            raise OutputError(f"{label} {target}: {relation} {what}; nothing was written. Give a folder of its own, "
                              f"e.g. {label} results/run")
    if target.is_symlink():
        raise OutputError(f"{label} {target}: is a symbolic link; give a real folder")
    if not target.exists():
        return target
    if not target.is_dir():
        raise OutputError(f"{label} {target}: a file of that name exists; nothing was written. Give a folder name")
    try:
        empty = next(os.scandir(target), None) is None
    except OSError as exc:
        raise OutputError(f"{label} {target}: cannot be read ({exc.strerror}); nothing was written") from None
    if empty:
        return target
    manifest = read_manifest(target) if marker else None
    if manifest is None:
        raise OutputError(f"{label} {target}: exists and is not a lup_opt results folder (no manifest.json saying "
                          f"lup_opt wrote it); nothing was changed. Give a new folder")
    if run is not None and not overwrite and _comparable(manifest.get("run")) != _comparable(run):
        raise OutputError(f"{label} {target}: holds another run ({run_label(manifest.get('run'))}); nothing was "
                          f"changed. Give --overwrite to replace it, or another {label}")
    return target


def _comparable(run: Any) -> Any:
    return json.loads(json.dumps(run, sort_keys=True, default=str)) if run is not None else None


@contextlib.contextmanager
def _lock(target: Path, label: str) -> Iterator[None]:
    """An exclusive lock on ``.NAME.lock`` beside ``target``; a second writer is refused."""
    import fcntl

    path = target.parent / f".{target.name}{LOCK}"
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise OutputError(f"{label} {target}: another lup-opt run is writing it now; wait for it to finish or "
                              f"give another {label}") from None
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the holder before us removed the file: lock the new one
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(fd)


def _remove(path: Path) -> None:
    if path.is_symlink() or not path.is_dir():
        with contextlib.suppress(OSError):
            path.unlink()
    else:
        shutil.rmtree(path, ignore_errors=True)


def recover(target: Path) -> list[Path]:
    """Clean up after a killed writer of ``target`` (call under its lock): put back a folder moved
    aside just before the kill when ``target`` is missing; remove every other temporary."""
    stale = sorted((p for p in target.parent.glob(f".{_glob_escape(target.name)}.*")
                    if p.name.startswith((f".{target.name}{PARTIAL}", f".{target.name}{OLD}"))),
                   key=lambda p: p.lstat().st_mtime_ns)
    olds = [p for p in stale if p.name.startswith(f".{target.name}{OLD}") and p.is_dir() and not p.is_symlink()]
    if not target.exists() and olds:
        os.rename(olds[-1], target)
        stale.remove(olds[-1])
    for path in stale:
        _remove(path)
    return stale


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[]" else c for c in name)


_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2); False where that is not available."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    try:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd = -100
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP if hasattr(errno, "ENOTSUP") else errno.EINVAL):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _swap(new: Path, target: Path) -> None:
    """Put ``new`` in place of ``target`` (which may not exist); the old content is removed."""
    if not target.exists():
        os.rename(new, target)
        _step("swapped")
        return
    if _exchange(new, target):  # ``new`` now holds the old content, still named as a temporary
        _step("swapped")
        shutil.rmtree(new, ignore_errors=True)
        return
    old = target.parent / f".{target.name}{OLD}{secrets.token_hex(4)}"
    os.rename(target, old)
    _step("moved aside")
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(old, target)
        raise
    _step("swapped")
    shutil.rmtree(old, ignore_errors=True)


def stamp_manifest(folder: Path, run: Mapping[str, Any] | None) -> None:
    """Add ``written_by`` and ``run`` to ``folder``'s manifest.json (made when missing)."""
    path = folder / MANIFEST
    manifest: dict[str, Any] = {}
    if path.exists():
        manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["written_by"] = WRITTEN_BY
    if run is not None:
        manifest["run"] = dict(run)
    files = manifest.get("files")
    if isinstance(files, list) and MANIFEST not in files:
        files.append(MANIFEST)
    path.write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")


@contextlib.contextmanager
def write_folder(folder: str | os.PathLike, *, protect: Iterable[str | os.PathLike] = (),
                 run: Mapping[str, Any] | None = None, overwrite: bool = False, label: str = "--out",
                 marker: bool = True) -> Iterator[Path]:
    """Yield a fresh temporary folder beside ``folder``; once the block ends without error it
    replaces ``folder`` in one step. On an error (or a signal that raises) it is removed and
    ``folder`` is as it was. See the module docstring for the whole protocol."""
    protect = tuple(protect)
    target = output_target(folder, protect=protect, run=run, overwrite=overwrite, label=label, marker=marker)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{label} {target}: its parent folder cannot be made ({exc.strerror})") from None
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise OutputError(f"{label} {target}: its parent folder cannot be written to")
    try:
        lock = _lock(target, label)
        lock.__enter__()
    except OSError as exc:
        raise OutputError(f"{label} {target}: cannot be written ({exc.strerror})") from None
    try:
        _step("locked")
        recover(target)
        target = output_target(folder, protect=protect, run=run, overwrite=overwrite, label=label, marker=marker)
        tmp = target.parent / f".{target.name}{PARTIAL}{secrets.token_hex(4)}"
        os.mkdir(tmp)  # 0o777 less the umask, as any folder the user makes
        try:
            _step("writing")
            yield tmp
            if marker:
                stamp_manifest(tmp, run)
            _step("written")
            _swap(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    finally:
        lock.__exit__(None, None, None)


@contextlib.contextmanager
def writing_into(folder: str | os.PathLike, label: str = "--out") -> Iterator[Path]:
    """Hold the write lock of an existing folder while its content is updated in place (the
    report of a results folder): a writer replacing the folder meanwhile is refused."""
    target = absolute_target(folder, label)
    with _lock(target, label):
        yield target


def write_file(path: str | os.PathLike, write: Callable[[Path], None], *, label: str = "--out") -> Path:
    """Write one file atomically: ``write(tmp)`` fills a temporary beside ``path`` (same suffix,
    created with the user's umask), which then replaces ``path``."""
    target = absolute_target(path, label)
    if target.is_dir():
        raise OutputError(f"{label} {target}: is a folder; give a file name")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{label} {target}: its parent folder cannot be made ({exc.strerror})") from None
    tmp = target.parent / f".{target.stem}{PARTIAL}{secrets.token_hex(4)}{target.suffix}"
    try:
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        write(tmp)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target
