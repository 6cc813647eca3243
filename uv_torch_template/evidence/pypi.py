"""Read PyPI as it is served: the PEP 691 JSON simple API and each wheel's METADATA.

METADATA comes from the PEP 658 `.metadata` sidecar where PyPI serves one, otherwise from the
wheel's own `*.dist-info/METADATA` member, read with HTTP range requests (a torch wheel is
gigabytes; its central directory and METADATA are a few kilobytes at its end).
"""

from __future__ import annotations

import email.parser
import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

import requests

PYPI_SIMPLE = "https://pypi.org/simple"
JSON_ACCEPT = "application/vnd.pypi.simple.v1+json"
TIMEOUT_S = 60
TAIL_BYTES = 256 << 10  # enough for the central directory of any torch wheel


@dataclass(frozen=True)
class Metadata:
    """The METADATA fields the catalog's facts rest on."""

    metadata_version: str
    requires_python: str | None
    requires_dist: tuple[str, ...]

    @classmethod
    def parse(cls, raw: bytes) -> Metadata:
        message = email.parser.BytesParser().parsebytes(raw, headersonly=True)
        return cls(
            metadata_version=str(message["Metadata-Version"]),
            requires_python=message["Requires-Python"],
            requires_dist=tuple(str(line) for line in message.get_all("Requires-Dist") or ()),
        )

    def as_record(self) -> dict[str, Any]:
        return {
            "metadata_version": self.metadata_version,
            "requires_python": self.requires_python,
            "requires_dist": list(self.requires_dist),
        }


class PyPI:
    """One simple-API base URL (PyPI itself, a mirror of it, or a recorded fixture server)."""

    def __init__(self, base_url: str = PYPI_SIMPLE, session: requests.Session | None = None):
        self.base = base_url.rstrip("/")
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = "uv-torch-template evidence"

    def files(self, project: str) -> list[dict[str, Any]]:
        """The project's files as PEP 691 lists them ([] for a project PyPI does not have)."""
        response = self.session.get(
            f"{self.base}/{project}/", headers={"Accept": JSON_ACCEPT}, timeout=TIMEOUT_S
        )
        if response.status_code == 404:
            return []
        response.raise_for_status()
        return response.json()["files"]

    def metadata(self, file: dict[str, Any]) -> Metadata | None:
        url = file["url"]
        # Asked for even where the listing announces none: PyPI serves sidecars it does not list.
        sidecar = self.session.get(url + ".metadata", timeout=TIMEOUT_S)
        if sidecar.status_code == 200:
            return Metadata.parse(sidecar.content)
        if not file["filename"].endswith(".whl"):
            return None
        return Metadata.parse(_metadata_by_range(self.session, url, int(file.get("size") or 0)))


class _RangeFile(io.RawIOBase):
    """A seekable read-only view of a remote file, fetching only the ranges zipfile asks for."""

    def __init__(self, session: requests.Session, url: str, size: int):
        self.session, self.url, self.size, self.pos = session, url, size, 0
        start = max(0, size - TAIL_BYTES)
        self.tail_start = start
        self.tail = self._range(start, size - 1)

    def _range(self, first: int, last: int) -> bytes:
        response = self.session.get(self.url, headers={"Range": f"bytes={first}-{last}"}, timeout=TIMEOUT_S)
        response.raise_for_status()
        return response.content

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = 0) -> int:
        self.pos = {0: offset, 1: self.pos + offset, 2: self.size + offset}[whence]
        return self.pos

    def read(self, n: int = -1) -> bytes:
        end = self.size if n is None or n < 0 else min(self.size, self.pos + n)
        if self.pos >= self.tail_start:
            data = self.tail[self.pos - self.tail_start : end - self.tail_start]
        else:
            data = self._range(self.pos, end - 1) if end > self.pos else b""
        self.pos += len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _metadata_by_range(session: requests.Session, url: str, size: int) -> bytes:
    if size <= 0:
        size = int(session.head(url, timeout=TIMEOUT_S, allow_redirects=True).headers["Content-Length"])
    with zipfile.ZipFile(_RangeFile(session, url, size)) as archive:
        names = [n for n in archive.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n)]
        if len(names) != 1:
            raise ValueError(f"{url}: expected one .dist-info/METADATA, found {names}")
        return archive.read(names[0])
