"""HTTP for the stand-in: the URL layout of download.pytorch.org/whl on a loopback port.

    /whl/<variant>/                      project list of one index (cpu, cu130, rocm7.2, xpu, ...)
    /whl/<variant>/<project>/            PEP 503 page: the variant's files plus the /whl/ root files
    /whl/<variant>/<file>[.metadata]     a wheel, or its PEP 658 METADATA sidecar
    /whl/<file>[.metadata]               root files (triton companions, Jinja2, MarkupSafe)
    /whl/ and /whl/<project>/            the root directory as an index of its own

Unknown variants, projects and files answer 404 (the real host answers 403, which uv only
forgives for download.pytorch.org itself: docs/pytorch-index-facts.md [layout]). Pages are built
on first request and cached.
"""

from __future__ import annotations

import os
import threading
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from packaging.utils import canonicalize_name

from ..catalog import Catalog
from .dists import Dist
from .index import Index
from .pages import Link, project_page, root_page

HTML = "text/html"  # whatever the Accept header asks for: the real index has no JSON API
BINARY = "binary/octet-stream"  # what S3 answers for wheels and sidecars


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    length: int
    chunks: Callable[[], Iterable[bytes]]

    @classmethod
    def of(cls, body: bytes, content_type: str = HTML, status: int = 200) -> Response:
        return cls(status, content_type, len(body), lambda: [body])


NOT_FOUND = Response.of(b"404 Not Found\n", status=404)


class Site:
    """Maps request paths to responses; knows its own base URL because hrefs are absolute."""

    def __init__(self, index: Index, base: str):
        self.index = index
        self.base = base  # http://127.0.0.1:PORT
        self._pages: dict[tuple[str | None, str | None], bytes] = {}
        self._lock = threading.Lock()

    def route(self, path: str) -> Response:
        parts = [unquote(p) for p in path.split("/")]
        if parts[:2] != ["", "whl"]:
            return NOT_FOUND
        rest = parts[2:]
        directory = bool(rest) and rest[-1] == ""  # a trailing slash: a page, never a file
        rest = [p for p in rest if p]
        variant = rest.pop(0) if rest and rest[0] in self.index.variants else None
        if not rest:
            return self._page(variant, None)
        if len(rest) != 1:
            return NOT_FOUND
        name = rest[0]
        if not directory and name.endswith((".whl", ".whl.metadata")):
            return self._file(variant, name)
        return self._page(variant, canonicalize_name(name))

    def _page(self, variant: str | None, project: str | None) -> Response:
        key = (variant, project)
        if key not in self._pages:
            body = self._render(variant, project)
            if body is None:
                return NOT_FOUND
            with self._lock:
                self._pages[key] = body
        return Response.of(self._pages[key])

    def _render(self, variant: str | None, project: str | None) -> bytes | None:
        projects = self.index.projects(variant)
        if project is None:
            names = {dists[0].filename.split("-")[0] for dists in projects.values()}
            newest = max(d.upload_time for dists in projects.values() for d in dists)
            return root_page(sorted(names), _epoch(newest))
        dists = projects.get(project)
        if not dists:
            return None
        links = [self._link(variant, dist) for dist in dists]
        return project_page(project, links, _epoch(max(d.upload_time for d in dists)))

    def _link(self, variant: str | None, dist: Dist) -> Link:
        key = "whl/" + ("" if dist.at_root or variant is None else f"{variant}/") + dist.filename
        href = "/" + quote(key)  # quote() writes '+' as %2B, as the real hrefs do
        if dist.absolute_href:
            href = self.base + href
        artifact = self.index.artifact(dist)
        return Link(href, dist.filename, artifact.sha256, artifact.metadata_sha256, dist.upload_time, key)

    def _file(self, variant: str | None, name: str) -> Response:
        sidecar = name.endswith(".metadata")
        dist = self.index.find(variant, name.removesuffix(".metadata"))
        if dist is None:
            return NOT_FOUND
        artifact = self.index.artifact(dist)
        if sidecar:
            return Response.of(artifact.metadata, BINARY)
        return Response(200, BINARY, artifact.size, artifact.chunks)


def _epoch(rfc3339: str) -> int:
    return int(datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp())


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: uv fetches hundreds of small files
    server_version = "uv-torch-template-standin"
    server: _Server

    def do_GET(self) -> None:
        self._serve(body=True)

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def _serve(self, body: bool) -> None:
        try:
            response = self.server.site.route(urlsplit(self.path).path)
        except Exception:  # say what broke instead of dropping the connection
            response = Response.of(traceback.format_exc().encode(), "text/plain", status=500)
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(response.length))
        self.end_headers()
        if body:
            try:
                for chunk in response.chunks():
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up; nothing to tell it

    def log_message(self, format: str, *args: object) -> None:
        pass  # a lock fetches hundreds of files; tests read uv's output, not ours


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: Site


class StandinIndex:
    """A loopback stand-in for https://download.pytorch.org/whl, served from a daemon thread.

        with StandinIndex() as index:
            index.url                  # http://127.0.0.1:41234/whl

    wheelhouses: folders whose real wheels replace stubs of the same file name (default: the
    folders in PIP_FIND_LINKS; pass [] for none). catalog / facts: serve these instead of
    catalog.yml / facts.yml (a stand-in that differs from the catalog in a known way).
    """

    def __init__(
        self,
        wheelhouses: Iterable[str | os.PathLike[str]] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        catalog: Catalog | None = None,
        facts: dict[str, Any] | None = None,
    ):
        self.index = Index(wheelhouses, catalog, facts)
        self.host = host
        self.port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the stand-in index is not running: use it as a context manager or start() it")
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        return f"http://{host}:{self._server.server_address[1]}/whl"

    def start(self) -> StandinIndex:
        if self._server is None:
            self._server = _Server((self.host, self.port), _Handler)
            self._server.site = Site(self.index, self.url.removesuffix("/whl"))
            self._thread = threading.Thread(target=self._server.serve_forever, name="standin", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
            self._thread = None

    def __enter__(self) -> StandinIndex:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
