"""The catalog's tables in README.md, generated so that the docs cannot drift from the data.

python -m uv_torch_template.tasks.docs          rewrite the tables in README.md
python -m uv_torch_template.tasks.docs --check  exit 1 if README.md is out of date (a test runs this)
"""

from __future__ import annotations

import argparse
import re
import sys

from uv_torch_template.catalog import REPO_ROOT, Catalog, Release, load
from uv_torch_template.evidence.store import index_files, index_record

README = REPO_ROOT / "README.md"
BEGIN, END = "<!-- catalog-tables:begin -->", "<!-- catalog-tables:end -->"


def _driver(driver: dict[str, str] | None) -> str:
    if not driver:
        return "-"
    return ", ".join(f"{os_name}: {value}" for os_name, value in driver.items() if os_name != "note")


def _runs(catalog: Catalog, carried: tuple[str, ...]) -> str:
    """ "2.6-2.8, 2.12-2.13": contiguous runs of the catalog's releases a backend carries."""
    order = [r.torch for r in catalog.releases]
    runs: list[list[str]] = []
    for release in carried:
        if runs and order.index(release) == order.index(runs[-1][-1]) + 1:
            runs[-1].append(release)
        else:
            runs.append([release])
    return ", ".join(run[0] if len(run) == 1 else f"{run[0]}-{run[-1]}" for run in runs)


def _patches(catalog: Catalog, backend_name: str) -> str:
    backend = catalog.backends[backend_name]
    only = [f"{release} only {', '.join(v)}" for release, v in backend.only_patches.items()]
    return f" ({'; '.join(only)})" if only else ""


def backend_table(catalog: Catalog) -> str:
    lines = [
        "| backend | builds | platforms with wheels | torch releases | driver minimum | extra |",
        "|---|---|---|---|---|---|",
    ]
    for b in catalog.backends.values():
        releases = _runs(catalog, b.torch) + _patches(catalog, b.name)
        note = " (unverified: " + b.unverified + ")" if b.unverified else ""
        lines.append(
            f"| `{b.name}` | {b.title}, `+{b.label}` | {', '.join(b.platforms)} | {releases}{note} "
            f"| {_driver(b.driver)} | `--extra {b.extra}` |"
        )
    return "\n".join(lines)


def release_table(catalog: Catalog) -> str:
    lines = [
        "| torch | torchvision | torchaudio | Python | backends | ROCm / XPU triton |",
        "|---|---|---|---|---|---|",
    ]
    for r in catalog.releases:
        backends = ", ".join(n for n, b in catalog.backends.items() if b.carries(r.torch))
        tritons = ", ".join(
            f"{c.package} {c.version}{_patch_companions(r, family)}" for family, c in r.companions.items()
        )
        note = f" (unverified: {r.unverified})" if r.unverified else ""
        lines.append(
            f"| {' / '.join(p.version for p in reversed(r.builds))} "
            f"| {' / '.join(p.torchvision or '-' for p in reversed(r.builds))} "
            f"| {' / '.join(p.torchaudio or '-' for p in reversed(r.builds))} "
            f"| {r.python[0]}-{r.python[-1]} | {backends} | {tritons}{note} |"
        )
    return "\n".join(lines)


def _patch_companions(release: Release, family: str) -> str:
    """(2.7.0: 3.3.0)": patches that pin another companion than the release's own."""
    own = release.companions[family]
    other = [
        f"{p.version}: {p.companions[family].version}"
        for p in release.patches
        if family in p.companions and p.companions[family] != own
    ]
    return f" ({'; '.join(other)})" if other else ""


def unverified(catalog: Catalog) -> list[tuple[str, str, str]]:
    """(what, the open question, what would settle it) for every `unverified` note."""
    notes = []
    for r in catalog.releases:
        if r.unverified:
            carriers = ", ".join(
                n for n, b in catalog.backends.items() if b.carries(r.torch) and b.family != "cpu"
            )
            settle = (
                f"`nox -s evidence -- --index-url <base>` on {carriers} (their torch, torchvision and "
                f"torchaudio files and METADATA), then `nox -s survey`"
            )
            notes.append((f"torch {r.torch}", r.unverified, settle))
    for name, b in catalog.backends.items():
        if b.unverified:
            settle = (
                f"`nox -s evidence -- --index-url <base> --backend {name}`, "
                f"then `nox -s survey -- --backend {name}`"
            )
            notes.append((f"backend `{name}`", b.unverified, settle))
    return notes


def unevidenced(catalog: Catalog) -> dict[str, list[str]]:
    """backend -> the releases it carries that nothing in evidence/ shows it serving: the stand-in
    serves those builds on the catalog's word alone (no file, build-matrix entry, install or
    PyPI copy of that build was recorded)."""
    record = index_record()
    seen: set[tuple[str, str]] = set()
    for entry in index_files():
        name, version = entry["file"].split("-")[:2]
        if name == "torch" and entry["index"]:
            seen.add((entry["index"], ".".join(version.split("+")[0].split(".")[:2])))
    for entry in record.get("build_matrix", []):
        seen |= {(entry["index"], r) for r in entry["releases"]}
    for entry in record.get("installed_together", []):
        seen.add((entry["index"], ".".join(entry["torch"].split(".")[:2])))
    for version, backend in record.get("pypi_builds", {}).items():
        if version != "source":
            seen.add((backend, ".".join(str(version).split(".")[:2])))
    return {
        name: [r for r in b.torch if (b.index, r) not in seen]
        for name, b in catalog.backends.items()
        if any((b.index, r) not in seen for r in b.torch)
    }


def unverified_table(catalog: Catalog) -> str:
    notes = unverified(catalog)
    bare = unevidenced(catalog)
    builds = "; ".join(f"`{name}` {_runs(catalog, tuple(releases))}" for name, releases in bare.items())
    lines = [
        f"{len(notes)} catalog facts rest on a single indirect source (catalog.yml `unverified:`); "
        "tests/test_evidence.py checks every other fact the evidence store (evidence/) records.",
        "",
        "| fact | open | settled by |",
        "|---|---|---|",
    ]
    lines += [f"| {what} | {note} | {settle} |" for what, note, settle in notes]
    lines += [
        "",
        f"Builds the stand-in serves on the catalog's word alone ({sum(map(len, bare.values()))} backend x "
        f"release pairs: no file, build-matrix entry or install of them is in evidence/): {builds}. "
        "`nox -s evidence -- --index-url <base>` records them.",
    ]
    return "\n".join(lines)


def tables(catalog: Catalog) -> str:
    return (
        f"{BEGIN}\n<!-- generated from catalog.yml by `python -m uv_torch_template.tasks.docs`; "
        "do not edit -->\n\n"
        f"### Backends\n\n{backend_table(catalog)}\n\n### Torch releases\n\n{release_table(catalog)}\n\n"
        f"### Unverified facts\n\n{unverified_table(catalog)}\n{END}"
    )


def updated(text: str, catalog: Catalog) -> str:
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"README.md has no {BEGIN} ... {END} section")
    return pattern.sub(lambda _: tables(catalog), text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m uv_torch_template.tasks.docs")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    current = README.read_text(encoding="utf-8")
    wanted = updated(current, load())
    if args.check:
        if current != wanted:
            print("README.md's catalog tables are out of date: run python -m uv_torch_template.tasks.docs")
            return 1
        return 0
    README.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
