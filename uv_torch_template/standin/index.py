"""The stand-in's contents: which files each variant page lists, and the bytes behind them.

Everything is computed on first use and cached: starting a stand-in costs a directory listing
of the wheelhouses, nothing more. A real wheel in a wheelhouse whose file name equals a stub's
replaces that stub everywhere (its own sha256, its own METADATA as sidecar), so one real
torch build can be installed while the rest of the index stays metadata-only.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import threading
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ..catalog import Catalog
from ..catalog import load as load_catalog
from . import dists as D
from . import facts as F
from .wheels import build_wheel, metadata_bytes

CHUNK = 1 << 20
T = TypeVar("T")


@dataclass(frozen=True)
class Artifact:
    """A file as served: in memory (stub) or on disk (real wheel)."""

    size: int
    sha256: str
    metadata: bytes
    data: bytes | None = None
    path: Path | None = None

    @property
    def metadata_sha256(self) -> str:
        return hashlib.sha256(self.metadata).hexdigest()

    def chunks(self) -> Iterator[bytes]:
        if self.data is not None:
            yield self.data
            return
        assert self.path is not None
        with self.path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk


def default_wheelhouses() -> list[Path]:
    """The folders pip's PIP_FIND_LINKS names (space-separated); URLs and missing paths skipped."""
    folders = []
    for entry in os.environ.get("PIP_FIND_LINKS", "").split():
        path = Path(entry.removeprefix("file://"))
        if "://" not in entry.removeprefix("file://") and path.is_dir():
            folders.append(path)
    return folders


class Index:
    def __init__(
        self,
        wheelhouses: Iterable[str | os.PathLike[str]] | None = None,
        catalog: Catalog | None = None,
        facts: dict[str, Any] | None = None,
    ):
        self.catalog = catalog or load_catalog()
        self.facts = facts or F.load()
        folders = default_wheelhouses() if wheelhouses is None else [Path(w) for w in wheelhouses]
        # First folder wins, as with pip's find-links.
        self.real_wheels: dict[str, Path] = {}
        for folder in folders:
            for path in sorted(Path(folder).glob("*.whl")):
                self.real_wheels.setdefault(path.name, path)
        self._cache: dict[Any, Any] = {}
        self._locks: dict[Any, threading.Lock] = defaultdict(threading.Lock)
        self._guard = threading.Lock()

    @property
    def variants(self) -> list[str]:
        return list(self.catalog.backends)

    # -- which files exist -----------------------------------------------------------------

    def projects(self, variant: str | None) -> dict[str, list[D.Dist]]:
        """project -> its files, for a variant (None: the /whl/ root itself). Root files are on
        every variant (docs/pytorch-index-facts.md [layout]); KeyError for a variant the catalog
        does not have."""
        return self._cached(("projects", variant), lambda: self._group(variant))

    def find(self, variant: str | None, filename: str) -> D.Dist | None:
        """The Dist stored at /whl/<variant>/<filename> (variant None: at /whl/<filename>)."""
        table = self._cached(("by-name", variant), lambda: self._by_name(variant))
        return table.get(filename)

    def _group(self, variant: str | None) -> dict[str, list[D.Dist]]:
        if variant is not None and variant not in self.catalog.backends:
            raise KeyError(variant)
        own = [] if variant is None else D.variant_dists(self.catalog, self.facts, variant)
        grouped: dict[str, list[D.Dist]] = defaultdict(list)
        for dist in own + self._root():
            grouped[dist.project].append(dist)
        return dict(grouped)

    def _by_name(self, variant: str | None) -> dict[str, D.Dist]:
        if variant is None:
            return {d.filename: d for d in self._root()}
        return {d.filename: d for d in D.variant_dists(self.catalog, self.facts, variant)}

    def _root(self) -> list[D.Dist]:
        return self._cached("root", lambda: D.root_dists(self.catalog, self.facts))

    # -- the bytes -------------------------------------------------------------------------

    def artifact(self, dist: D.Dist) -> Artifact:
        # Keyed by file name: a stale numpy copy is the same file on every variant.
        return self._cached(("artifact", dist.filename), lambda: self._make_artifact(dist))

    def _make_artifact(self, dist: D.Dist) -> Artifact:
        real = self.real_wheels.get(dist.filename)
        if real is not None:
            try:
                metadata = _real_metadata(real)
            except (zipfile.BadZipFile, ValueError, KeyError, OSError) as error:
                # One broken file must not take the page down: serve the stub, and say which.
                print(f"warning: {real}: not a readable wheel ({error}); serving a stub", file=sys.stderr)
                real = None
        if real is None:
            data = build_wheel(dist)
            return Artifact(len(data), hashlib.sha256(data).hexdigest(), metadata_bytes(dist), data=data)
        digest = hashlib.sha256()
        with real.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
        return Artifact(real.stat().st_size, digest.hexdigest(), metadata, path=real)

    def _cached(self, key: Any, make: Callable[[], T]) -> T:
        # One lock per key: concurrent requests for a page wait for one build of it (hashing a
        # real 190 MB wheel twice would be wasted), while other pages go on being served.
        if key in self._cache:
            return self._cache[key]
        with self._guard:
            lock = self._locks[key]
        with lock:
            if key not in self._cache:
                self._cache[key] = make()
            return self._cache[key]


def _real_metadata(path: Path) -> bytes:
    """METADATA of a real wheel: the top-level *.dist-info/METADATA (never a vendored one)."""
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n)]
        if len(names) != 1:
            raise ValueError(f"{path.name}: expected one .dist-info/METADATA, found {names}")
        return archive.read(names[0])
