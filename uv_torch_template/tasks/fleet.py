"""`nox -s fleet -- <folder or clones...>`: where each of an organisation's projects stands.

For every project (a folder with `.copier-answers.yml`; a folder given that has none is searched
one level down for them; a text file lists clones, one a line) it prints the template release the
project is on and how many releases it is behind, its strategy and backends, and where its answers
or its uv.lock rest on catalog facts that the newest release no longer holds (a retired torch
release, a backend left without a supported release, one gone from the catalog). Exit status 1
when any project is more than one release behind (or cannot be read), else 0.

Releases are read as each project's own update reads them: the template's PEP 440 tags, from its
`_src_path` (or `--template`), by the rendered .github/template_update.py, imported from here so
that the rule is written once.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType

import yaml
from packaging.version import Version

from uv_torch_template.catalog import REPO_ROOT, Catalog, parse
from uv_torch_template.checks.lockfile import Lock

ANSWERS_FILE = ".copier-answers.yml"
UPDATE_SCRIPT = REPO_ROOT / "template" / "{% if ci == 'github' %}.github{% endif %}" / "template_update.py"
# More releases behind than this fails the run.
ALLOWED_BEHIND = 1


@cache
def template_update() -> ModuleType:
    spec = importlib.util.spec_from_file_location("template_update", UPDATE_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class Releases:
    """A template's releases, newest last, and the catalog of the newest."""

    source: str
    tags: dict[Version, str]
    catalog: Catalog | None

    @property
    def newest(self) -> str | None:
        return self.tags[max(self.tags)] if self.tags else None

    def behind(self, recorded: str) -> int | None:
        version = template_update().parse_version(recorded)
        if version is None or not self.tags:
            return None
        return sum(1 for release in self.tags if release > version)


@cache
def releases_of(source: str) -> Releases:
    update = template_update()
    tags = update.release_tags(source)
    catalog = None
    if tags:
        text = update.file_at_release(source, tags[max(tags)], "catalog.yml")
        catalog = parse(yaml.safe_load(text)) if text else None
    return Releases(source, tags, catalog)


@dataclass
class Standing:
    project: Path
    recorded: str = "?"
    newest: str | None = None
    behind: int | None = None
    strategy: str = "?"
    backends: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    problem: str | None = None

    @property
    def fails(self) -> bool:
        return self.problem is not None or (self.behind or 0) > ALLOWED_BEHIND


def locked_torch_releases(project: Path) -> set[str]:
    """The torch releases (`2.6`) the project's uv.lock holds, whatever their local label."""
    lock_file = project / "uv.lock"
    if not lock_file.is_file():
        return set()
    lock = Lock.load(lock_file)
    versions = {
        str(p["version"]).split("+")[0] for p in lock.packages if p["name"] == "torch" and "version" in p
    }
    return {".".join(v.split(".")[:2]) for v in versions}


def facts_behind(answers: dict, catalog: Catalog, newest: str, project: Path) -> list[str]:
    """The project's answers and lock against the newest release's catalog."""
    facts = []
    releases = {release.torch: release for release in catalog.releases}
    floor = str(answers.get("torch_version", ""))
    if floor and floor not in releases:
        facts.append(f"torch_version {floor} is gone from the catalog of {newest}")
    elif floor and releases[floor].retired:
        facts.append(f"torch_version {floor} is retired in {newest} ({releases[floor].retired})")
    for torch in sorted(locked_torch_releases(project)):
        if torch in releases and releases[torch].retired:
            facts.append(f"uv.lock still locks torch {torch}, retired in {newest}")
    for backend in answers.get("backends") or []:
        if backend not in catalog.backends:
            facts.append(f"backend {backend} is gone from the catalog of {newest}")
        elif not [t for t in catalog.backends[backend].torch if t in releases and not releases[t].retired]:
            facts.append(f"backend {backend} has no supported torch release in {newest}")
    return facts


def standing(project: Path, template: str | None) -> Standing:
    answers_file = project / ANSWERS_FILE
    result = Standing(project)
    try:
        answers = yaml.safe_load(answers_file.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        result.problem = f"cannot read {ANSWERS_FILE}: {error}"
        return result
    result.recorded = str(answers.get("_commit", "?"))
    result.strategy = str(answers.get("strategy", "?"))
    result.backends = [str(b) for b in answers.get("backends") or []]
    source = template or str(answers.get("_src_path", ""))
    why_not = template_update().local_source_missing(source)
    if why_not:
        result.problem = why_not
        return result
    try:
        releases = releases_of(source)
    except template_update().Stop as stop:  # git could not read the template
        result.problem = str(stop).strip().splitlines()[-1]
        return result
    result.newest, result.behind = releases.newest, releases.behind(result.recorded)
    if releases.catalog is not None and releases.newest:
        result.facts = facts_behind(answers, releases.catalog, releases.newest, project)
    return result


def projects_in(paths: Iterable[Path]) -> list[Path]:
    """The projects named, those one level inside a folder that is not one itself, and those a
    text file lists (one path a line, relative to the file; `#` starts a comment)."""
    found = []
    for path in paths:
        if path.is_file():
            lines = [line.split("#", 1)[0].strip() for line in path.read_text().splitlines()]
            found.extend(projects_in(path.parent / line for line in lines if line))
        elif (path / ANSWERS_FILE).is_file() or not path.is_dir():
            found.append(path)
        else:
            found.extend(sorted(child for child in path.iterdir() if (child / ANSWERS_FILE).is_file()))
    return found


def report(standings: list[Standing]) -> str:
    header = ("project", "template", "behind", "strategy", "backends", "catalog facts behind")
    rows = [header]
    for s in standings:
        behind = "?" if s.behind is None else str(s.behind)
        if s.newest and s.behind is not None:
            behind += f" (newest {s.newest})"
        facts = "; ".join(s.facts) or ("-" if s.problem is None else f"UNREADABLE: {s.problem}")
        rows.append((s.project.name, s.recorded, behind, s.strategy, ", ".join(s.backends) or "-", facts))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1]
        for row in rows
    ]
    failing = [s.project.name for s in standings if s.fails]
    behind = [s for s in standings if s.behind]
    lines.append("")
    lines.append(
        f"{len(standings)} projects; {len(behind)} behind the newest release; "
        + (
            f"{len(failing)} more than {ALLOWED_BEHIND} release behind or unreadable: {', '.join(failing)}"
            if failing
            else f"none more than {ALLOWED_BEHIND} release behind"
        )
    )
    return "\n".join(line.rstrip() for line in lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nox -s fleet --", description=__doc__.splitlines()[0])
    parser.add_argument(
        "paths", nargs="+", type=Path, help="project clones, folders holding them, or files listing them"
    )
    parser.add_argument(
        "--template", help="the template's git URL or path (default: each project's _src_path)"
    )
    args = parser.parse_args(argv)
    projects = projects_in(args.paths)
    if not projects:
        print(f"no project with {ANSWERS_FILE} in {', '.join(map(str, args.paths))}", file=sys.stderr)
        return 2
    standings = [standing(project.resolve(), args.template) for project in projects]
    print(report(standings))
    return 1 if any(s.fails for s in standings) else 0


if __name__ == "__main__":
    sys.exit(main())
