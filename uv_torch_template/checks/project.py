"""What a rendered project must hold, checked with the tools its own CI and reviewers use.

check_rendered_project() returns a list of problems, one readable line each, `<check>: <detail>`
(empty: the project holds). It reads the rendered files independently of the template: the
lock's platforms from `[tool.uv] environments`, evaluated against each lock platform's marker
environment; the platform each CI job runs on from the runner labels the workflows name.
"""

from __future__ import annotations

import ast
import itertools
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import yaml
from packaging.markers import InvalidMarker, Marker

from uv_torch_template.catalog import load
from uv_torch_template.checks.lockfile import marker_environment
from uv_torch_template.harness.uvrun import run_uv

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

# GitHub-hosted runner labels and the lock platform each one is; self-hosted runners are the
# user's own machines, whose platform the workflow cannot say.
GITHUB_RUNNERS = {
    "ubuntu-latest": "linux-x86_64",
    "ubuntu-24.04": "linux-x86_64",
    "ubuntu-22.04": "linux-x86_64",
    "ubuntu-24.04-arm": "linux-aarch64",
    "ubuntu-22.04-arm": "linux-aarch64",
    "ubuntu-latest-arm": "linux-aarch64",
    "macos-latest": "macos-arm64",
    "macos-14": "macos-arm64",
    "macos-15": "macos-arm64",
    "windows-latest": "windows-x86_64",
    "windows-2022": "windows-x86_64",
    "windows-2025": "windows-x86_64",
}
# GitLab.com's shared runners, which take every job without tags.
GITLAB_SHARED_RUNNER = "linux-x86_64"
GITLAB_KEYWORDS = {
    "default",
    "include",
    "stages",
    "variables",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
    "pages",
}
# A command that needs the project's lock on the machine it runs on: `uv sync`, `uv run` (not
# `uv run --no-project`), not `uvx` / `uv tool run` and not `uv lock`.
_UV_SYNC_OR_RUN = re.compile(r"(?<![\w-])uv\s+(?:--?\S+\s+)*(sync|run)\b(.*)")


def tool(name: str) -> str:
    """A tool from this repository's dev environment (ruff, check-jsonschema, zizmor)."""
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is not installed: run through `uv run`")
    return found


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=300, check=False, stdin=subprocess.DEVNULL
    )


def _short(text: str, limit: int = 600) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + " ..."


def project_files(project: Path) -> Iterator[Path]:
    for path in sorted(project.rglob("*")):
        if path.is_file() and ".git" not in path.relative_to(project).parts[:1] and ".venv" not in path.parts:
            yield path


# ---------------------------------------------------------------------------------------------
# Each check: the problems it finds.


def parse_problems(project: Path) -> list[str]:
    """Every TOML, YAML and Python file parses."""
    problems = []
    for path in project_files(project):
        name = path.relative_to(project).as_posix()
        if path.name == "uv.lock":
            continue  # uv's own output, checked by uv lock --check
        try:
            text = path.read_text(encoding="utf-8")
            if path.suffix == ".toml":
                tomllib.loads(text)
            elif path.suffix in (".yml", ".yaml"):
                yaml.safe_load(text)
            elif path.suffix == ".py":
                ast.parse(text, filename=name)
        except (
            UnicodeDecodeError,
            tomllib.TOMLDecodeError,
            yaml.YAMLError,
            SyntaxError,
            ValueError,
        ) as error:
            problems.append(f"parse {name}: {type(error).__name__}: {_short(str(error), 300)}")
    return problems


def ruff_problems(project: Path) -> list[str]:
    """ruff check and ruff format --check with the project's own settings, on every file."""
    problems = []
    for command in (["check"], ["format", "--check"]):
        result = _run([tool("ruff"), *command, "--no-cache", "."], project)
        if result.returncode != 0:
            problems.append(f"ruff {' '.join(command)}: {_short(result.stdout + result.stderr)}")
    return problems


