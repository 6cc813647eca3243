"""The work behind `nox -s render`, `nox -s lock` and `nox -s bench`.

noxfile.py only prepares environments and calls `python -m uv_torch_template.tasks.sessions ...`;
the logic lives here, where the test suite can run it against the stand-in too.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

from uv_torch_template.catalog import REPO_ROOT, load
from uv_torch_template.checks.lock_check import Disagreement, check_lock, lock_failed
from uv_torch_template.checks.lockfile import Lock
from uv_torch_template.checks.survey import survey
from uv_torch_template.expectations.answer_sets import ANSWER_SETS
from uv_torch_template.expectations.matrix import Combo, growth_series, runnable_lock_matrix
from uv_torch_template.harness.questions import copier_default
from uv_torch_template.harness.render import render, render_afresh
from uv_torch_template.harness.uvrun import EXCLUDE_NEWER, run_uv
from uv_torch_template.tasks.mutants import last_result
from uv_torch_template.tasks.render_cost import breakdown, breakdown_table

DEFAULT_INDEX_URL = copier_default("index_url")
PYPI_SIMPLE = "https://pypi.org/simple"
REACH_TIMEOUT_S = 10


# --------------------------------------------------------------------------------------------
# Where the PyTorch indexes are: the real ones, a mirror, or the stand-in.


class Unreachable(RuntimeError):
    pass


def check_reachable(index_url: str, timeout: float = REACH_TIMEOUT_S) -> None:
    """Fail fast, naming the host, instead of letting dozens of uv processes retry for minutes."""
    host = urlsplit(index_url).hostname or index_url
    probe = f"{index_url.rstrip('/')}/cpu/torch/"
    try:
        with urlopen(Request(probe, method="HEAD"), timeout=timeout):
            return
    except HTTPError as error:  # the host answered: reachable, even if it dislikes HEAD
        if error.code < 500:
            return
        reason = f"HTTP {error.code}"
    except (TimeoutError, URLError, OSError) as error:
        reason = str(getattr(error, "reason", error))
    raise Unreachable(
        f"cannot reach {host} ({reason}) at {probe}.\n"
        f"Pass --index-url URL to lock against a mirror, or --standin to use the offline stand-in."
    )


@contextlib.contextmanager
def index_location(index_url: str | None, standin: bool) -> Iterator[tuple[str, bool]]:
    """Yield (base URL, is_standin)."""
    if standin:
        from uv_torch_template.standin import StandinIndex

        with StandinIndex() as index:
            yield index.url, True
    else:
        yield (index_url or DEFAULT_INDEX_URL).rstrip("/"), False


# --------------------------------------------------------------------------------------------
# render / lock


def render_all(out: Path, index_url: str, combos: list[Combo] | None = None) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    rendered = []
    for combo in combos or runnable_lock_matrix(exhaustive=True):
        rendered.append(render_afresh(combo.answers(index_url=index_url), out / combo.id))
    return rendered


@dataclass
class LockOutcome:
    combo: Combo
    ok: bool
    seconds: float
    builds: str
    disagreements: list[Disagreement] = field(default_factory=list)


def linux_builds(project: Path, combo: Combo) -> str:
    """What each extra (or the project) resolves to on linux-x86_64, from the lock."""
    if "linux-x86_64" not in combo.lock_platforms:
        return "-"
    lock = Lock.load(project / "uv.lock")
    extras = list(lock.root.get("optional-dependencies", {})) or [None]
    shown = []
    for extra in extras:
        torch = lock.installed(extra, "linux-x86_64", combo.python_version).get("torch")
        if torch is not None:
            shown.append(f"{extra + '=' if extra else ''}{torch.version}")
    return " ".join(shown) or "-"


# Copier changes the process's working directory while it runs git: one render at a time, and
# only the uv locks (subprocesses with their own cwd) in parallel.
_RENDERING = threading.Lock()


def lock_one(combo: Combo, out: Path, index_url: str, exclude_newer: str | None) -> LockOutcome:
    """Render, lock and check one answer set with the same oracle the test suite uses."""
    catalog = load()
    project = out / combo.id
    try:
        with _RENDERING:
            render_afresh(combo.answers(index_url=index_url), project)
        result = run_uv(
            project,
            "lock",
            exclude_newer=exclude_newer,
            extra_env={"UV_HTTP_TIMEOUT": "30", "UV_HTTP_RETRIES": "1"},
        )
    except Exception as error:  # a failed render is a failed combination, reported, not a crash
        return LockOutcome(
            combo, False, 0.0, "-", lock_failed(catalog, combo, f"{type(error).__name__}: {error}")
        )
    if result.returncode != 0:
        last = (
            result.output.strip().splitlines()[-1] if result.output.strip() else f"exit {result.returncode}"
        )
        return LockOutcome(combo, False, result.seconds, "-", lock_failed(catalog, combo, last))
    disagreements = check_lock(catalog, Lock.load(project / "uv.lock"), combo, index_url)
    return LockOutcome(combo, not disagreements, result.seconds, linux_builds(project, combo), disagreements)


def lock_all(
    out: Path, index_url: str, exclude_newer: str | None, jobs: int, combos: list[Combo]
) -> list[LockOutcome]:
    out.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(lambda c: lock_one(c, out, index_url, exclude_newer), combos))


def print_table(outcomes: list[LockOutcome]) -> None:
    width = max((len(o.combo.id) for o in outcomes), default=10)
    print(f"{'combination':<{width}}  result  seconds  torch on linux-x86_64")
    for o in outcomes:
        print(f"{o.combo.id:<{width}}  {'ok' if o.ok else 'FAILED':<6}  {o.seconds:7.1f}  {o.builds}")
    facts = disagreements_of(outcomes)
    if facts:
        print(f"\n{len(facts)} catalog fact(s) the locks contradict:")
        for line in facts:
            print(f"  {line}")
    print(f"locked and checked {sum(o.ok for o in outcomes)} of {len(outcomes)} combinations")


def disagreements_of(outcomes: list[LockOutcome]) -> list[str]:
    """Each contradicted fact once (several answer sets often hit the same one), sorted."""
    seen: dict[tuple[str, ...], Disagreement] = {}
    for outcome in outcomes:
        for d in outcome.disagreements:
            seen.setdefault((d.backend, d.release, d.platform, d.fact, d.expected, d.found), d)
    return sorted(str(d) for d in seen.values())


def write_summary(title: str, lines: list[str], ok_line: str) -> None:
    """GitHub Actions: drift named in the job summary (one job per backend)."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as summary:
        summary.write(f"### {title}\n\n")
        summary.write("".join(f"- `{line}`\n" for line in lines) if lines else f"{ok_line}\n")
        summary.write("\n")


