# /// script
# requires-python = ">=3.10"
# dependencies = ["nox>=2025.2.9"]
# ///
"""Maintainer sessions: prove the template still works against today's PyTorch indexes.

    nox -s tests                         the test suite, both tiers (stand-in indexes, no GPU)
    nox -s tests -- -k lock              ... pytest's own options go to both tiers
    nox -s lint                          ruff on this repository and on rendered projects
    nox -s render                        render every combination of the matrix into build/rendered/
    nox -s lock                          render, uv lock and check each one against the real indexes
    nox -s lock -- --index-url URL       ... against a mirror (rendered with that index_url)
    nox -s lock -- --standin             ... against the offline stand-in
    nox -s lock -- --backend cu130       ... only the answer sets that ask for one backend
    nox -s survey                        read the real indexes and name every catalog fact they contradict
    nox -s survey -- --write             ... and write what they say into catalog.yml
    (survey takes --index-url, --standin and --backend NAME as lock does)
    nox -s smoke                         a CPU project, uv sync'ed with a real torch, its own tests
    nox -s bench                         render against a one-question template, lock times, uv.lock growth
    nox -s bench -- --render-only        ... only the render ratio (target <= 1.5)
    nox -s explore                       the generative test's long run: 300 random answer sets
    nox -s explore -- --examples N --seed S   ... another budget, a fixed seed (--no-lock: faster)
    nox -s interactive                   every Python x torch x strategy through the prompts
    nox -s fleet -- DIR|CLONE...         each project's template release, strategy, backends and
                                         catalog facts behind; non-zero when one is >1 release behind
    nox -s mutants                       each defect of tests/mutants.yml alone: every one must be caught
    nox -s mutants -- --only ID          ... some of them (--check: only validate the catalogue)

The matrix comes from catalog.yml through uv_torch_template.expectations.matrix, the same one the tests use.
Run with `uv run nox ...` or, as a script, `uv run noxfile.py -s lock`.
"""

from __future__ import annotations

import os

import nox

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "uv"
nox.options.sessions = ["lint", "tests"]

PYPROJECT = nox.project.load_toml("pyproject.toml")
DEV = nox.project.dependency_groups(PYPROJECT, "dev")
# uv cannot download Pythons everywhere (not on the template's own offline CI machine).
ENV = {"UV_PYTHON_DOWNLOADS": os.environ.get("UV_PYTHON_DOWNLOADS", "never")}
# The README's worker count; a session keeps no pytest cache (its own virtualenv, a throwaway run).
PYTEST = ["pytest", "-n", "4", "-p", "no:cacheprovider"]


def _install(session: nox.Session) -> None:
    session.install(*DEV)


def _task(session: nox.Session, module: str, *args: str) -> None:
    """Install the dev group, then run `python -m uv_torch_template.tasks.<module> ARGS POSARGS`."""
    _install(session)
    session.run("python", "-m", f"uv_torch_template.tasks.{module}", *args, *session.posargs, env=ENV)


@nox.session
def tests(session: nox.Session) -> None:
    """The template's own test suite: the default tier, then the slow end-to-end walks."""
    _install(session)
    session.run(*PYTEST, *session.posargs, env=ENV)
    session.run(*PYTEST, "-m", "slow", *session.posargs, env=ENV)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff on this repository; rendered projects get ruff, the workflow schema and zizmor in
    tests/test_rendered_project.py, which this session runs too."""
    _install(session)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run(*PYTEST, "tests/test_rendered_project.py", "-q", env=ENV)


@nox.session
def render(session: nox.Session) -> None:
    """Render every combination into build/rendered/<combination>/ (pass --index-url to change it)."""
    _task(session, "sessions", "render")


@nox.session
def lock(session: nox.Session) -> None:
    """Render, uv lock and check every combination with the test suite's lock check; each
    disagreement is printed as the catalog fact it contradicts. Non-zero unless all agree."""
    _task(session, "sessions", "lock")


@nox.session
def survey(session: nox.Session) -> None:
    """Read each backend's index as served (PEP 503 pages, PEP 658 metadata) and print every
    difference from catalog.yml, one line per fact; non-zero on drift, "no drift" otherwise.
    `-- --pypi`: read PyPI instead (releases, dates, Python tags, pairings, CUDA pins)."""
    _task(session, "sessions", "survey")


@nox.session
def evidence(session: nox.Session) -> None:
    """Record what an index serves into evidence/, file by file: `-- --pypi` (PyPI), `-- --index-url
    https://download.pytorch.org/whl [--backend cu130]` (the PyTorch indexes or a mirror)."""
    _task(session, "evidence")


@nox.session
def smoke(session: nox.Session) -> None:
    """A real install: render a CPU project, uv sync it with a real torch wheel, run its tests and lint.

    Offline this takes the wheel from PIP_FIND_LINKS through the stand-in; pass --online to use
    the real CPU index."""
    _task(session, "smoke")


@nox.session
def bench(session: nox.Session) -> None:
    """Render time, render + lock against bare lock, uv.lock growth, the rendered project's weight."""
    _task(session, "sessions", "bench")


@nox.session
def explore(session: nox.Session) -> None:
    """Answer sets drawn from the whole interface with a random seed, as tests/test_generative.py
    draws a few: every failure class, each with its smallest answer set; exits non-zero on any."""
    _task(session, "explore")


@nox.session
def interactive(session: nox.Session) -> None:
    """`copier copy` answered through a pseudo-terminal for every Python x torch x strategy (the
    default suite walks a few of these paths)."""
    _install(session)
    session.run(
        *PYTEST,
        "-m",
        "slow",
        "tests/test_interactive.py",
        *session.posargs,
        env={**ENV, "UVT_INTERACTIVE_ALL": "1"},
    )


@nox.session
def fleet(session: nox.Session) -> None:
    """An organisation's projects (clones, or a folder of them): the template release each is on,
    its strategy and backends, and the catalog facts it is behind; non-zero when any project is
    more than one release behind (`--template URL` reads the releases from there)."""
    _task(session, "fleet")


@nox.session
def mutants(session: nox.Session) -> None:
    """Each realistic defect of tests/mutants.yml, applied alone to a scratch copy of the working
    tree, must make one of its named tests fail; prints a table and fails with the survivors."""
    _task(session, "mutants")


if __name__ == "__main__":
    nox.main()
