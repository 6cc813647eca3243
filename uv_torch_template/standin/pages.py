"""PEP 503 HTML exactly as pytorch/test-infra's manage_v2.py writes it (docs/pytorch-index-facts.md,
[layout]).

Static HTML only: the real index has no PEP 691 JSON, no data-requires-python and no
data-size, and uv must be tested against that shape, not a friendlier one.
"""

from __future__ import annotations

import html
from dataclasses import dataclass


@dataclass(frozen=True)
class Link:
    href: str  # absolute or host-relative, with '+' as %2B, without the fragment
    filename: str
    sha256: str
    metadata_sha256: str
    upload_time: str
    sort_key: str  # manage_v2 lists objects in S3 key order


def root_page(names: list[str], timestamp: int) -> bytes:
    """/whl/<variant>/: one line per project, named as its files spell it, linked normalised."""
    lines = ["<!DOCTYPE html>", "<html>", "  <body>"]
    for name in sorted(names, key=str.lower):
        lines.append(f'    <a href="{name.lower().replace("_", "-")}/">{html.escape(name)}</a><br/>')
    lines += ["  </body>", "</html>", f"<!--TIMESTAMP {timestamp}-->"]
    return ("\n".join(lines) + "\n").encode()


def project_page(project: str, links: list[Link], timestamp: int) -> bytes:
    lines = ["<!DOCTYPE html>", "<html>", "  <body>", f"    <h1>Links for {html.escape(project)}</h1>"]
    for link in sorted(links, key=lambda link: link.sort_key):
        lines.append(
            f'    <a href="{link.href}#sha256={link.sha256}"'
            f' data-dist-info-metadata="sha256={link.metadata_sha256}"'
            f' data-core-metadata="sha256={link.metadata_sha256}"'
            f' data-upload-time="{link.upload_time}">{html.escape(link.filename)}</a><br/>'
        )
    lines += ["  </body>", "</html>", f"<!--TIMESTAMP {timestamp}-->"]
    return ("\n".join(lines) + "\n").encode()
