"""`nox -s mutants`: does each promise have a test that notices when it is broken?

tests/mutants.yml lists realistic defects, one entry each: a file, an exact text in it, the
replacement, the tests that must catch it and the promise it guards. Each one is applied, alone,
to a scratch copy of this working tree (never to the tree itself), and only its named tests run;
a mutant is killed when one of them fails. The session fails with the list of survivors.

The catalogue cannot rot silently: an entry whose text is not in its file exactly once, or whose
tests do not exist, is an error before anything runs. A mutant that breaks the render of the
reference answer set outright is an error too: any test would catch it, so it proves nothing.
Before the mutants, the union of the named tests runs once unmutated: a test that already fails
would kill every mutant it names.

    python -m uv_torch_template.tasks.mutants              every mutant, two at a time
    python -m uv_torch_template.tasks.mutants --check      validate the catalogue only (texts, tests)
    python -m uv_torch_template.tasks.mutants --only ID    some mutants (repeatable)
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from uv_torch_template.catalog import REPO_ROOT

CATALOGUE = Path("tests") / "mutants.yml"
RESULT = Path("build") / "mutants.json"
REFERENCE_ANSWERS = Path("example-answers.yml")
# Files whose text reaches a rendered project: a mutant there must still render.
RENDER_INPUTS = ("template/", "includes/", "copier.yml", "catalog.yml")
FIELDS = {"id", "promise", "file", "find", "replace", "tests"}
OPTIONAL = {"select", "answers"}


class CatalogueError(ValueError):
    """The catalogue does not describe this tree: a text moved, a file or test went away."""


@dataclass(frozen=True)
class Mutant:
    id: str
    promise: str
    file: str
    find: str
    replace: str
    tests: tuple[str, ...]  # pytest node ids or files
    select: str | None = None  # a -k expression narrowing `tests`
    answers: dict[str, Any] | None = None  # the reference answer set for the render check

    def pytest_args(self) -> list[str]:
        return [*self.tests, *(["-k", self.select] if self.select else [])]


@dataclass
class Outcome:
    id: str
    status: str  # killed, survived, error
    caught_by: str = ""
    seconds: float = 0.0
    detail: str = ""


def load_catalogue(repo: Path, path: Path | None = None) -> list[Mutant]:
    """The entries of the catalogue, each checked against `repo`; CatalogueError lists every
    entry that does not apply."""
    raw = yaml.safe_load((repo / (path or CATALOGUE)).read_text(encoding="utf-8"))
    problems: list[str] = []
    mutants: list[Mutant] = []
    seen: set[str] = set()
    for number, entry in enumerate(raw or [], start=1):
        name = entry.get("id", f"entry {number}") if isinstance(entry, dict) else f"entry {number}"
        if not isinstance(entry, dict) or not set(entry) >= FIELDS or set(entry) - FIELDS - OPTIONAL:
            fields = f"{sorted(FIELDS)} (optional {sorted(OPTIONAL)})"
            problems.append(f"{name}: needs exactly the fields {fields}")
            continue
        if name in seen:
            problems.append(f"{name}: the id is used twice")
        seen.add(name)
        tests = entry["tests"] if isinstance(entry["tests"], list) else [entry["tests"]]
        mutant = Mutant(
            id=name,
            promise=" ".join(str(entry["promise"]).split()),
            file=entry["file"],
            find=entry["find"],
            replace=entry["replace"],
            tests=tuple(tests),
            select=entry.get("select"),
            answers=entry.get("answers"),
        )
        problems += [f"{name}: {problem}" for problem in _problems(repo, mutant)]
        mutants.append(mutant)
    if problems:
        raise CatalogueError("\n".join(problems))
    return mutants


def _problems(repo: Path, mutant: Mutant) -> list[str]:
    target = repo / mutant.file
    if not target.is_file():
        return [f"{mutant.file} does not exist"]
    if mutant.find == mutant.replace:
        return ["the replacement is the text itself"]
    count = target.read_text(encoding="utf-8").count(mutant.find)
    problems = []
    if count != 1:
        where = "not found" if count == 0 else f"found {count} times"
        problems.append(f"the text is {where} in {mutant.file}: {mutant.find!r}")
    for test in mutant.tests:
        if not (repo / test.split("::")[0]).is_file():
            problems.append(f"the test file of {test} does not exist")
    return problems


# ---------------------------------------------------------------------------------------------
# A scratch copy of the working tree


def _tree_files(repo: Path) -> list[str]:
    """Tracked and untracked-but-not-ignored files: what the developer's tests would see."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return sorted({name for name in listed.split("\0") if name and (repo / name).is_file()})


def scratch_copy(repo: Path, destination: Path) -> Path:
    """The working tree, uncommitted changes included, as a fresh git repository: the tests
    render its HEAD plus whatever the mutant changed (Copier renders a dirty tree as it is)."""
    for name in _tree_files(repo):
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(repo / name, target)
    identity = ["-c", "user.name=mutants", "-c", "user.email=mutants@localhost", "-c", "commit.gpgsign=false"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "scratch copy"]):
        subprocess.run(["git", *identity, *command], cwd=destination, check=True, capture_output=True)
    return destination


