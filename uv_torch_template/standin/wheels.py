"""Metadata-only stub wheels: valid zips holding METADATA, WHEEL and RECORD, nothing else.

Deterministic on purpose: the same Dist gives the same bytes (and sha256) on every run and
machine, so hashes in a uv.lock written against one stand-in still verify against the next.
Hence stored (uncompressed) members, a fixed timestamp and fixed permission bits.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import zipfile

from .dists import Dist

ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can say
EXTRA = re.compile(r"""extra\s*==\s*['"]([^'"]+)['"]""")


def metadata_bytes(dist: Dist) -> bytes:
    """The METADATA file, also served as the PEP 658 sidecar (`<wheel URL>.metadata`)."""
    lines = [
        f"Metadata-Version: {dist.metadata_version}",
        f"Name: {dist.name}",
        f"Version: {dist.version}",
        f"Summary: Metadata-only stand-in for {dist.name} {dist.version} (uv-torch-template)",
    ]
    if dist.requires_python:
        lines.append(f"Requires-Python: {dist.requires_python}")
    provided: set[str] = set()
    for requirement in dist.requires_dist:
        # Real wheels declare each extra just before its first requirement (torch, jinja2).
        extra = EXTRA.search(requirement)
        if extra and extra.group(1) not in provided:
            provided.add(extra.group(1))
            lines.append(f"Provides-Extra: {extra.group(1)}")
        lines.append(f"Requires-Dist: {requirement}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def wheel_tags(filename: str) -> list[str]:
    """The WHEEL `Tag:` lines a file name stands for, compressed tag sets expanded
    (`manylinux_2_27_x86_64.manylinux_2_28_x86_64` is two tags)."""
    python, abi, platform = filename.removesuffix(".whl").split("-")[-3:]
    return [f"{p}-{a}-{pl}" for p in python.split(".") for a in abi.split(".") for pl in platform.split(".")]


def build_wheel(dist: Dist) -> bytes:
    dist_info = f"{dist.filename.split('-')[0]}-{dist.version}.dist-info"
    purelib = all(tag.endswith("-none-any") for tag in wheel_tags(dist.filename))
    wheel = "\n".join(
        [
            "Wheel-Version: 1.0",
            "Generator: uv-torch-template stand-in",
            f"Root-Is-Purelib: {'true' if purelib else 'false'}",
            *(f"Tag: {tag}" for tag in wheel_tags(dist.filename)),
        ]
    )
    members = {f"{dist_info}/METADATA": metadata_bytes(dist), f"{dist_info}/WHEEL": (wheel + "\n").encode()}
    record = "".join(f"{path},sha256={_record_hash(data)},{len(data)}\n" for path, data in members.items())
    members[f"{dist_info}/RECORD"] = (record + f"{dist_info}/RECORD,,\n").encode()

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for path, data in members.items():
            info = zipfile.ZipInfo(path, date_time=ZIP_TIMESTAMP)
            info.create_system = 3  # unix, whatever machine builds it
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def _record_hash(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
