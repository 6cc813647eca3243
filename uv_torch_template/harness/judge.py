"""One answer set, judged: refused cleanly, or accepted and the rendered project holds.

    examine(answers, workdir, standin_url) -> Outcome

is what tests/test_generative.py asserts on for each drawn answer set, and what
`python -m uv_torch_template.tasks.explore` (`nox -s explore`) runs over many of them.
"""

from __future__ import annotations

import hashlib
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from uv_torch_template.catalog import load
from uv_torch_template.checks.oracles import independent_problems
from uv_torch_template.checks.project import check_rendered_project, lock_problems, markdown_problems
from uv_torch_template.harness.answer_space import lock_twin_url, resolve, secrets_in
from uv_torch_template.harness.questions import copier_default
from uv_torch_template.harness.render import REPO_ROOT, render
from uv_torch_template.harness.uvrun import available_pythons

# The questions of copier.yml and the hidden answers a --data can still name: a refusal names one.
QUESTIONS = (
    "project_name",
    "package_name",
    "description",
    "author_name",
    "author_email",
    "python_version",
    "torch_version",
    "strategy",
    "backends",
    "torch_packages",
    "lock_platforms",
    "index_url",
    "ci",
    "catalog_document",
    "catalog",
    "plan",
)
DEFAULT_PYTHON = load().default_python_version
DEFAULT_INDEX_URL = copier_default("index_url")
SENTINEL = "notes.txt"


@dataclass
class Outcome:
    verdict: str  # "refused" or "accepted"
    message: str = ""  # copier's refusal
    problems: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)  # what could not be checked here, and why

    def report(self) -> str:
        lines = [f"{self.verdict}{': ' + self.message if self.message else ''}"]
        lines += [f"  - {problem}" for problem in self.problems]
        lines += [f"  (not checked: {note})" for note in self.unchecked]
        return "\n".join(lines)


def snapshot(folder: Path) -> dict[str, str] | None:
    """Every file under a folder and a hash of its bytes; None when the folder does not exist."""
    if not folder.exists():
        return None
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    } | {path.relative_to(folder).as_posix() + "/": "" for path in folder.rglob("*") if path.is_dir()}


def _render(answers: dict[str, Any], destination: Path, template: Path) -> Exception | None:
    try:
        render(answers, destination, template=template)
    except Exception as error:  # judged by the caller: a refusal or a crash
        return error
    return None


def _refusal_problems(error: Exception, before: dict[str, str] | None, destination: Path) -> list[str]:
    problems = []
    message = str(error)
    if not isinstance(error, ValueError) and type(error).__module__.split(".")[0] != "copier":
        where = traceback.extract_tb(error.__traceback__)[-1]
        problems.append(
            f"crash: {type(error).__name__}: {message[:300]} (at {Path(where.filename).name}:{where.lineno})"
        )
    elif not any(f"'{question}'" in message for question in QUESTIONS):
        problems.append(f"refusal names no question: {type(error).__name__}: {message[:300]}")
    after = snapshot(destination)
    if after != before:
        written = sorted(set(after or {}) - set(before or {}))
        changed = sorted(k for k in set(after or {}) & set(before or {}) if after[k] != before[k])
        problems.append(f"refusal wrote files: added {written[:5]}, changed {changed[:5]}")
    return problems


# Free text the user typed: theirs to write, even where a secret scanner finds it secret-like.
USERS_TEXT = ("project_name", "description", "author_name", "author_email")
FREE_TEXT = {
    "description": "A plain description",
    "author_name": "Jane Doe",
    "author_email": "jane@example.org",
}
_MARKDOWN_ACTIVE = re.compile(r"[\[<`]|^\s*(#|[-+*>|=~]|\d+[.)])")


def _markdown_problems(resolved: dict[str, Any], project: Path, baseline: Path, template: Path) -> list[str]:
    """Free text that Markdown could read as structure must not add any to README.md: compared
    with the same answers, plain free text (rendered only when some text could matter)."""
    plain = {name: text for name, text in FREE_TEXT.items() if name in resolved}
    if not any(_MARKDOWN_ACTIVE.search(str(resolved[name])) for name in plain):
        return []
    if _render({**resolved, **plain}, baseline, template) is not None:
        return []  # the plain twin refused: nothing to compare with
    return markdown_problems(project / "README.md", baseline / "README.md")


def examine(
    answers: dict[str, Any],
    workdir: Path,
    standin_url: str,
    existing_destination: bool = False,
    lock: bool = True,
    pythons: tuple[str, ...] | None = None,
    fail_fast: bool = False,
    template: Path = REPO_ROOT,
) -> Outcome:
    """Render `answers` (STANDIN_HOST in index_url put to the stand-in's host) and judge it.

    existing_destination: render into a folder that already holds a file, as `copier copy` into
    an existing checkout does; a refusal must leave it byte for byte as it was.
    fail_fast: skip the lock when the static checks already found problems (what a test that
    shrinks a failing example wants: each step costs less).
    """
    resolved = resolve(answers, urlsplit(standin_url).netloc)
    destination = workdir / "project"
    if existing_destination:
        destination.mkdir(parents=True)
        (destination / SENTINEL).write_text("kept by the user\n", encoding="utf-8")
    before = snapshot(destination)
    error = _render(resolved, destination, template)
    if error is not None:
        return Outcome(
            "refused", f"{type(error).__name__}: {error}", _refusal_problems(error, before, destination)
        )

    outcome = Outcome("accepted")
    secrets = secrets_in(resolved.get("index_url"))
    outcome.problems += check_rendered_project(destination, secrets, lock=False)
    typed = [str(resolved[name]) for name in USERS_TEXT if name in resolved]
    if isinstance(resolved.get("index_url"), str):  # the mirror's host: an address, not a secret
        typed.append(urlsplit(resolved["index_url"]).hostname or "")
    outcome.problems += independent_problems(destination, typed)
    outcome.problems += _markdown_problems(resolved, destination, workdir / "plain-text", template)
    if not lock or (fail_fast and outcome.problems):
        return outcome
    if any(problem.startswith("parse pyproject.toml") for problem in outcome.problems):
        return outcome  # uv cannot read it either: the lock would only repeat the problem

    python = resolved.get("python_version", DEFAULT_PYTHON)
    if python not in (pythons or tuple(available_pythons())):
        outcome.unchecked.append(f"uv lock: no Python {python} on this machine")
        return outcome
    # Lock against the stand-in: the same project when the URL already points there, else a twin
    # rendered with the URL's shape on the stand-in.
    drawn_url = resolved.get("index_url", DEFAULT_INDEX_URL)
    twin_url = lock_twin_url(drawn_url, standin_url) if isinstance(drawn_url, str) else standin_url
    locked = destination
    strategy = load().strategies.get(resolved.get("strategy"))
    needs_index = strategy is not None and strategy.uses_index  # PyPI's torch: no PyTorch index
    if needs_index and (twin_url != drawn_url or "index_url" not in resolved):
        locked = workdir / "lock-twin"
        twin_error = _render({**resolved, "index_url": twin_url}, locked, template)
        if twin_error is not None:
            outcome.problems.append(
                f"lock twin refused: index_url {twin_url!r} (the drawn URL's shape on the stand-in) "
                f"is refused while {drawn_url!r} was accepted: {twin_error}"
            )
            return outcome
    outcome.problems += lock_problems(locked)
    return outcome
