"""Where one `copier copy` spends its time: the breakdown `nox -s bench -- --render-only` prints.

Copier offers no hooks for this, so `measured()` wraps the few functions the time goes through
(Jinja's compile, PyYAML's loads, Copier's git commands) for the length of one render and puts
each back afterwards. Only the outermost of nested calls counts, so no second is counted twice.
The wrapped names are Copier's and Jinja's internals: tests/test_render_cost.py fails if an
upgrade renames one.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import copier._template
import jinja2
import plumbum.commands.base
import yaml

from uv_torch_template.harness.render import render

PARTS = (
    "YAML: copier.yml with its !includes",
    "YAML: answers and choices",
    "Jinja compile: includes/",
    "Jinja compile: the rendered files' templates",
    "Jinja compile: question strings, choices, Copier's own",
    "git commands",
)
REST = "the rest: Copier's own work, template execution, writes"


@contextlib.contextmanager
def measured(seconds: Counter[str]) -> Iterator[None]:
    """While open, add each wrapped call's wall time to `seconds` under its part of PARTS."""
    depth = 0

    def timed(function: Callable[..., Any], part_of: Callable[..., str]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            nonlocal depth
            if depth:
                return function(*args, **kwargs)
            depth += 1
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                seconds[part_of(*args, **kwargs)] += time.perf_counter() - started
                depth -= 1

        return wrapper

    def compile_part(_env: Any, _source: Any, name: str | None = None, *_: Any, **__: Any) -> str:
        if name is None:  # from_string: a question's string, a choice, a path
            return PARTS[4]
        return PARTS[2] if name.startswith("includes/") else PARTS[3]

    wrapped = [
        (copier._template, "load_template_config", lambda *_, **__: PARTS[0]),
        (yaml, "safe_load", lambda *_, **__: PARTS[1]),
        (jinja2.Environment, "compile", compile_part),
        (plumbum.commands.base.BaseCommand, "run", lambda *_, **__: PARTS[5]),
    ]
    originals = [(owner, name, getattr(owner, name)) for owner, name, _ in wrapped]
    try:
        for (owner, name, part_of), (_, _, original) in zip(wrapped, originals, strict=True):
            setattr(owner, name, timed(original, part_of))
        yield
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)


def breakdown(template: Path, answers: dict[str, object], destination: Path, runs: int) -> dict[str, float]:
    """Mean seconds per part over `runs` renders inside this process, REST and "total" included.
    Each render gets a new folder under `destination`, as a user's `copier copy` does."""
    seconds: Counter[str] = Counter()
    destination.mkdir(parents=True)  # a new folder: rendering over an earlier project reads its answers
    render(answers, destination / "warm-up", template=template)  # imports and caches, as in any later run
    with measured(seconds):
        for run in range(runs):
            started = time.perf_counter()
            render(answers, destination / str(run), template=template)
            seconds["total"] += time.perf_counter() - started
    parts = {part: seconds[part] / runs for part in PARTS}
    parts[REST] = seconds["total"] / runs - sum(parts.values())
    parts["total"] = seconds["total"] / runs
    return parts


def breakdown_table(ours: dict[str, float], theirs: dict[str, float]) -> list[str]:
    """Markdown rows: each part in milliseconds for both templates, and the difference."""
    rows = ["| | 4-backend ms | one-question ms | difference ms |", "|---|---:|---:|---:|"]
    for part in (*PARTS, REST, "total"):
        mine, other = ours[part] * 1000, theirs[part] * 1000
        rows.append(f"| {part} | {mine:.0f} | {other:.0f} | {mine - other:.0f} |")
    return rows