# --------------------------------------------------------------------------------------------
# survey


def run_survey(
    index_url: str, backend: str | None = None, write: bool = False, only_new: bool = False
) -> int:
    """Print every drift, one line per fact; exit 1 on drift, 0 with "no drift"."""
    drifts = survey(index_url, backend=backend, only_new=only_new)
    for drift in drifts:
        print(drift)
    if write and drifts:
        from uv_torch_template.catalog.writer import write_drifts

        changed = write_drifts(drifts, index_url)
        print(f"catalog.yml: {changed} fact(s) updated; review the diff and its provenance comments")
    if not drifts:
        print("no drift")
    write_summary(
        f"survey{f' {backend}' if backend else ' of new backends' if only_new else ''} of {index_url}",
        [str(d) for d in drifts],
        "no drift",
    )
    return 1 if drifts else 0


def run_survey_pypi(simple_url: str, write: bool = False) -> int:
    """Print every catalog fact PyPI contradicts; --write refreshes evidence/pypi from what was
    read and writes the facts PyPI alone settles (upload dates, pairings) into catalog.yml."""
    from uv_torch_template.checks.survey_pypi import read_pypi, survey_pypi
    from uv_torch_template.evidence.record import write_records
    from uv_torch_template.standin.facts import load as load_facts

    records = read_pypi(simple_url)
    found = survey_pypi(load_facts(), simple_url, records=records)
    for contradiction in found:
        print(contradiction)
    if write:
        for path in write_records(records, simple_url):
            print(f"{path}: refreshed")
        settled = [c.write for c in found if c.write]
        if settled:
            from uv_torch_template.catalog.writer import write_settled

            changed = write_settled(settled, simple_url)
            print(f"catalog.yml: {changed} fact(s) updated; review the diff and its provenance comments")
    if not found:
        print("no contradiction")
    write_summary(f"survey of {simple_url}", [str(c) for c in found], "no contradiction")
    return 1 if found else 0