def check_jsonschema(schema: str, files: list[str]) -> tuple[int, str]:
    """`check-jsonschema --builtin-schema SCHEMA FILES`, run in this process: the same command,
    without a second or two of interpreter start-up per call."""
    from check_jsonschema.cli.main_command import main
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["--builtin-schema", schema, *files])
    return result.exit_code, result.output


def ci_schema_problems(project: Path) -> list[str]:
    """GitHub workflows pass the schema and zizmor with no findings; .gitlab-ci.yml its schema."""
    problems = []
    workflows = project / ".github" / "workflows"
    files = sorted(str(p) for p in workflows.glob("*.yml")) if workflows.is_dir() else []
    if files:
        code, output = check_jsonschema("vendor.github-workflows", files)
        if code != 0:
            problems.append(f"github workflow schema: {_short(output)}")
        zizmor = _run([tool("zizmor"), "--offline", "--no-progress", str(workflows)], project)
        if zizmor.returncode != 0 or "No findings to report" not in zizmor.stdout:
            problems.append(f"zizmor: {_short(zizmor.stdout + zizmor.stderr)}")
    gitlab = project / ".gitlab-ci.yml"
    if gitlab.is_file():
        code, output = check_jsonschema("vendor.gitlab-ci", [str(gitlab)])
        if code != 0:
            problems.append(f"gitlab-ci schema: {_short(output)}")
    return problems


# Names Windows cannot check out (the project locks for and tests on Windows): reserved device
# names with any extension, characters it forbids, a trailing dot or space.
_WINDOWS_RESERVED = re.compile(r"(?i)(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?")
_WINDOWS_FORBIDDEN = re.compile(r'[<>:"|?*\x00-\x1f\\]|[. ]$')


def portable_name_problems(project: Path) -> list[str]:
    """Every file and folder name can be checked out on Windows, macOS and Linux."""
    problems = []
    for path in sorted(project.rglob("*")):
        name = path.relative_to(project).as_posix()
        if _WINDOWS_RESERVED.fullmatch(path.name) or _WINDOWS_FORBIDDEN.search(path.name):
            problems.append(f"file name not portable: {name} cannot be checked out on Windows")
    return problems


def secret_problems(project: Path, secrets: Iterable[str]) -> list[str]:
    """No file (nor file name) holds a secret, as given, percent-encoded, or percent-encoded in
    part (`%67hp_...` is `ghp_...`: the file is read with its escapes decoded too)."""
    problems = []
    forms = {form for secret in secrets if secret for form in (secret, quote(secret, safe=""))}
    for path in project_files(project):
        name = path.relative_to(project).as_posix()
        data = path.read_bytes()
        decoded = unquote(data.decode("utf-8", errors="replace"))
        for form in sorted(forms):
            if form.encode() in data or form in decoded or form in name:
                problems.append(f"secret written: {name} holds {form!r}")
    return problems


# ---------------------------------------------------------------------------------------------
# Markdown: free text must not add structure (headings, lists, links, HTML, code) to the
# README. Compared with the same project rendered with plain free text: escaped text adds none.

_BLOCK_START = re.compile(
    r" {0,3}(#{1,6}(?=\s|$)|[-+*](?=\s)|\d+[.)](?=\s)|>|```|~~~|<[A-Za-z!/?]|\||={3,}|-{3,})"
)
_ACTIVE = re.compile(r"(?<!\\)(\]\(|\[|<[A-Za-z!/?]|`|!\[)")


