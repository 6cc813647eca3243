"""`nox -s survey -- --write`: put what the indexes say into catalog.yml, keeping its comments.

A round-trip edit (ruamel.yaml): only the values a drift names change, each changed entry gets
a `[survey DATE]` comment as its provenance, everything else (comments, order, quoting, the
keys other tools add) stays byte for byte. Facts the catalog cannot take without a person's
judgement (a release the catalog does not know yet, a backend it lacks) are printed, not written.
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from uv_torch_template.catalog import CATALOG_PATH, load, release_key


def _yaml() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line
    yaml.indent(mapping=2, sequence=4, offset=2)
    # catalog.yml spells "no such thing" as `null`, which the template's Jinja also reads.
    yaml.representer.add_representer(
        type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    return yaml


def _flow(items: list[str], quoted: bool = True) -> CommentedSeq:
    seq = CommentedSeq([DoubleQuotedScalarString(i) if quoted else i for i in items])
    seq.fa.set_flow_style()
    return seq


def _stamp(entry: CommentedMap, key: str, stamp: str) -> None:
    """The provenance of a written fact: a comment on the entry's first line (`torch:` of a
    release, `title:` of a backend), which never carries a comment of its own."""
    entry.yaml_add_eol_comment(stamp, key)


def write_drifts(drifts: list[Any], index_url: str, path: Path = CATALOG_PATH) -> int:
    yaml = _yaml()
    data = yaml.load(path.read_text(encoding="utf-8"))
    releases = {str(r["torch"]): r for r in data["releases"]}
    stamp = f"[survey {datetime.date.today().isoformat()}] {index_url}"
    changed = 0
    for drift in drifts:
        backend = data["backends"].get(drift.backend)
        release = releases.get(drift.release or "")
        if drift.fact == "release" and backend is not None and release is not None:
            carried = [str(r) for r in backend["torch"]]
            carried = [*carried, drift.release] if drift.value else [r for r in carried if r != drift.release]
            backend["torch"] = _flow(sorted(set(carried), key=release_key))
        elif drift.fact == "python" and release is not None:
            release["python"] = _flow(drift.value)
        elif drift.fact in load().companion_packages and release is not None:
            release[drift.fact] = drift.value
        elif drift.fact == "companion" and release is not None and drift.value and backend is not None:
            companion = CommentedMap(drift.value)
            companion.fa.set_flow_style()
            release.setdefault("companions", CommentedMap())[backend["family"]] = companion
        elif drift.fact == "version" and backend is not None and release is not None and drift.value:
            known = [str(p["version"]) for p in release.get("patches") or ()] + [str(release["version"])]
            if not set(drift.value) <= set(known):
                print(
                    f"not written (a patch the catalog lacks: add it to `patches`): {drift}", file=sys.stderr
                )
                continue
            table = backend.setdefault("only_patches", CommentedMap())
            table.fa.set_flow_style()
            if drift.value == known:
                table.pop(drift.release, None)
            else:
                table[DoubleQuotedScalarString(drift.release)] = _flow(drift.value, quoted=False)
            if not table:
                del backend["only_patches"]
        elif drift.fact == "platforms" and backend is not None and drift.release:
            table = backend.setdefault("release_platforms", CommentedMap())
            table[DoubleQuotedScalarString(drift.release)] = _flow(drift.value, quoted=False)
        else:
            print(f"not written (needs a person): {drift}", file=sys.stderr)
            continue
        if drift.fact in ("release", "platforms", "version"):
            _stamp(backend, "title", stamp)
        else:
            _stamp(release, "torch", stamp)
        changed += 1
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    return changed


def write_settled(settled: list[tuple[str, str, str]], source: str, path: Path = CATALOG_PATH) -> int:
    """Facts PyPI settles on its own, (torch patch version, field, value): a release's or patch's
    upload date and its torchvision/torchaudio pairing, stamped `[pypi DATE]`."""
    yaml = _yaml()
    data = yaml.load(path.read_text(encoding="utf-8"))
    stamp = f"[pypi {datetime.date.today().isoformat()}] {source}"
    changed = 0
    for version, field, value in settled:
        for release in data["releases"]:
            entries = [release, *(release.get("patches") or ())]
            entry = next((e for e in entries if str(e["version"]) == version), None)
            if entry is not None:
                entry[field] = DoubleQuotedScalarString(value) if field == "released" else value
                _stamp(release, "torch", stamp)
                changed += 1
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    return changed