# --------------------------------------------------------------------------------------------
# bench


def _median_seconds(action, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


# The baseline a render is measured against: Copier itself, on a template of one question and one
# file, rendered the same way (a git checkout at HEAD), so that the machine's speed cancels out.
TRIVIAL_TEMPLATE = {
    "copier.yml": "name:\n  type: str\n  default: world\n",
    "hello.txt.jinja": "Hello {{ name }}\n",
}
RENDER_RATIO_TARGET = 1.5
RENDER_PAIRS = 11  # this machine's neighbours move a single pair by 0.1 either way


def committed_template(folder: Path, files: dict[str, bytes]) -> Path:
    """`files` committed as the one commit of a new git repository in `folder`, its objects packed
    as in any clone: Copier checks a template out of a mirror or a clone, and reading ~180 loose
    objects instead of one pack would time git (about 0.07 s here), not the template."""
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "template"], ["gc", "-q"]):
        git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org", *command]
        subprocess.run(git, cwd=folder, check=True, capture_output=True)
    return folder


def trivial_template(folder: Path) -> Path:
    """A one-question Copier template, committed in its own git repository."""
    return committed_template(folder, {name: text.encode() for name, text in TRIVIAL_TEMPLATE.items()})


def template_snapshot(folder: Path) -> Path:
    """This template's working tree (uncommitted changes included) as a one-commit repository,
    as Copier meets a template cloned from its host. Copier clones a local template with git's
    hardlinks of every loose object, so rendering the checkout itself would time the developer's
    object store (a worktree of a busy repository: seconds) instead of the template."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    paths = [REPO_ROOT / name for name in listed.split("\0") if name]
    return committed_template(
        folder, {str(path.relative_to(REPO_ROOT)): path.read_bytes() for path in paths if path.is_file()}
    )


def copier_copy(template: Path, destination: Path, answers: dict[str, object]) -> tuple[float, float]:
    """Seconds of `copier copy --defaults` run as a user runs it: a command of its own, so that
    Python's start and Copier's import count as they do for them (the issue's 0.77 s baseline).
    Wall time, and CPU time (user + system, Copier's and its git's): this machine's disk and its
    neighbours move the wall time from run to run, the CPU time much less."""
    shutil.rmtree(destination, ignore_errors=True)
    data = destination.with_suffix(".answers.json")
    data.write_text(json.dumps(answers))  # JSON is YAML: Copier's --data-file reads it
    command = [sys.executable, "-m", "copier", "copy", "--defaults", "--quiet", "--vcs-ref", "HEAD"]
    before, started = os.times(), time.perf_counter()
    subprocess.run([*command, "--data-file", str(data), str(template), str(destination)], check=True)
    wall, after = time.perf_counter() - started, os.times()
    # os.times() counts waited-for children, git's included (Windows reports none).
    cpu = after.children_user + after.children_system - before.children_user - before.children_system
    return wall, cpu


@dataclass
class RenderTimes:
    """Medians, in seconds, of the 4-backend project and of the one-question template."""

    command: tuple[float, float]  # `copier copy`, the command: what the target is set on
    cpu: tuple[float, float]  # the same commands' CPU time
    pair_ratios: list[float]  # ours / theirs within each alternating pair, in wall time

    @property
    def ratio(self) -> float:
        return self.command[0] / self.command[1]


def render_times(
    work: Path, template: Path, project: dict[str, object], trivial: Path, pairs: int
) -> RenderTimes:
    """`copier copy` of `project` from `template` and of the one-question `trivial`, rendered in
    alternation (`pairs` of each), so that both see the same machine; which of the two goes first
    alternates too."""
    ours_runs, theirs_runs = [], []
    for pair in range(pairs):
        runs = [
            (ours_runs, template, work / "render", project),
            (theirs_runs, trivial, work / "render-trivial", {}),
        ]
        for samples, source, destination, answers in runs if pair % 2 == 0 else runs[::-1]:
            samples.append(copier_copy(source, destination, answers))

    def median(runs: list[tuple[float, float]], which: int) -> float:
        return statistics.median(run[which] for run in runs)

    return RenderTimes(
        command=(median(ours_runs, 0), median(theirs_runs, 0)),
        cpu=(median(ours_runs, 1), median(theirs_runs, 1)),
        pair_ratios=sorted(ours[0] / theirs[0] for ours, theirs in zip(ours_runs, theirs_runs, strict=True)),
    )


def bench(index_url: str, repeats: int, render_only: bool = False) -> bool:
    catalog = load()
    work = Path(tempfile.mkdtemp(prefix="uvtt-bench-"))
    targets_met = True
    try:
        combo = Combo(catalog.strategy_where(extras=True), ("cpu", "cu130"), "2.13")
        pairs = max(repeats, RENDER_PAIRS)
        project = ANSWER_SETS["extras-4"].answers(index_url=index_url)
        template = template_snapshot(work / "template")
        one_question = trivial_template(work / "trivial-template")
        times = render_times(work, template, project, one_question, pairs=pairs)
        (ours, trivial), (ours_cpu, trivial_cpu), spread = times.command, times.cpu, times.pair_ratios
        ours_parts = breakdown(template, project, work / "parts-ours", runs=5)
        trivial_parts = breakdown(one_question, {}, work / "parts-trivial", runs=5)
        ours_in, trivial_in = ours_parts["total"], trivial_parts["total"]
        print(
            f"(a) `copier copy` of the 4-backend extras project {ours:.2f} s, of a one-question template "
            f"{trivial:.2f} s (medians of {pairs} alternating pairs): "
            f"ratio {times.ratio:.2f}  (target <= {RENDER_RATIO_TARGET})\n"
            f"    pair by pair: {spread[0]:.2f} to {spread[-1]:.2f}, quartiles "
            f"{spread[len(spread) // 4]:.2f} and {spread[(3 * len(spread)) // 4]:.2f}\n"
            f"    CPU time (Copier and its git): {ours_cpu:.2f} s / {trivial_cpu:.2f} s = "
            f"{ours_cpu / trivial_cpu:.2f}\n"
            f"    inside one process, without Python's start and Copier's import: {ours_in:.2f} s / "
            f"{trivial_in:.2f} s = {ours_in / trivial_in:.2f}, of which (mean of 5 renders each):"
        )
        targets_met &= times.ratio <= RENDER_RATIO_TARGET
        print("\n".join("    " + row for row in breakdown_table(ours_parts, trivial_parts)))
        if render_only:
            print("targets met" if targets_met else "TARGETS MISSED")
            return targets_met

        run_uv(work, "--version")  # warm uv's own start-up

        print(
            f"(b) uv lock per combination against the stand-in, and render + lock against the bare lock\n"
            f"    (target ratio <= 1.30). warm: uv's cache already holds everything, median of {repeats};\n"
            "    first: a new uv cache, as on a fresh machine or CI runner (one run each)"
        )
        for sample in [*[c for c in runnable_lock_matrix(exhaustive=True) if c.per_backend][::6], combo]:
            project = work / sample.id
            render(sample.answers(index_url=index_url), project)
            run_uv(project, "lock").check()  # warm the cache for this combination

            def bare_lock(project: Path = project, env: dict[str, str] | None = None) -> None:
                (project / "uv.lock").unlink(missing_ok=True)
                run_uv(project, "lock", extra_env=env).check()

            def render_and_lock(
                sample: Combo = sample, project: Path = project, env: dict[str, str] | None = None
            ) -> None:
                render_afresh(sample.answers(index_url=index_url), project)
                run_uv(project, "lock", extra_env=env).check()

            def fresh_cache() -> dict[str, str]:
                return {"UV_CACHE_DIR": tempfile.mkdtemp(prefix="cache-", dir=work)}

            lock_s = _median_seconds(bare_lock, repeats)
            both_s = _median_seconds(render_and_lock, repeats)
            first_lock_s = _median_seconds(lambda: bare_lock(env=fresh_cache()), 1)
            first_both_s = _median_seconds(lambda: render_and_lock(env=fresh_cache()), 1)
            warm, first = both_s / lock_s, first_both_s / first_lock_s
            targets_met &= first <= 1.3
            print(
                f"    {sample.id:<34} warm: lock {lock_s:5.2f} s, render+lock {both_s:5.2f} s, "
                f"ratio {warm:4.2f}"
                f" | first: lock {first_lock_s:5.2f} s, render+lock {first_both_s:5.2f} s, ratio {first:4.2f}"
            )

        print("(c) extras from one backend to all: uv.lock size and lock time")
        print("    backends  platforms  lock s   uv.lock bytes")
        for narrowed in (False, True):
            platforms = ("linux-x86_64",) if narrowed else tuple(catalog.platforms)
            sizes = []
            for backends in growth_series(catalog):
                usable = tuple(b for b in backends if set(catalog.backends[b].platforms) & set(platforms))
                sample = Combo(
                    catalog.strategy_where(extras=True),
                    usable,
                    catalog.releases[0].torch,
                    lock_platforms=platforms,
                )
                project = work / f"growth-{len(usable)}-{len(platforms)}"
                render(sample.answers(index_url=index_url), project)
                run_uv(project, "lock").check()
                lock_s = _median_seconds(
                    lambda project=project: ((project / "uv.lock").unlink(), run_uv(project, "lock").check()),
                    repeats,
                )
                size = (project / "uv.lock").stat().st_size
                sizes.append((len(usable), size, lock_s))
                print(f"    {len(usable):>8}  {len(platforms):>9}  {lock_s:6.2f}  {size:>14}")
            targets_met &= _at_most_linear(sizes)
        weight = rendered_weight(work / "weight", index_url)
        print(
            f"(d) {WEIGHT_PROJECT.id}, non-blank lines: Python {weight.python} (target <= "
            f"{WEIGHT_LIMITS.python}), of them in src/<package>/ {weight.package} (target <= "
            f"{WEIGHT_LIMITS.package}); README.md {weight.readme} (target <= {WEIGHT_LIMITS.readme})"
        )
        targets_met &= weight.within(WEIGHT_LIMITS)
        targets_met &= print_mutants()
        print("targets met" if targets_met else "TARGETS MISSED")
        return targets_met
    finally:
        shutil.rmtree(work, ignore_errors=True)


def print_mutants() -> bool:
    """The last `nox -s mutants` result: every catalogued defect caught is a target. Recorded, not
    re-run: the session takes minutes."""
    result = last_result()
    if result is None:
        print("(e) mutants: no result recorded in this tree yet: run `nox -s mutants`")
        return True
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True)
    when = f"run {result.finished}" + ("" if head.stdout.strip() == result.commit else ", not at HEAD")
    print(f"(e) {result.line()}, {when}  (target: all)")
    return result.killed == result.total


@dataclass(frozen=True)
class Weight:
    """Non-blank lines a user reads and merges on every `copier update`: all rendered Python, the
    part of it inside the user's package (src/<package>/), and README.md."""

    python: int
    package: int
    readme: int

    def within(self, limits: Weight) -> bool:
        pairs = ((self.python, limits.python), (self.package, limits.package), (self.readme, limits.readme))
        return all(mine <= limit for mine, limit in pairs)


# The project the weight targets are measured on, and the targets: the package holds the user's
# code only, and the template's own Python (doctor, smoke test) stays small by design.
WEIGHT_PROJECT = Combo(load().strategy_where(extras=True), ("cpu", "cu130", "rocm7.2", "xpu"), "2.11")
WEIGHT_LIMITS = Weight(python=600, package=60, readme=80)


def _non_blank_lines(paths) -> int:
    return sum(1 for path in paths for line in path.read_text().splitlines() if line.strip())


def weigh(project: Path, package: str) -> Weight:
    # CI's own machinery (.github/template_update.py, beside the workflows' YAML) is not counted.
    python = [path for path in project.rglob("*.py") if not {".venv", ".github"} & set(path.parts)]
    inside = [path for path in python if path.is_relative_to(project / "src" / package)]
    readme = _non_blank_lines([project / "README.md"])
    return Weight(_non_blank_lines(python), _non_blank_lines(inside), readme)


def rendered_weight(project: Path, index_url: str) -> Weight:
    """WEIGHT_PROJECT rendered against `index_url`, weighed."""
    answers = WEIGHT_PROJECT.answers(index_url=index_url)
    render_afresh(answers, project)
    return weigh(project, answers["package_name"])


def _at_most_linear(points: list[tuple[int, int, float]]) -> bool:
    """Size and time per backend must not grow: the last point's cost per backend stays within
    1.5x of the two-backend point's (one backend carries the fixed cost of the project itself)."""
    if len(points) < 3:
        return True
    (n2, size2, time2), (nn, sizen, timen) = points[1], points[-1]
    size_ok = (sizen / nn) <= 1.5 * (size2 / n2)
    time_ok = (timen / nn) <= 1.5 * (time2 / n2) or timen <= 2.0
    print(
        f"    per-backend growth: size {size2 / n2:.0f} -> {sizen / nn:.0f} B, "
        f"time {time2 / n2:.2f} -> {timen / nn:.2f} s: "
        f"{'linear or better' if size_ok and time_ok else 'SUPERLINEAR'}"
    )
    return size_ok and time_ok


# --------------------------------------------------------------------------------------------
# command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m uv_torch_template.tasks.sessions")
    parser.add_argument("task", choices=["render", "lock", "survey", "bench"])
    parser.add_argument("--out", type=Path, default=Path("build") / "rendered")
    parser.add_argument("--index-url", help="base URL of a PyTorch index mirror (default: the real indexes)")
    parser.add_argument("--standin", action="store_true", help="serve the offline stand-in and use it")
    parser.add_argument("--backend", help="only this backend (lock: the answer sets that ask for it)")
    parser.add_argument(
        "--exhaustive",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="lock every backend under every strategy (default; --no-exhaustive: the test suite's matrix)",
    )
    parser.add_argument(
        "--write", action="store_true", help="survey: write what the indexes say into catalog.yml"
    )
    parser.add_argument(
        "--pypi",
        nargs="?",
        const=PYPI_SIMPLE,
        metavar="SIMPLE_URL",
        help="survey: read PyPI (or a PyPI-shaped simple API) instead of the PyTorch indexes",
    )
    parser.add_argument(
        "--only-new-backends",
        action="store_true",
        help="survey: only look for backend indexes the catalog does not have",
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--render-only", action="store_true", help="bench: only the render against the one-question template"
    )
    args = parser.parse_args(argv)
    args.out = args.out.resolve()
    if args.backend is not None and args.backend not in load().backends:
        parser.error(f"--backend {args.backend}: not in catalog.yml ({', '.join(load().backends)})")

    if args.task == "survey" and args.pypi:
        return run_survey_pypi(args.pypi, write=args.write)
    standin = args.standin or args.task == "bench"
    with index_location(args.index_url, standin) as (index_url, is_standin):
        if args.task == "render":
            for path in render_all(args.out, index_url):
                print(path)
            return 0
        if args.task == "bench":
            return 0 if bench(index_url, args.repeats, args.render_only) else 1
        if not is_standin:
            try:
                check_reachable(index_url)
            except Unreachable as error:
                print(f"error: {error}", file=sys.stderr)
                return 2
        if args.task == "survey":
            return run_survey(
                index_url, backend=args.backend, write=args.write, only_new=args.only_new_backends
            )
        combos = runnable_lock_matrix(exhaustive=args.exhaustive is not False, backend=args.backend)
        # Against the stand-in PyPI stays pinned in time; against real indexes, today is the point.
        outcomes = lock_all(args.out, index_url, EXCLUDE_NEWER if is_standin else None, args.jobs, combos)
        print_table(outcomes)
        write_summary(
            f"lock{f' {args.backend}' if args.backend else ''} against {index_url}",
            disagreements_of(outcomes),
            f"all {len(outcomes)} answer sets lock as the catalog says",
        )
        return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
