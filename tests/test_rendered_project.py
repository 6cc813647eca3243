"""Rendered projects hold up: their CI files, README, doctor and Python, for every `ci` choice and
a spread of strategies and backend sets.

Each project is one of the named answer sets (uv_torch_template.expectations.answer_sets), rendered
from the working tree once per session for every file and worker (tests/conftest.py) and checked
with the tools its own CI and reviewers use: check-jsonschema, zizmor --offline, ruff, uv build.
No torch is installed here: the doctor needs none, and the real-torch install is another test's
job (the doctor's own tests are in test_doctor.py).
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
import zipfile
from fnmatch import fnmatch
from pathlib import Path
from types import ModuleType, SimpleNamespace

import jinja2
import pytest
import yaml

from tests.stubs import install_metadata_only_torch
from uv_torch_template.catalog import PYPI_BUILD, Strategy, load
from uv_torch_template.checks.project import load_workflow, tool
from uv_torch_template.expectations.answer_sets import ANSWER_SETS
from uv_torch_template.expectations.matrix import BASE_ANSWERS
from uv_torch_template.expectations.variants import Variant, expected_variants, sync_command
from uv_torch_template.harness.render import REPO_ROOT, render
from uv_torch_template.harness.uvrun import run_uv
from uv_torch_template.tasks.sessions import WEIGHT_LIMITS, rendered_weight

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

CATALOG = load()
CATALOG_RAW = yaml.safe_load((REPO_ROOT / "catalog.yml").read_text())

# The README's example, every ci choice, every strategy, and backend sets that exercise the CPU
# fallbacks, a project without a cpu build, a platform-limited lock and all backends at once.
COMBOS = {
    name: ANSWER_SETS[name]
    for name in [
        "example",
        "extras-cpu-cu130-rocm72",
        "extras-no-cpu-gitlab",
        "extras-every-backend",
        "platform-xpu-no-ci",
        "platform-cu130-py314",
        "single-rocm72-gitlab",
        "single-cpu-mac-windows",
        "pypi-py313",
        "pypi-linux-gitlab",
        "library-py310",
    ]
}
ALL = list(COMBOS)
GITHUB = [name for name in ALL if COMBOS[name].ci == "github"]
GITLAB = [name for name in ALL if COMBOS[name].ci == "gitlab"]

# The hosted runners the workflows may use, and the lock platform each one is.
HOSTED_GITHUB = {p.github_runner: key for key, p in CATALOG.platforms.items() if p.github_runner}
SHA_PINNED = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}")


@pytest.fixture(scope="session")
def rendered(rendered_set):
    """name -> the rendered project's directory, rendered once per session (tests/conftest.py)."""
    return rendered_set


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False)


def variants(name: str) -> list[Variant]:
    return expected_variants(CATALOG, COMBOS[name])


def variant_named(name: str, extra: str | None) -> Variant:
    return next(v for v in variants(name) if v.extra == extra)


def does(name: str) -> Strategy:
    """What the named set's strategy does (the catalog's flags, never its name)."""
    return CATALOG.strategies[COMBOS[name].strategy]


def installs_cpu_wheels(build: str, platform: str) -> bool:
    """CPU wheels: the cpu backend, or PyPI's torch outside Linux (on Linux it is a CUDA build)."""
    return build == "cpu" or (build == PYPI_BUILD and not platform.startswith("linux"))


# --------------------------------------------------------------------------------------------
# Which files each answer renders.


@pytest.mark.parametrize("name", ALL)
def test_ci_files_follow_the_ci_answer(rendered, name):
    project, ci = rendered(name), COMBOS[name].ci
    workflows = project / ".github" / "workflows"
    publish = ["publish.yml"] if does(name).publishes else []
    assert sorted(p.name for p in workflows.glob("*")) == (
        sorted(["ci.yml", "template-update.yml", *publish]) if ci == "github" else []
    )
    assert (project / ".github").exists() == (ci == "github")
    assert (project / ".gitlab-ci.yml").exists() == (ci == "gitlab")


