"""The generative test's long run: many answer sets drawn with a random seed, each judged by
uv_torch_template.harness.judge, every failure class collected with its smallest answer set instead of
stopping at the first (`nox -s explore`, or `python -m uv_torch_template.tasks.explore --help`).
Each accepted set is judged by the project checks and by the independent oracles (detect-secrets,
git, Python's import system, uv: uv_torch_template.checks.oracles), as in the generative test.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from uv_torch_template.harness.judge import examine
from uv_torch_template.harness.render import REPO_ROOT
from uv_torch_template.harness.uvrun import available_pythons


def failure_class(problem: str) -> str:
    """A problem line without what varies between examples: names, numbers, quoted text."""
    check, _, detail = problem.partition(": ")
    lines = detail.splitlines() or [""]
    # The line that says what went wrong, not uv's or ruff's preamble.
    detail = next((line for line in lines if re.search(r"error|Because|[A-Z]+\d{3}", line)), lines[0])
    detail = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", detail)
    detail = re.sub(r"\d+", "N", detail)
    return f"{check}: {detail[:120]}"


def explore(examples: int, seed: int | None, lock: bool, template: Path = REPO_ROOT) -> int:
    import hypothesis
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from uv_torch_template.harness.answer_space import answer_sets
    from uv_torch_template.standin import StandinIndex

    pythons = tuple(available_pythons())
    classes: dict[str, tuple[str, dict[str, Any], bool]] = {}
    counts: dict[str, int] = {}
    verdicts = {"refused": 0, "accepted": 0}
    seconds_by_verdict = {"refused": 0.0, "accepted": 0.0}
    started = time.perf_counter()

    with StandinIndex() as standin, tempfile.TemporaryDirectory(prefix="uvtt-explore-") as root:
        run = 0

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(answers=answer_sets(pythons=pythons), existing=st.booleans())
        def one(answers: dict[str, Any], existing: bool) -> None:
            nonlocal run
            run += 1
            workdir = Path(root) / str(run)
            began = time.perf_counter()
            outcome = examine(
                answers, workdir, standin.url, existing, lock=lock, pythons=pythons, template=template
            )
            seconds_by_verdict[outcome.verdict] += time.perf_counter() - began
            shutil.rmtree(workdir, ignore_errors=True)
            verdicts[outcome.verdict] += 1
            for problem in outcome.problems:
                key = failure_class(problem)
                counts[key] = counts.get(key, 0) + 1
                if key not in classes or len(repr(answers)) < len(repr(classes[key][1])):
                    classes[key] = (problem, answers, existing)
            if run % 10 == 0:
                print(f"{run} examples, {len(classes)} failure classes", file=sys.stderr, flush=True)

        if seed is not None:
            one = hypothesis.seed(seed)(one)
        one()

    seconds = time.perf_counter() - started
    print(
        f"{run} answer sets in {seconds:.0f} s ({seconds / max(run, 1):.1f} s each): "
        f"{verdicts['accepted']} accepted, {verdicts['refused']} refused, {len(classes)} failure classes"
    )
    for verdict, count in verdicts.items():
        if count:
            print(f"  {verdict}: {seconds_by_verdict[verdict] / count:.1f} s each")
    for key in sorted(classes, key=lambda k: -counts[k]):
        problem, answers, existing = classes[key]
        print(f"\n[{counts[key]}x] {key}\n  {problem[:800]}\n  answers = {answers!r}")
        if existing:
            print("  (rendered into an existing folder)")
    return 1 if classes else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=300, help="answer sets to draw (default 300)")
    parser.add_argument("--seed", type=int, default=None, help="a fixed seed (default: random)")
    parser.add_argument("--no-lock", action="store_true", help="skip uv lock (faster, static checks only)")
    parser.add_argument(
        "--template", type=Path, default=REPO_ROOT, help="the template to render (default: this checkout)"
    )
    args = parser.parse_args(argv)
    return explore(args.examples, args.seed, lock=not args.no_lock, template=args.template)


if __name__ == "__main__":
    sys.exit(main())
