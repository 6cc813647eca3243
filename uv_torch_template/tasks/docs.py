"""The catalog's tables in README.md, generated so that the docs cannot drift from the data.

python -m uv_torch_template.tasks.docs          rewrite the tables in README.md
python -m uv_torch_template.tasks.docs --check  exit 1 if README.md is out of date (a test runs this)
"""

from __future__ import annotations

import argparse
import re
import sys

from uv_torch_template.catalog import REPO_ROOT, Catalog, load

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
        tritons = ", ".join(f"{c.package} {c.version}" for c in r.companions.values())
        note = f" (unverified: {r.unverified})" if r.unverified else ""
        lines.append(
            f"| {' / '.join(p.version for p in reversed(r.builds))} "
            f"| {' / '.join(p.torchvision or '-' for p in reversed(r.builds))} "
            f"| {' / '.join(p.torchaudio or '-' for p in reversed(r.builds))} "
            f"| {r.python[0]}-{r.python[-1]} | {backends} | {tritons}{note} |"
        )
    return "\n".join(lines)


def tables(catalog: Catalog) -> str:
    return (
        f"{BEGIN}\n<!-- generated from catalog.yml by `python -m uv_torch_template.tasks.docs`; "
        "do not edit -->\n\n"
        f"### Backends\n\n{backend_table(catalog)}\n\n### Torch releases\n\n{release_table(catalog)}\n{END}"
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