@pytest.mark.parametrize("name", ALL)
def test_nothing_is_left_unrendered(rendered, name):
    """No Jinja left in any file; GitHub's own `${{ ... }}` expressions are meant to survive."""
    for path in rendered(name).rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            text = path.read_text()
            assert "{%" not in text and "{#" not in text, path
            assert not re.search(r"(?<!\$)\{\{", text), path


@pytest.mark.parametrize("name", ALL)
def test_the_package_holds_only_the_users_code_and_the_doctor_sits_beside_it(rendered, name):
    """src/<package>/ is the user's; the doctor is a template-owned script in tools/, with no
    console script and no tests in the project (the template's suite tests it)."""
    project = rendered(name)
    package = COMBOS[name].answers()["package_name"]
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert sorted(path.name for path in (project / "src" / package).iterdir()) == ["__init__.py", "py.typed"]
    assert "scripts" not in pyproject["project"]
    assert sorted(path.name for path in (project / "tests").iterdir()) == ["test_smoke.py"]
    doctor = project / "tools" / "pytorch_doctor.py"
    if not does(name).doctor:
        assert not doctor.parent.exists()
    else:
        script = doctor.read_text()
        assert script.startswith("# /// script\n# requires-python = ")
        assert "\n# dependencies = []\n# ///\n" in script
        assert 'if __name__ == "__main__":\n    raise SystemExit(main())\n' in script
        # CI runs it with the project's Python, beside the torch it synced: `uv run script.py`
        # would give the PEP 723 script an environment of its own, without that torch.
        for ci in (project / ".github" / "workflows" / "ci.yml", project / ".gitlab-ci.yml"):
            if ci.exists():
                runs = re.findall(r"uv run[^\n#]*pytorch_doctor\.py", ci.read_text())
                assert runs and all(run.startswith("uv run --no-sync python ") for run in runs), runs


# --------------------------------------------------------------------------------------------
# CI: valid, pinned, least privilege, and never GPU wheels on hosted runners.


@pytest.mark.parametrize("name", GITHUB)
def test_github_workflows_pass_the_schema_and_zizmor(rendered, name):
    workflows = rendered(name) / ".github" / "workflows"
    files = [str(path) for path in sorted(workflows.glob("*.yml"))]
    schema = run([tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *files], workflows)
    assert schema.returncode == 0, schema.stdout + schema.stderr
    zizmor = run([tool("zizmor"), "--offline", str(workflows)], workflows)
    assert zizmor.returncode == 0, zizmor.stdout + zizmor.stderr
    assert "No findings to report" in zizmor.stdout, zizmor.stdout


@pytest.mark.parametrize("name", GITHUB)
def test_every_action_is_pinned_to_a_commit(rendered, name):
    for path in sorted((rendered(name) / ".github" / "workflows").glob("*.yml")):
        uses = re.findall(r"^\s*(?:-\s*)?uses:\s*(\S+)(.*)$", path.read_text(), re.MULTILINE)
        assert uses, f"{path.name} uses no actions"
        for action, rest in uses:
            assert SHA_PINNED.fullmatch(action), f"{path.name}: {action} is not pinned to a 40-hex commit"
            assert re.search(r"#\s*v\d+(\.\d+)*", rest), f"{path.name}: {action} has no version comment"


@pytest.mark.parametrize("name", GITHUB)
def test_github_jobs_hold_least_privilege(rendered, name):
    for path in sorted((rendered(name) / ".github" / "workflows").glob("*.yml")):
        workflow = load_workflow(path)
        assert workflow["permissions"] == {}, path.name
        for job_name, job in workflow["jobs"].items():
            # Trusted publishing: only the upload job may mint an OIDC token, and nothing else; only
            # the template update may push its branch and open its pull request.
            least = {
                ("publish.yml", "publish"): {"id-token": "write"},
                ("template-update.yml", "update"): {"contents": "write", "pull-requests": "write"},
            }.get((path.name, job_name))
            assert job["permissions"] == (least or {"contents": "read"}), f"{path.name}: {job_name}"
            for step in job["steps"]:
                action = step.get("uses", "")
                if action.startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False
                hosted = "self-hosted" not in job["runs-on"]
                if action.startswith("astral-sh/setup-uv@") and hosted and step["with"]["enable-cache"]:
                    assert step["with"]["cache-dependency-glob"] == "uv.lock"


