"""Judges of a rendered project that this repository did not write: a real secret scanner
(detect-secrets, every plugin), git, Python's own import system, and uv.

Each returns the problems it finds, one readable line each, as checks/project.py's checks do.
"""

from __future__ import annotations

import functools
import re
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

from uv_torch_template.checks.installed import locked_site, stub_site
from uv_torch_template.harness.uvrun import run_uv

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib


def _files(project: Path) -> list[Path]:
    return [
        path
        for path in sorted(project.rglob("*"))
        if path.is_file() and not {".git", ".venv"} & set(path.relative_to(project).parts)
    ]


def scanner_problems(project: Path, users_text: Iterable[str] = ()) -> list[str]:
    """detect-secrets, with all its plugins and its default filters, finds nothing in any file,
    except what the user typed into a free-text answer themselves (a description that reads
    `password: ...` is theirs to write; nothing the template derives may look like a secret)."""
    from detect_secrets import SecretsCollection
    from detect_secrets.settings import default_settings

    typed = [text for text in users_text if text]
    found = SecretsCollection()
    with default_settings():
        for path in _files(project):
            found.scan_file(str(path))
    problems = []
    for filename, secret in found:
        value = secret.secret_value or ""
        if value and any(value in text for text in typed):
            continue
        name = Path(filename).relative_to(project).as_posix()
        problems.append(f"secret scanner: {secret.type} in {name}:{secret.line_number}")
    return problems


def _git(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL
    )


def git_problems(project: Path) -> list[str]:
    """After `git init && git add -A`, every file under src/ and tests/ is tracked: the rendered
    .gitignore hides none of the project's code. The repository lives outside the project, so
    the project is left as rendered."""
    with tempfile.TemporaryDirectory(prefix="uvtt-git-") as repository:
        tree = ["--git-dir", f"{repository}/.git", "--work-tree", str(project)]
        _git("init", "-q", repository, cwd=project)
        added = _git(*tree, "add", "-A", cwd=project)
        if added.returncode != 0:
            return [f"git add -A: {added.stderr.strip()[:300]}"]
        tracked = set(_git(*tree, "ls-files", "-z", cwd=project).stdout.split("\0"))
    code = [path.relative_to(project).as_posix() for path in _files(project)]
    code = [name for name in code if name.startswith(("src/", "tests/"))]
    return [
        f"git: {name} is not tracked after `git add -A` (.gitignore hides it)"
        for name in code
        if name not in tracked
    ]


@functools.lru_cache(maxsize=8)
def python_for(version: str) -> str | None:
    found = run_uv(Path.cwd(), "python", "find", version, exclude_newer=None)
    return found.output.strip().splitlines()[-1] if found.returncode == 0 else None


# Run as `python -I -S -c IMPORT SITE STUBS PROJECT PACKAGE`: the interpreter's standard library
# first, then what the lock installs, then src/, in the order an editable install has them; then
# again with tests/ in front, as pytest's default (prepend) import mode has it.
IMPORT = """
import importlib, importlib.util, os, sys
site, stubs, project, name = sys.argv[1:]
src = os.path.join(project, "src")
if name in sys.modules:
    sys.exit(f"the interpreter has already loaded a module {name!r}")
expected = os.path.join(src, name, "__init__.py")
for where, path in (("", [site, stubs, src]), (" under pytest", [os.path.join(project, "tests")])):
    sys.path[len(sys.path) if not where else 0 : 0] = path
    spec = importlib.util.find_spec(name)
    origin = spec.origin if spec else None
    if origin != expected:
        sys.exit(f"import {name}{where} finds {origin or 'a built-in or namespace module'}, not src/{name}")
importlib.import_module(name)
"""


def import_problems(project: Path) -> list[str]:
    """`python -c "import <package>"`, with the project's own Python, imports the project's
    package from src/, not a standard-library, built-in, frozen or installed module of the name,
    nor (under pytest) a test module of the name."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    package = pyproject.get("tool", {}).get("uv", {}).get("build-backend", {}).get("module-name")
    floor = re.search(r"\d+\.\d+", pyproject.get("project", {}).get("requires-python", ""))
    python = python_for(floor.group(0)) if floor else None
    site = locked_site()
    if not package or python is None or site is None:
        return []  # nothing to import, or no interpreter here: the lock check reports the Python
    with tempfile.TemporaryDirectory(prefix="uvtt-stubs-") as stubs:
        command = [python, "-I", "-S", "-c", IMPORT, str(site), str(stub_site(Path(stubs))), str(project)]
        result = subprocess.run(
            [*command, package],
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
            cwd=project,
        )
    if result.returncode != 0:
        said = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
        return [f"python import: {said[:300]}"]
    return []


def uv_parse_problems(project: Path) -> list[str]:
    """`uv lock --offline --dry-run` may fail to resolve offline, but never to read pyproject.toml."""
    result = run_uv(project, "lock", "--offline", "--dry-run", timeout=120)
    if re.search(r"Failed to parse|TOML parse error", result.output):
        return [f"uv cannot parse pyproject.toml: {result.output.strip()[:400]}"]
    return []


# The entry-point specification's recommended names; a leading dash would make a flag.
_SCRIPT_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", re.ASCII)


def script_problems(project: Path) -> list[str]:
    """Each console script has a valid name and points at `module:function` in the project's
    own code (Python's own identifier rule for each part)."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    problems = []
    for name, target in pyproject.get("project", {}).get("scripts", {}).items():
        module, _, function = str(target).partition(":")
        if not _SCRIPT_NAME.fullmatch(name):
            problems.append(f"console script name {name!r} is not a valid entry point name")
        if not all(part.isidentifier() for part in [*module.split("."), *function.split(".")]):
            problems.append(f"console script {name!r} points at {target!r}, not module:function")
            continue
        source = project / "src" / Path(*module.split("."))
        if not (source.with_suffix(".py").is_file() or (source / "__init__.py").is_file()):
            problems.append(f"console script {name!r} points at {module}, which src/ does not hold")
    return problems


def independent_problems(project: Path, users_text: Iterable[str] = ()) -> list[str]:
    """Every oracle above; pyproject.toml must parse for the last three."""
    problems = scanner_problems(project, users_text) + git_problems(project)
    problems += uv_parse_problems(project)
    try:
        tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return problems  # the parse check reports it
    return problems + import_problems(project) + script_problems(project)