def markdown_structure(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """Per line: the block a line starts (heading, list item, quote, fence, HTML, table, rule)
    and the inline constructs it holds (links, images, HTML, code), unescaped ones only."""
    structure = []
    for line in text.splitlines():
        block = _BLOCK_START.match(line)
        structure.append((block.group(1)[:3] if block else "", tuple(_ACTIVE.findall(line))))
    return structure


def markdown_problems(readme: Path, baseline: Path) -> list[str]:
    """README.md has the structure of `baseline` (the same project with plain free text)."""
    if not readme.is_file() or not baseline.is_file():
        return []
    got = markdown_structure(readme.read_text(encoding="utf-8"))
    want = markdown_structure(baseline.read_text(encoding="utf-8"))
    if len(got) != len(want):
        return [f"markdown README.md: {len(got)} lines where plain free text gives {len(want)}"]
    lines = readme.read_text(encoding="utf-8").splitlines()
    return [
        f"markdown README.md:{number}: free text turns the line into {_describe(g)} "
        f"(plain text: {_describe(w)}): {lines[number - 1][:100]!r}"
        for number, (g, w) in enumerate(zip(got, want, strict=True), start=1)
        if g != w
    ]


def _describe(line: tuple[str, tuple[str, ...]]) -> str:
    block, inline = line
    names = {
        "#": "a heading",
        ">": "a quote",
        "|": "a table row",
        "```": "a code fence",
        "~~~": "a code fence",
    }
    if block.startswith("<"):
        said = ["an HTML block"]
    elif block[:1].isdigit() or block in ("-", "+", "*"):
        said = ["a list item"]
    elif block.startswith(("===", "---")):
        said = ["a heading underline or rule"]
    else:
        said = [names.get(block[:1] if block.startswith("#") else block, "a paragraph")]
    kinds = {"[": "a link", "](": "a link", "![": "an image", "`": "code"}
    said += sorted({kinds.get(token, "inline HTML") for token in inline})
    return " with ".join(said[:1]) + (" with " + ", ".join(said[1:]) if said[1:] else "")


# ---------------------------------------------------------------------------------------------
# Which platforms the lock covers, and where each CI job that needs it runs.


def lock_platforms(project: Path) -> set[str]:
    """The lock platforms `[tool.uv] environments` covers (all of them when it is not set)."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    environments = pyproject.get("tool", {}).get("uv", {}).get("environments")
    platforms = set(load().platforms)
    if not environments:
        return platforms
    if isinstance(environments, str):
        environments = [environments]
    floor = re.search(r"(\d+\.\d+)", pyproject.get("project", {}).get("requires-python", ""))
    python = floor.group(1) if floor else load().default_python_version
    covered = set()
    for text in environments:
        try:
            marker = Marker(text)
        except InvalidMarker:
            continue  # uv itself refuses it: the lock check says so
        covered |= {p for p in platforms if marker.evaluate(marker_environment(p, python))}
    return covered


def needs_lock(command: str) -> bool:
    for line in command.splitlines():
        line = line.split("#", 1)[0]
        for match in _UV_SYNC_OR_RUN.finditer(line):
            if match.group(1) == "sync" or "--no-project" not in match.group(2):
                return True
    return False


def load_workflow(path: Path) -> Any:
    """A CI file as data, with GitHub's `on:` under "on"."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and True in data:  # YAML 1.1 reads GitHub's `on:` as True
        data["on"] = data.pop(True)
    return data


def expand_matrix(matrix: Any) -> list[dict[str, Any]]:
    """A job's matrix combinations as GitHub forms them: the product of the matrix's lists, less
    `exclude`, then each `include` entry added to every combination whose original values it
    does not overwrite, or appended as a combination of its own where it fits none."""
    if not isinstance(matrix, dict):
        return [{}]
    lists = {k: v for k, v in matrix.items() if k not in ("include", "exclude") and isinstance(v, list)}
    combos = [dict(zip(lists, values, strict=True)) for values in itertools.product(*lists.values())]
    if not lists:
        combos = []
    for entry in matrix.get("exclude") or []:
        combos = [c for c in combos if not all(c.get(k) == v for k, v in entry.items())]
    for entry in matrix.get("include") or []:
        fits = [c for c in combos if all(c.get(k, v) == v for k, v in entry.items() if k in lists)]
        for combo in fits:
            combo.update({k: v for k, v in entry.items() if k not in lists or combo.get(k) == v})
        if not fits:
            combos.append(dict(entry))
    return combos or [{}]


def _github_runner_sets(job: dict[str, Any]) -> list[list[str]]:
    """The label sets a job runs on, its matrix expanded (`${{ matrix.os }}`)."""
    runs_on = job.get("runs-on")
    labels = runs_on if isinstance(runs_on, list) else [runs_on]
    sets = []
    for row in expand_matrix((job.get("strategy") or {}).get("matrix")):
        expanded = []
        for label in labels:
            text = str(label)
            for key, value in row.items():
                text = re.sub(r"\$\{\{\s*matrix\." + re.escape(str(key)) + r"\s*\}\}", str(value), text)
            expanded.append(text)
        if expanded not in sets:
            sets.append(expanded)
    return sets


def runner_problems(project: Path) -> list[str]:
    """Every CI job that runs `uv sync` / `uv run` runs on a platform the lock covers."""
    problems = []
    covered = lock_platforms(project)
    workflows = project / ".github" / "workflows"
    for path in sorted(workflows.glob("*.yml")) if workflows.is_dir() else []:
        workflow = load_workflow(path)
        for name, job in (workflow.get("jobs") or {}).items():
            commands = "\n".join(str(step.get("run", "")) for step in job.get("steps") or [])
            if not needs_lock(commands):
                continue
            for labels in _github_runner_sets(job):
                if "self-hosted" in labels:
                    continue  # the user's own machine
                known = [GITHUB_RUNNERS[label] for label in labels if label in GITHUB_RUNNERS]
                if not known:
                    problems.append(f"runner {path.name} job {name}: unknown runner {labels}")
                elif known[0] not in covered:
                    problems.append(
                        f"runner {path.name} job {name}: runs uv sync/run on {labels[0]} ({known[0]}), "
                        f"which the lock does not cover (it covers {sorted(covered)})"
                    )
    gitlab = project / ".gitlab-ci.yml"
    if gitlab.is_file():
        pipeline = load_workflow(gitlab) or {}
        default = pipeline.get("default") or {}
        for name, job in pipeline.items():
            if name in GITLAB_KEYWORDS or name.startswith(".") or not isinstance(job, dict):
                continue
            scripts = []
            for key in ("before_script", "script", "after_script"):
                value = job.get(key, default.get(key) if key != "script" else None) or []
                scripts += value if isinstance(value, list) else [value]
            if not needs_lock("\n".join(str(line) for line in scripts)):
                continue
            if job.get("tags", default.get("tags")):
                continue  # the user's own runner
            if GITLAB_SHARED_RUNNER not in covered:
                problems.append(
                    f"runner .gitlab-ci.yml job {name}: runs uv sync/run on shared runners "
                    f"({GITLAB_SHARED_RUNNER}), which the lock does not cover (it covers {sorted(covered)})"
                )
    return problems


def lock_problems(project: Path) -> list[str]:
    """uv lock succeeds (against whatever index the project names) and uv lock --check agrees."""
    locked = run_uv(project, "lock")
    if locked.returncode != 0:
        said = [line for line in locked.output.splitlines() if not line.startswith(("Using ", "Resolved "))]
        return [f"uv lock: {_short(chr(10).join(said))}"]
    check = run_uv(project, "lock", "--check")
    if check.returncode != 0:
        return [f"uv lock --check: {_short(check.output)}"]
    return []


def check_rendered_project(project: Path, secrets: Iterable[str] = (), lock: bool = True) -> list[str]:
    """Every problem of a rendered project, one readable line each; [] when it holds.

    lock: also run uv lock and uv lock --check in the project (its index_url must be reachable).
    A pyproject.toml that does not parse is reported alone: ruff, uv and the lock's platforms
    all read it, and their failures would only repeat it."""
    problems = parse_problems(project)
    problems += secret_problems(project, secrets)
    problems += portable_name_problems(project)
    if any(p.startswith("parse pyproject.toml") for p in problems):
        return problems
    problems += ruff_problems(project)
    problems += ci_schema_problems(project)
    if not any(p.startswith("parse ") for p in problems):
        problems += runner_problems(project)
    if lock:
        problems += lock_problems(project)
    return problems