@pytest.mark.parametrize("name", GITHUB)
def test_github_tests_run_only_cpu_builds_on_hosted_runners(rendered, name):
    workflow = load_workflow(rendered(name) / ".github" / "workflows" / "ci.yml")
    combo = COMBOS[name]
    tested = set()
    if "test" in workflow["jobs"]:
        job = workflow["jobs"]["test"]
        matrix = job["strategy"]["matrix"]
        # The oldest and the newest Python the lock installs torch for.
        assert matrix["python"][0] == combo.python_version
        if does(name).extras:  # each runner's extra comes from `include`
            assert set(matrix["os"]) == {entry["os"] for entry in matrix["include"]}
        for entry in matrix.get("include") or [{"os": os} for os in matrix["os"]]:
            platform = HOSTED_GITHUB[entry["os"]]
            variant = variant_named(name, entry.get("variant"))
            assert installs_cpu_wheels(variant.builds[platform], platform), (entry, variant)
            tested.add(platform)
        sync = [step["run"] for step in job["steps"] if step.get("run", "").startswith("uv sync")]
        expected = 'uv sync --locked --extra "$TORCH_VARIANT"' if does(name).extras else "uv sync --locked"
        assert sync == [expected]
        if does(name).extras:
            assert job["env"]["TORCH_VARIANT"] == "${{ matrix.variant }}"
    # Every hosted platform where some build installs CPU wheels is tested; no other is.
    testable = {
        platform
        for platform in HOSTED_GITHUB.values()
        if any(
            platform in v.builds and installs_cpu_wheels(v.builds[platform], platform) for v in variants(name)
        )
    }
    assert tested == testable


@pytest.mark.parametrize("name", GITHUB)
def test_github_gpu_job_is_opt_in(rendered, name):
    jobs = load_workflow(rendered(name) / ".github" / "workflows" / "ci.yml")["jobs"]
    accelerated = [v for v in variants(name) if v.backend != "cpu"]
    if not accelerated or does(name).publishes:
        assert "gpu" not in jobs
        return
    gpu = jobs["gpu"]
    assert gpu["if"] == "vars.GPU_RUNNER == 'true'"
    assert gpu["runs-on"] == ["self-hosted", "gpu"]
    assert gpu["env"]["TORCH_REQUIRE_GPU"] == "1"
    if does(name).extras:
        assert gpu["env"]["TORCH_VARIANT"] == f"${{{{ vars.TORCH_VARIANT || '{accelerated[0].extra}' }}}}"
    assert any("tests/test_smoke.py" in step.get("run", "") for step in gpu["steps"])


@pytest.mark.parametrize("name", GITHUB[:1])
def test_template_update_workflow_runs_the_update_script_with_the_pinned_copier(rendered, name):
    """The weekly job runs .github/template_update.py (tests/test_template_update.py runs it) in
    the Copier the suite checks against."""
    project = rendered(name)
    workflow = load_workflow(project / ".github" / "workflows" / "template-update.yml")
    assert set(workflow["on"]) == {"schedule", "workflow_dispatch"}
    job = workflow["jobs"]["update"]
    script = "\n".join(step.get("run", "") for step in job["steps"])
    assert 'uv run --no-project --with "copier==$COPIER_VERSION" python .github/template_update.py' in script
    assert (project / ".github" / "template_update.py").is_file()
    copier_version = job["env"]["COPIER_VERSION"]
    help_text = run([sys.executable, "-m", "copier", "update", "--help"], REPO_ROOT).stdout
    assert f"update {copier_version}\n" in help_text, (
        "COPIER_VERSION in the workflows should be the Copier this suite checks against"
    )