# ---------------------------------------------------------------------------------------------
# Running


def _start_reference_render(copy: Path, mutant: Mutant) -> subprocess.Popen[str] | None:
    """Render the reference answer set from the mutant's copy, beside its tests; None where the
    mutant's file does not reach a rendered project."""
    if not mutant.file.startswith(RENDER_INPUTS):
        return None
    answers = mutant.answers or yaml.safe_load((copy / REFERENCE_ANSWERS).read_text(encoding="utf-8"))
    program = (
        "import json, sys, tempfile, pathlib\n"
        "from uv_torch_template.harness.render import render\n"
        "with tempfile.TemporaryDirectory() as d:\n"
        "    render(json.loads(sys.argv[1]), pathlib.Path(d) / 'project')\n"
    )
    return subprocess.Popen(
        [sys.executable, "-c", program, json.dumps(answers)],
        cwd=copy,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _render_error(render: subprocess.Popen[str] | None) -> str | None:
    """None when the reference render succeeded, else its last line."""
    if render is None:
        return None
    output, _ = render.communicate()
    if render.returncode == 0:
        return None
    lines = output.strip().splitlines()
    return lines[-1] if lines else f"exit {render.returncode}"


def _pytest(copy: Path, args: list[str], report: Path, workers: int = 0, first_failure: bool = True):
    # -m "": a named test runs even where the default selection leaves it out (slow ones).
    command = [sys.executable, "-m", "pytest", *args, "-q", "-m", "", "-p", "no:randomly", f"-n{workers}"]
    command += [f"--junitxml={report}", "-o", "junit_family=xunit2"]
    if first_failure:
        command.append("-x")
    return subprocess.run(command, cwd=copy, capture_output=True, text=True)


def failed_tests(report: Path) -> list[str]:
    """Node ids of the failed or erroring tests in a JUnit XML report."""
    if not report.exists():
        return []
    failed = []
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            path = case.get("classname", "").replace(".", "/")
            failed.append(f"{path}.py::{case.get('name')}")
    return failed


def run_mutant(copy: Path, mutant: Mutant) -> Outcome:
    started = time.monotonic()
    target = copy / mutant.file
    original = target.read_text(encoding="utf-8")
    if original.count(mutant.find) != 1:  # the validation ran on the source tree, not this copy
        return Outcome(mutant.id, "error", detail="the text is not in the scratch copy exactly once")
    target.write_text(original.replace(mutant.find, mutant.replace), encoding="utf-8")
    try:
        render = _start_reference_render(copy, mutant)
        report = copy / "build" / f"mutant-{mutant.id}.xml"
        report.parent.mkdir(exist_ok=True)
        done = _pytest(copy, mutant.pytest_args(), report)
        broken = _render_error(render)
        seconds = time.monotonic() - started
        if broken is not None:
            detail = f"the reference render fails, so any test would catch it: {broken}"
            return Outcome(mutant.id, "error", seconds=seconds, detail=detail)
        if done.returncode == 0:
            return Outcome(mutant.id, "survived", seconds=seconds)
        if done.returncode == 1:
            caught = failed_tests(report)
            return Outcome(mutant.id, "killed", caught_by=caught[0] if caught else "?", seconds=seconds)
        tail = " | ".join(done.stdout.strip().splitlines()[-3:])
        return Outcome(mutant.id, "error", seconds=seconds, detail=f"pytest exit {done.returncode}: {tail}")
    finally:
        target.write_text(original, encoding="utf-8")


def baseline(copy: Path, mutants: list[Mutant], workers: int) -> list[str]:
    """The named tests, unmutated: the failures (a red test would kill every mutant it names)."""
    args = sorted({test for mutant in mutants for test in mutant.tests})
    report = copy / "build" / "baseline.xml"
    report.parent.mkdir(exist_ok=True)
    done = _pytest(copy, args, report, workers=workers, first_failure=False)
    if done.returncode == 0:
        return []
    return failed_tests(report) or [" | ".join(done.stdout.strip().splitlines()[-3:])]


def uncollected(repo: Path, mutants: list[Mutant]) -> str:
    """pytest's complaint about named tests it cannot find, or "" when it collects them all."""
    args = sorted({test for mutant in mutants for test in mutant.tests})
    command = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "", "-n0", *args]
    done = subprocess.run(command, cwd=repo, capture_output=True, text=True)
    if done.returncode == 0:
        return ""
    output = (done.stdout + done.stderr).splitlines()
    return "\n".join(line for line in output if "ERROR" in line or "not found" in line) or output[-1]