@pytest.mark.parametrize("name", GITLAB)
def test_gitlab_ci_passes_the_schema_and_tests_only_cpu_builds(rendered, name):
    project = rendered(name)
    schema = run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci", ".gitlab-ci.yml"], project
    )
    assert schema.returncode == 0, schema.stdout + schema.stderr

    pipeline = yaml.safe_load((project / ".gitlab-ci.yml").read_text())
    on_linux = [v for v in variants(name) if v.builds.get("linux-x86_64") == "cpu"]
    if "test" in pipeline:
        extra = pipeline["test"].get("variables", {}).get("TORCH_VARIANT")
        assert variant_named(name, extra).builds["linux-x86_64"] == "cpu"
    else:
        assert not on_linux, "a variant installs CPU wheels on Linux x86_64, yet nothing is tested"
    accelerated = [v for v in variants(name) if v.backend != "cpu"]
    if accelerated and not does(name).publishes:
        assert pipeline["gpu"]["tags"] == ["gpu"]
        assert pipeline["gpu"]["rules"] == [{"if": '$GPU_RUNNER == "true"'}]
    assert pipeline["template-update"]["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "schedule"'}]


@pytest.mark.parametrize("name", ALL)
def test_python_version_agrees_everywhere(rendered, name):
    project = rendered(name)
    pinned = (project / ".python-version").read_text().strip()
    assert pinned == COMBOS[name].python_version
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["project"]["requires-python"] == f">={pinned}"
    assert pyproject["tool"]["ruff"]["target-version"] == f"py{pinned.replace('.', '')}"
    for path in (project / ".github" / "workflows").glob("*.yml"):
        # uv reads .python-version; a workflow that names a Python must name the same one.
        named = re.findall(r"(?:python-version|UV_PYTHON):\s*['\"]?([\d.]+)", path.read_text())
        assert set(named) <= {pinned}, path.name
    if COMBOS[name].ci == "gitlab":
        variables = yaml.safe_load((project / ".gitlab-ci.yml").read_text())["variables"]
        assert variables["PYTHON_VERSION"] == pinned


@pytest.mark.parametrize("name", ["extras-cpu-cu130-rocm72", "pypi-py313"])
def test_pre_commit_and_git_files(rendered, name):
    project = rendered(name)
    hooks = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())["repos"]
    ids = {hook["id"] for repo in hooks for hook in repo["hooks"]}
    assert {"ruff-check", "ruff-format", "uv-lock"} <= ids
    uv_hook = next(repo for repo in hooks if repo["repo"].endswith("astral-sh/uv-pre-commit"))
    required = tomllib.loads((project / "pyproject.toml").read_text())["tool"]["uv"]["required-version"]
    minimum = re.match(r">=\s*([\d.]+)", required).group(1)
    version = tuple(int(part) for part in str(uv_hook["rev"]).lstrip("v").split("."))
    assert version >= tuple(int(part) for part in minimum.split(".")), "the uv-lock hook's uv is too old"

    assert "uv.lock linguist-generated=true" in (project / ".gitattributes").read_text()
    patterns = [line.strip() for line in (project / ".gitignore").read_text().splitlines()]
    assert not any(fnmatch("uv.lock", p) for p in patterns if p and not p.startswith("#"))


# --------------------------------------------------------------------------------------------
# Python: ruff with the rendered project's own settings; the doctor's own tests.


@pytest.mark.parametrize("name", ALL)
def test_rendered_python_passes_ruff(rendered, name):
    project = rendered(name)
    for command in (["check"], ["format", "--check"]):
        result = run([tool("ruff"), *command, "--no-cache", "."], project)
        assert result.returncode == 0, result.stdout + result.stderr


# The macros that lay out the data in rendered Python files, taken from the template itself.
PYTHON_MACROS = REPO_ROOT / "includes" / "python.jinja"
LAYOUT_MACROS = re.search(r"\{%- macro quoted.*macro block.*?endmacro -%\}", PYTHON_MACROS.read_text(), re.S)


def random_data(rng: random.Random, depth: int = 0) -> object:
    """Nested dicts, lists and strings of every width around the line length, and text that
    needs escaping (quotes, backslashes, HTML characters, non-ASCII, control characters)."""
    kind = rng.choice(["str", "str", "none", "dict", "list"] if depth < 4 else ["str", "none"])
    if kind == "str":
        alphabet = "abcdefghij      ABC0123456789.-_'\"<>&\\\té—\n"
        text = "".join(rng.choice(alphabet) for _ in range(rng.choice([0, 3, 20, 60, 85, 95, 130])))
        return text + "🙂" if rng.random() < 0.05 else text  # beyond U+FFFF: rare, and slow to lay out
    if kind == "none":
        return None
    items = range(rng.choice([0, 1, 2, 4, 9]))
    if kind == "list":
        return [random_data(rng, depth + 1) for _ in items]
    return {f"key{i}-{rng.randrange(10 ** rng.randrange(1, 30))}": random_data(rng, depth + 1) for i in items}


def test_rendered_data_is_laid_out_as_ruff_formats_it(tmp_path):
    """Any data, laid out by the template's macros, passes ruff check and ruff format --check at
    the rendered project's settings, and reads back as the same value."""
    assert LAYOUT_MACROS, "the layout macros are no longer in includes/python.jinja"
    macros = jinja2.Environment(keep_trailing_newline=True).from_string(LAYOUT_MACROS.group(0)).module
    rng = random.Random(20261123)
    values = [random_data(rng) for _ in range(120)]
    values += [{"a": "x" * width} for width in range(85, 100)]  # one line, or split, at the edge
    for i, value in enumerate(values):
        (tmp_path / f"data_{i}.py").write_text(f'"""Data."""\n{macros.block(value, 0, "DATA = ", "")}\n')
    settings = ["--line-length", "100", "--target-version", "py310"]
    checks = (["check", "--select", "E,F,W,I,B,UP,SIM,RUF"], ["format", "--check"])
    for command in checks:
        result = run([tool("ruff"), *command, *settings, "--no-cache", "--isolated", "."], tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr
    for i, value in enumerate(values):
        namespace: dict = {}
        exec((tmp_path / f"data_{i}.py").read_text(), namespace)
        assert namespace["DATA"] == value


@pytest.fixture(scope="session")
def python_with_pytest(tmp_path_factory):
    """Python version -> an interpreter of that version with pytest (and no torch), made once."""
    env = dict(os.environ, UV_PYTHON_DOWNLOADS="never", UV_NO_PROGRESS="1")
    env.pop("VIRTUAL_ENV", None)
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv") or "uv"
    made: dict[str, Path] = {}

    def python(version: str) -> Path:
        if version not in made:
            venv = tmp_path_factory.mktemp(f"py{version}")
            # Any interpreter the rendered requires-python accepts.
            if run([uv, "venv", "--quiet", "--python", f">={version}", str(venv)], venv, env).returncode != 0:
                pytest.skip(f"no Python >= {version} on this machine")
            bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
            installed = run(
                [uv, "pip", "install", "--quiet", "--python", str(bin_dir / "python"), "pytest"], venv, env
            )
            assert installed.returncode == 0, installed.stdout + installed.stderr
            made[version] = bin_dir / "python"
        return made[version]

    return python


@pytest.mark.parametrize(
    "name",
    [
        "extras-cpu-cu130-rocm72",
        "extras-no-cpu-gitlab",
        "platform-xpu-no-ci",
        "single-rocm72-gitlab",
        "single-cpu-mac-windows",
        "pypi-py313",
    ],
)
def test_doctor_and_smoke_test_tell_no_torch_from_a_metadata_only_torch(
    rendered, python_with_pytest, name, tmp_path
):
    project = rendered(name)
    python = python_with_pytest(COMBOS[name].python_version)
    sync = expected_variants(CATALOG, COMBOS[name])[0]
    sync = f"uv sync --extra {sync.extra}" if sync.extra else "uv sync"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    smoke = [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_smoke.py"]

    # As the README runs it before anything is installed: plain Python, the standard library.
    report = run([str(python), "tools/pytorch_doctor.py", "--json"], project, env)
    assert report.returncode == 0, report.stdout + report.stderr
    data = json.loads(report.stdout)
    assert (data["torch"], data["strategy"]) == ({"installed": False}, COMBOS[name].strategy)
    # The smoke test says what to do instead of crashing at import time.
    missing = run(smoke, project, env)
    assert missing.returncode == 1 and f"torch is not installed: run `{sync}`" in missing.stdout

    # A metadata-only torch (a stand-in's stub): both say so, and neither says "not installed".
    version = install_metadata_only_torch(tmp_path)
    stub_env = dict(env, PYTHONPATH=str(tmp_path))
    report = run([str(python), "tools/pytorch_doctor.py", "--json"], project, stub_env)
    assert json.loads(report.stdout)["torch"] == {"installed": False, "metadata_only": version}
    stub = run(smoke, project, stub_env)
    assert stub.returncode == 1, stub.stdout
    assert f"torch {version} is a metadata-only stand-in, without the torch module" in stub.stdout
    assert "a wheel installs only on the Python and platform in its name" in stub.stdout
    assert "torch is not installed" not in stub.stdout


def test_the_wheel_holds_only_the_users_package(rendered, tmp_path):
    """`uv build` of a rendered project: its wheel is the user's package and the metadata."""
    project = rendered("extras-cpu-cu130-rocm72")
    package = COMBOS["extras-cpu-cu130-rocm72"].answers()["package_name"]
    built = run_uv(project, "build", "--wheel", "--out-dir", str(tmp_path), exclude_newer=None)
    built.check()
    (wheel,) = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = [name for name in archive.namelist() if not name.endswith("/")]  # not folders
    ours = [name for name in names if not name.startswith(f"{package}-0.1.0.dist-info/")]
    assert sorted(ours) == [f"{package}/__init__.py", f"{package}/py.typed"], names
    metadata = [name.split("/", 1)[1] for name in names if name not in ours]
    assert sorted(metadata) == ["METADATA", "RECORD", "WHEEL", "licenses/LICENSE"], names


# --------------------------------------------------------------------------------------------
# The smoke test refuses a wrong build: a fake torch module stands in for GPU wheels.


def fake_torch(version: str, cuda: str | None = None, hip: str | None = None) -> ModuleType:
    torch = ModuleType("torch")
    torch.__version__ = version
    torch.version = SimpleNamespace(cuda=cuda, hip=hip, xpu=None)
    return torch


def load_smoke_test(project: Path, monkeypatch, torch: ModuleType) -> ModuleType:
    """The rendered tests/test_smoke.py, importing `torch` (the fake)."""
    monkeypatch.setitem(sys.modules, "torch", torch)
    smoke = ModuleType("rendered_smoke_test")
    exec(compile((project / "tests" / "test_smoke.py").read_text(), "test_smoke.py", "exec"), smoke.__dict__)
    return smoke


ON_LINUX_X86_64 = (sys.platform, os.uname().machine if os.name == "posix" else "") == ("linux", "x86_64")


@pytest.mark.skipif(not ON_LINUX_X86_64, reason="the expectations below are for Linux x86_64")
@pytest.mark.parametrize(
    ("name", "variant", "torch", "accepted"),
    [
        ("extras-cpu-cu130-rocm72", "cpu", fake_torch("2.13.0+cpu"), True),
        ("extras-cpu-cu130-rocm72", "cpu", fake_torch("2.13.0+cu130", cuda="13.0"), False),  # another extra
        ("extras-cpu-cu130-rocm72", None, fake_torch("2.13.0+cu130", cuda="13.0"), True),
        ("extras-cpu-cu130-rocm72", None, fake_torch("2.13.0+cu130", cuda="12.6"), False),  # wrong runtime
        ("extras-cpu-cu130-rocm72", None, fake_torch("2.13.0+rocm7.2", hip="7.2.26015"), True),
        ("extras-cpu-cu130-rocm72", None, fake_torch("2.13.0+rocm7.2", cuda="13.0"), False),
        ("extras-cpu-cu130-rocm72", None, fake_torch("2.13.0+cu126", cuda="12.6"), False),  # no extra's
        ("extras-cpu-cu130-rocm72", None, fake_torch("2.13.0", cuda="13.0"), False),  # PyPI's
        ("single-rocm72-gitlab", None, fake_torch("2.13.0+rocm7.2", hip="7.2.26015"), True),
        ("single-rocm72-gitlab", None, fake_torch("2.13.0+cpu"), False),
        ("platform-cu130-py314", None, fake_torch("2.15.0+cu130", cuda="13.0"), True),
        ("platform-cu130-py314", None, fake_torch("2.15.0+cpu"), False),  # no CPU build on Linux
        ("pypi-py313", None, fake_torch("2.14.1", cuda="12.8"), True),
        ("pypi-py313", None, fake_torch("2.14.1+cpu"), False),
        ("pypi-py313", None, fake_torch("2.14.1", hip="7.2.26015"), False),
    ],
)
def test_smoke_test_accepts_only_the_build_asked_for(rendered, monkeypatch, name, variant, torch, accepted):
    if variant:
        monkeypatch.setenv("TORCH_VARIANT", variant)
    else:
        monkeypatch.delenv("TORCH_VARIANT", raising=False)
    smoke = load_smoke_test(rendered(name), monkeypatch, torch)
    refused = (pytest.fail.Exception, AssertionError)
    try:
        smoke.test_installed_build_is_the_one_asked_for()
        smoke.test_runtime_matches_the_build_family()
    except refused:
        assert not accepted, f"the smoke test refused torch {torch.__version__}"
    else:
        assert accepted, f"the smoke test accepted torch {torch.__version__}"


@pytest.mark.skipif(not ON_LINUX_X86_64, reason="the expectations below are for Linux x86_64")
def test_smoke_test_run_by_pytest_fails_on_another_extras_build(rendered, python_with_pytest, tmp_path):
    project = rendered("extras-cpu-cu130-rocm72")
    (tmp_path / "torch").mkdir()
    (tmp_path / "torch" / "__init__.py").write_text(
        '__version__ = "2.13.0+cu130"\nclass version:\n    cuda, hip, xpu = "13.0", None, None\n'
    )
    python = python_with_pytest(COMBOS["extras-cpu-cu130-rocm72"].python_version)
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    command = [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_smoke.py"]
    command += ["-k", "installed_build or runtime"]
    assert run(command, project, dict(env, TORCH_VARIANT="cu130")).returncode == 0
    wrong = run(command, project, dict(env, TORCH_VARIANT="cpu"))
    assert wrong.returncode == 1
    assert "torch 2.13.0+cu130 is installed; this project expects +cpu here" in wrong.stdout


# --------------------------------------------------------------------------------------------
# docs/pytorch.md (the template's): the install table and the instructions come from the plan.
# README.md (the user's): short, one install line per extra.


def install_table(readme: str) -> dict[str, dict[str, str]]:
    """The `| Command | torch | <platform> ... |` table: command -> column -> cell."""
    lines = [line for line in readme.splitlines() if line.startswith("|")]
    start = next(i for i, line in enumerate(lines) if line.startswith("| Command |"))
    header = [cell.strip() for cell in lines[start].strip("|").split("|")]
    rows = {}
    for line in lines[start + 2 :]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if not cells[0].startswith("`uv sync"):
            break
        rows[cells[0].strip("`")] = dict(zip(header, cells, strict=True))
    return rows


@pytest.mark.parametrize("name", ALL)
def test_readme_install_table_matches_the_plan(rendered, name):
    table = install_table((rendered(name) / "docs" / "pytorch.md").read_text())
    expected = variants(name)
    assert len(table) == len(expected)
    for variant in expected:
        row = table[sync_command(variant.extra)]
        assert set(row) == {"Command", "torch", *(CATALOG.platforms[p].title for p in variant.builds)}
        for platform, build in variant.builds.items():
            cell = row[CATALOG.platforms[platform].title]
            if build == PYPI_BUILD:
                assert ("CUDA" in cell) == platform.startswith("linux"), cell
                continue
            backend = CATALOG.backends[build]
            if build == variant.backend:
                assert cell.startswith(backend.title), cell
            else:
                asked = CATALOG.backends[variant.backend].title
                assert cell.startswith(f"CPU fallback (no {asked} wheels for this platform)"), cell
            label = backend.label_on(platform)
            assert f"`+{label}`" in cell if label else "unlabelled CPU wheel" in cell, cell


def test_readme_says_macos_gets_the_cpu_build_of_the_rocm_extra(rendered):
    table = install_table((rendered("extras-cpu-cu130-rocm72") / "docs" / "pytorch.md").read_text())
    rocm = table["uv sync --extra rocm7-2"]
    assert rocm["macOS arm64"] == "CPU fallback (no ROCm 7.2 wheels for this platform), unlabelled CPU wheel"
    assert rocm["Linux x86_64"] == "ROCm 7.2, `+rocm7.2`"
    assert table["uv sync --extra cu130"]["Windows x86_64"] == "CUDA 13.0, `+cu130`"


@pytest.mark.parametrize("name", ALL)
def test_docs_explain_drivers_checks_and_updates(rendered, name):
    combo = COMBOS[name]
    docs = (rendered(name) / "docs" / "pytorch.md").read_text()
    built = {build for v in variants(name) for build in v.builds.values()} - {"cpu", PYPI_BUILD}
    for backend in built:
        driver = CATALOG.backends[backend].driver
        row = next(line for line in docs.splitlines() if line.startswith(f"| `{backend}` ("))
        assert str(driver["linux"]) in row, row
    assert "uvx copier update --defaults" in docs
    assert "uv lock" in docs
    assert "uv.lock` is not a template file" in docs
    if does(name).extras:
        assert "uv run --no-sync" in docs
        assert "repeat the `--extra` on every `uv sync`" in docs
    if does(name).publishes:
        assert f"Requires-Dist: torch>={combo.torch_version}" in docs
        assert "pytorch_doctor" not in docs
    else:
        assert "uv run tools/pytorch_doctor.py" in docs
    if not does(name).uses_index:
        assert "## What PyPI ships" in docs


@pytest.mark.parametrize("name", ALL)
def test_readme_is_short_and_installs_one_line_per_extra(rendered, name):
    """README.md is the user's: what the project is, how to install it, how to test it; the
    rest is docs/pytorch.md, which it points to (a library's README is its page on PyPI)."""
    combo = COMBOS[name]
    readme = (rendered(name) / "README.md").read_text()
    assert sum(1 for line in readme.splitlines() if line.strip()) <= 80
    assert combo.answers()["description"] in readme
    assert "\n## Run the tests\n\n```sh\nuv run --no-sync pytest\n```\n" in readme
    if does(name).publishes:
        assert "\nuv sync\n" in readme and "docs/pytorch.md" in readme
        return
    syncs = [line.split("#")[0].strip() for line in readme.splitlines() if line.startswith("uv sync")]
    expected = [f"uv sync --extra {v.extra}" if v.extra else "uv sync" for v in variants(name)]
    assert sorted(syncs) == sorted(expected)
    assert "[docs/pytorch.md](docs/pytorch.md)" in readme
    assert ("uv run tools/pytorch_doctor.py" in readme) == bool(does(name).doctor)
    for template_owned in ("| Command |", "UV_INDEX_", "copier update --defaults", "## Offline"):
        assert template_owned not in readme


def test_a_librarys_published_readme_names_the_public_indexes_never_the_mirror(tmp_path):
    mirror = "https://artifactory.example/api/pypi/pytorch-remote/whl"
    answers = {**BASE_ANSWERS, "strategy": CATALOG.strategy_where(publishes=True), "index_url": mirror}
    project = render(answers, tmp_path / "library")
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["project"]["readme"] == "README.md", "README.md is the long description"
    readme = (project / "README.md").read_text()
    assert "artifactory.example" not in readme
    assert f"--extra-index-url {CATALOG_RAW['public_index_url']}/cpu" in readme
    # The mirror is still what the repository's own development environment locks against.
    assert f'url = "{mirror}/cpu"' in (project / "pyproject.toml").read_text()


# --------------------------------------------------------------------------------------------
# Weight: what a user reads and merges on every update (`nox -s bench` prints the same figures).


def test_a_four_backend_project_stays_within_its_weight_targets(tmp_path):
    weight = rendered_weight(tmp_path / "project", CATALOG_RAW["public_index_url"])
    assert weight.within(WEIGHT_LIMITS), weight
    # The figures count what is there: every Python file, wherever it is, except CI's machinery
    # (.github/template_update.py, which the workflow runs, as it runs the workflows' YAML).
    files = {
        str(path.relative_to(tmp_path / "project")): sum(1 for line in path.open() if line.strip())
        for path in (tmp_path / "project").rglob("*.py")
        if ".github" not in path.parts
    }
    assert set(files) == {"src/demo_project/__init__.py", "tests/test_smoke.py", "tools/pytorch_doctor.py"}
    assert weight.python == sum(files.values())
    assert weight.package == files["src/demo_project/__init__.py"]