def run_all(repo: Path, mutants: list[Mutant], jobs: int, check_baseline: bool = True) -> list[Outcome]:
    todo: queue.Queue[Mutant] = queue.Queue()
    for mutant in mutants:
        todo.put(mutant)
    outcomes: dict[str, Outcome] = {}
    lock = threading.Lock()
    with tempfile.TemporaryDirectory(prefix="uvtt-mutants-") as scratch:
        copies = [scratch_copy(repo, Path(scratch) / f"copy{n}") for n in range(jobs)]
        if check_baseline:
            red = baseline(copies[0], mutants, workers=jobs)
            if red:
                raise CatalogueError("the named tests fail without any mutant:\n  " + "\n  ".join(red))

        def work(copy: Path) -> None:
            while True:
                try:
                    mutant = todo.get_nowait()
                except queue.Empty:
                    return
                outcome = run_mutant(copy, mutant)
                with lock:
                    outcomes[mutant.id] = outcome
                    print(f"  {outcome.status:8} {mutant.id} ({outcome.seconds:.1f} s)", flush=True)

        threads = [threading.Thread(target=work, args=(copy,)) for copy in copies]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return [outcomes[m.id] for m in mutants]


# ---------------------------------------------------------------------------------------------
# Reporting


def table(outcomes: list[Outcome]) -> str:
    """A Markdown table: mutant, killed?, the test that caught it, time."""
    rows = ["| mutant | killed? | caught by | time |", "|---|---|---|---|"]
    for outcome in outcomes:
        verdict = {"killed": "yes", "survived": "**no**"}.get(outcome.status, f"error: {outcome.detail}")
        rows.append(f"| {outcome.id} | {verdict} | {outcome.caught_by or '-'} | {outcome.seconds:.1f} s |")
    return "\n".join(rows)


@dataclass
class Summary:
    killed: int
    total: int
    seconds: float
    commit: str
    finished: str
    survivors: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        took = f"{self.seconds:.0f} s"
        return f"mutants: {self.killed}/{self.total} killed in {took} (commit {self.commit[:12]})"


def summarise(repo: Path, outcomes: list[Outcome], seconds: float) -> Summary:
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True
    ).stdout.strip()
    return Summary(
        killed=sum(o.status == "killed" for o in outcomes),
        total=len(outcomes),
        seconds=seconds,
        commit=commit or "unknown",
        finished=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        survivors=[o.id for o in outcomes if o.status == "survived"],
        errors=[f"{o.id}: {o.detail}" for o in outcomes if o.status == "error"],
    )


def last_result(repo: Path = REPO_ROOT) -> Summary | None:
    """The summary the last full `nox -s mutants` wrote (for `nox -s bench`), if any."""
    path = repo / RESULT
    if not path.exists():
        return None
    return Summary(**json.loads(path.read_text(encoding="utf-8")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m uv_torch_template.tasks.mutants")
    parser.add_argument("--check", action="store_true", help="validate the catalogue and stop")
    parser.add_argument("--only", action="append", metavar="ID", help="run these mutants only")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--no-baseline", action="store_true", help="skip the unmutated run")
    args = parser.parse_args(argv)

    repo = REPO_ROOT
    try:
        mutants = load_catalogue(repo)
    except CatalogueError as error:
        print(f"{CATALOGUE} does not apply to this tree:\n{error}", file=sys.stderr)
        return 2
    if args.only:
        unknown = set(args.only) - {m.id for m in mutants}
        if unknown:
            print(f"no such mutant: {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        mutants = [m for m in mutants if m.id in args.only]
    if args.check:
        missing = uncollected(repo, mutants)
        if missing:
            print(f"{CATALOGUE} names tests that do not exist:\n{missing}", file=sys.stderr)
            return 2
        print(f"{len(mutants)} mutants, each text found once in its file and each named test collected")
        return 0

    started = time.monotonic()
    print(f"{len(mutants)} mutants, {args.jobs} at a time", flush=True)
    try:
        outcomes = run_all(repo, mutants, max(1, args.jobs), check_baseline=not args.no_baseline)
    except CatalogueError as error:
        print(error, file=sys.stderr)
        return 2
    summary = summarise(repo, outcomes, time.monotonic() - started)
    print()
    print(table(outcomes))
    print()
    print(summary.line())
    if not args.only:  # a partial run is not the tree's result
        (repo / RESULT).parent.mkdir(exist_ok=True)
        (repo / RESULT).write_text(json.dumps(asdict(summary), indent=2) + "\n", encoding="utf-8")
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        with open(summary_file, "a", encoding="utf-8") as out:
            out.write(f"## Mutants\n\n{table(outcomes)}\n\n{summary.line()}\n")
    for name in summary.survivors:
        print(f"SURVIVED: {name}: no named test notices it", file=sys.stderr)
    for line in summary.errors:
        print(f"ERROR: {line}", file=sys.stderr)
    return 0 if summary.killed == summary.total else 1


if __name__ == "__main__":
    sys.exit(main())
