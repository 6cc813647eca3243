"""`copier update` on a rendered project: add and remove backends, take a new template release,
meet a retired answer, and lose nothing the user wrote.

The template under test is a tagged git copy of this one, the way users meet it: v1.0.0 is the
working tree, v1.1.0 a release that changes a line users rarely touch, v1.2.0 a release that
retires torch 2.6, the oldest release, v2.0.0 a release that moves a rendered file to a new path
(tags, not copies of the working tree: releases are what `copier update` and `copier check-update`
read).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from copier import run_update

from tests.edits import add_user_dependencies, remove_user_dependencies
from tests.helpers import GIT_IDENTITY
from uv_torch_template.expectations.matrix import BASE_ANSWERS
from uv_torch_template.harness.render import REPO_ROOT, render
from uv_torch_template.harness.uvrun import run_uv

GIT_ENV = {**os.environ, **GIT_IDENTITY}
TEMPLATE_FILES = ["copier.yml", "catalog.yml", "org.yml", "includes", "template"]
RUFF_RULES = 'select = ["E", "F", "W", "I", "B", "UP", "SIM", "RUF"]'


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, env=GIT_ENV, check=True, capture_output=True, text=True
    ).stdout


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def tagged_template_copy(repo: Path) -> Path:
    """This template's working tree as a git repository whose first commit is tagged v1.0.0."""
    for name in TEMPLATE_FILES:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, repo / name)
        else:
            shutil.copy2(source, repo / name)
    git(repo, "init", "-q", "-b", "main")
    commit_all(repo, "v1.0.0")
    git(repo, "tag", "v1.0.0")
    return repo


@pytest.fixture(scope="module")
def template_repo(tmp_path_factory) -> Path:
    repo = tagged_template_copy(tmp_path_factory.mktemp("template-repo"))

    pyproject = repo / "template" / "pyproject.toml.jinja"
    assert RUFF_RULES in pyproject.read_text()
    pyproject.write_text(
        pyproject.read_text().replace(RUFF_RULES, RUFF_RULES.replace('"RUF"]', '"RUF", "PT"]'))
    )
    commit_all(repo, "v1.1.0: lint pytest style too")
    git(repo, "tag", "v1.1.0")

    catalog = repo / "catalog.yml"
    text = catalog.read_text()
    marker = '  - torch: "2.6"\n'
    assert marker in text
    catalog.write_text(
        text.replace(marker, marker + "    retired: wheels are no longer published for it\n", 1)
    )
    commit_all(repo, "v1.2.0: retire torch 2.6")
    git(repo, "tag", "v1.2.0")

    # A release that moves a rendered file: the smoke test gets a new name.
    (smoke,) = (repo / "template" / "tests").glob("test_smoke.py*")
    git(repo, "mv", str(smoke.relative_to(repo)), str(smoke.with_name(smoke.name.replace("smoke", "build"))))
    commit_all(repo, "v2.0.0: tests/test_smoke.py is now tests/test_build.py")
    git(repo, "tag", "v2.0.0")
    return repo


def rendered(template_repo: Path, destination: Path, ref: str, **answers) -> Path:
    """A user's project: rendered at a template tag, then committed (copier update needs a clean tree)."""
    data = {
        **BASE_ANSWERS,
        "strategy": "extras",
        "backends": ["cpu"],
        "torch_version": "2.13",
        "index_url": "http://127.0.0.1:9/whl",
        **answers,
    }
    render(data, destination, template=template_repo, vcs_ref=ref)
    git(destination, "init", "-q", "-b", "main")
    commit_all(destination, "rendered")
    return destination


def update(project: Path, ref: str, **data) -> None:
    """copier update --defaults [--data ...] without --trust."""
    run_update(str(project), data=data, defaults=True, overwrite=True, unsafe=False, quiet=True, vcs_ref=ref)


def all_text(project: Path, exclude: tuple[str, ...] = ()) -> dict[str, str]:
    return {
        str(path.relative_to(project)): path.read_text(errors="replace")
        for path in project.rglob("*")
        if path.is_file() and ".git" not in path.parts and path.name not in exclude
    }


def test_adding_a_backend_brings_its_index_sources_extra_conflict_and_readme_rows(template_repo, tmp_path):
    project = rendered(template_repo, tmp_path / "p", "v1.1.0")
    update(project, "v1.1.0", backends=["cpu", "cu130"])
    pyproject = (project / "pyproject.toml").read_text()
    assert "\ncu130 = [" in pyproject
    assert 'name = "pytorch-cu130"' in pyproject and "/whl/cu130" in pyproject
    assert '{ index = "pytorch-cu130", extra = "cu130"' in pyproject
    assert '{ extra = "cu130" }' in pyproject and "conflicts" in pyproject
    assert "uv sync --extra cu130" in (project / "README.md").read_text()
    assert "cu130" in (project / ".copier-answers.yml").read_text()


def test_removing_a_backend_leaves_nothing_behind(template_repo, tmp_path):
    project = rendered(template_repo, tmp_path / "p", "v1.1.0", backends=["cpu", "cu130", "rocm7.2"])
    assert "rocm7-2" in (project / "pyproject.toml").read_text()
    update(project, "v1.1.0", backends=["cpu", "cu130"])

    # Nothing left behind: the updated project is exactly a fresh render of the new answers.
    fresh = rendered(template_repo, tmp_path / "fresh", "v1.1.0", backends=["cpu", "cu130"])
    assert all_text(project) == all_text(fresh)
    for name in ("pyproject.toml", "README.md"):
        text = (project / name).read_text()
        assert not [t for t in ("rocm7.2", "rocm7-2", "ROCm 7.2", "triton-rocm") if t in text], name
    # The doctor still lists rocm7.2 among the builds it may suggest adding, but not among the
    # project's own.
    doctor = (project / "tools" / "pytorch_doctor.py").read_text()
    data = doctor[doctor.index("STRATEGY = ") : doctor.index("# ----")]
    namespace: dict = {"NamedTuple": tuple, "Build": lambda *facts: facts}
    exec(data, namespace)
    assert "rocm7.2" not in namespace["BACKENDS"]
    assert all("rocm7.2" not in builds.values() for builds in namespace["INSTALLS"].values())
    assert "rocm7.2" in namespace["BUILDS"]


def test_users_work_survives_a_template_release(template_repo, tmp_path):
    project = rendered(template_repo, tmp_path / "p", "v1.0.0", backends=["cpu", "cu130"])
    mine = add_user_dependencies(project, "numpy>=2.2", "einops>=0.8", "attrs")
    add_user_dependencies(project, "tomli-w", dev=True)
    remove_user_dependencies(project, "attrs")
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\n## Our results\n\nThe model reaches 93% on the held-out set.\n")
    (project / "src" / "demo_project" / "model.py").write_text("def forward(x):\n    return x\n")
    (project / "tests" / "test_model.py").write_text("def test_forward():\n    assert True\n")
    workflow = project / ".github" / "workflows" / "ci.yml"
    workflow.write_text(workflow.read_text() + "\n# Our own nightly benchmark runs from here.\n")
    commit_all(project, "our work")
    before = all_text(project)

    update(project, "v1.1.0")

    after = all_text(project)
    assert '"RUF", "PT"]' in after["pyproject.toml"], "the template's change was applied"
    assert sorted(mine) == ["attrs", "einops>=0.8", "numpy>=2.2"], "uv wrote the requirements as given"
    assert '"numpy>=2.2",' in after["pyproject.toml"] and '"einops>=0.8",' in after["pyproject.toml"]
    assert '"attrs"' not in after["pyproject.toml"], "what uv removed stays removed"
    assert '"tomli-w",' in after["pyproject.toml"]
    assert after["README.md"] == before["README.md"]
    assert after["src/demo_project/model.py"] == before["src/demo_project/model.py"]
    assert after["tests/test_model.py"] == before["tests/test_model.py"]
    assert "# Our own nightly benchmark runs from here." in after[".github/workflows/ci.yml"]
    assert not [name for name, text in after.items() if "<<<<<<<" in text], "no conflict markers"
    assert "_commit: v1.1.0" in after[".copier-answers.yml"]


def test_an_edit_of_the_same_line_shows_inline_conflict_markers(template_repo, tmp_path):
    project = rendered(template_repo, tmp_path / "p", "v1.0.0")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(RUFF_RULES, RUFF_RULES.replace('"RUF"]', '"RUF", "N"]'))
    )
    commit_all(project, "our lint rules")
    update(project, "v1.1.0")
    text = pyproject.read_text()
    assert "<<<<<<<" in text and ">>>>>>>" in text, "a conflict must be visible, never silent"
    assert '"RUF", "N"]' in text and '"RUF", "PT"]' in text, "both sides are kept"


@pytest.mark.lock
def test_uv_lock_on_update_is_stale_until_relocked_and_then_carries_the_new_backend(
    template_repo, standin, tmp_path
):
    """What happens to uv.lock: copier does not render it (it is the user's), so after an update it
    still describes the old pyproject; `uv lock --check` says so, and `uv lock` brings it up to date."""
    project = rendered(
        template_repo,
        tmp_path / "p",
        "v1.1.0",
        index_url=standin.url,
        lock_platforms=["linux-x86_64", "macos-arm64"],
    )
    run_uv(project, "lock").check()
    commit_all(project, "lock")
    old_lock = (project / "uv.lock").read_text()

    update(project, "v1.1.0", backends=["cpu", "cu130"])
    assert (project / "uv.lock").read_text() == old_lock, "copier update leaves uv.lock alone"
    stale = run_uv(project, "lock", "--check")
    assert stale.returncode != 0, "the old lock no longer matches pyproject.toml"

    run_uv(project, "lock").check()
    assert "+cu130" in (project / "uv.lock").read_text()
    run_uv(project, "lock", "--check").check()


def test_a_retired_answer_stops_update_with_advice(template_repo, tmp_path):
    project = rendered(
        template_repo, tmp_path / "p", "v1.1.0", torch_version="2.6", backends=["cpu", "rocm6.1"]
    )
    with pytest.raises(
        ValueError,
        match=r"'torch_version'.*choose torch_version 2\.7 or newer: 2\.6 is retired",
    ):
        update(project, "v1.2.0")
    with pytest.raises(
        ValueError,
        match=r"'backends'.*choose rocm\S*: rocm6\.1 ends at 2\.6",
    ):
        update(project, "v1.2.0", torch_version="2.7")
    assert not git(project, "status", "--porcelain"), "a refused update changes nothing"
    update(project, "v1.2.0", torch_version="2.7", backends=["cpu", "rocm6.3"])
    assert "rocm6.3" in (project / ".copier-answers.yml").read_text()


def test_a_retired_answer_on_the_command_line_ends_with_the_advice(template_repo, tmp_path):
    project = rendered(template_repo, tmp_path / "p", "v1.1.0", torch_version="2.6")
    result = subprocess.run(
        [sys.executable, "-m", "copier", "update", "--defaults", "--vcs-ref", "v1.2.0", str(project)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env=GIT_ENV,
        check=False,
    )
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "torch_version" in last_line and "choose torch_version 2.7 or newer" in last_line


def test_pytest_copie_update_from_an_older_tag_to_head(copie, template_repo):
    """The same flow through pytest-copie, as a template author's own tests would write it: copy
    at the oldest tag, commit, update to the template's HEAD."""
    answers = {**BASE_ANSWERS, "strategy": "extras", "backends": ["cpu", "cu130"], "torch_version": "2.13"}
    first = copie.copy(extra_answers=answers, template_dir=template_repo, vcs_ref="v1.0.0")
    assert first.exit_code == 0, first.exception
    git(first.project_dir, "init", "-q", "-b", "main")
    commit_all(first.project_dir, "rendered at v1.0.0")

    updated = copie.update(first, vcs_ref="HEAD")
    assert updated.exit_code == 0, updated.exception
    assert '"RUF", "PT"]' in (updated.project_dir / "pyproject.toml").read_text()
    assert updated.answers["backends"] == ["cpu", "cu130"]
    assert "_commit: v2.0.0" in (updated.project_dir / ".copier-answers.yml").read_text()


def test_data_for_another_question_leaves_the_guard_on(template_repo, tmp_path):
    """`--data ci=github` once turned the guard off and moved a project on a retired torch and
    ROCm to torch 2.13 + [cpu, cu130] without a word."""
    project = rendered(
        template_repo, tmp_path / "p", "v1.1.0", torch_version="2.6", backends=["cpu", "rocm6.1"]
    )
    with pytest.raises(ValueError, match=r"'torch_version'.*choose torch_version 2\.7 or newer"):
        update(project, "v1.2.0", ci="github")
    assert not git(project, "status", "--porcelain"), "a refused update changes nothing"


def test_the_answers_copier_replays_given_with_data_leave_the_guard_on(template_repo, tmp_path):
    """project_name, python_version, strategy and ci are what Copier's own replays pass; a user
    who passes exactly those with --data is still updating the project, and the recorded
    torch_version and backends are not silently replaced."""
    project = rendered(
        template_repo, tmp_path / "p", "v1.1.0", torch_version="2.6", backends=["cpu", "rocm6.1"]
    )
    replayed = {
        "project_name": "demo-project",
        "python_version": "3.12",
        "strategy": "extras",
        "ci": "github",
    }
    with pytest.raises(
        ValueError, match=r"'torch_version'.*choose torch_version 2\.7 or newer: 2\.6 is retired"
    ):
        update(project, "v1.2.0", **replayed)
    with pytest.raises(ValueError, match=r"'backends'.*choose rocm\S*: rocm6\.1 ends at 2\.6"):
        update(project, "v1.2.0", **replayed, torch_version="2.7")
    assert not git(project, "status", "--porcelain"), "a refused update changes nothing"


def test_a_repeat_in_a_recorded_list_is_not_a_replacement(template_repo, tmp_path):
    """An answers file edited by hand to `backends: [cpu, cpu, cu130]` updates to [cpu, cu130]:
    the same choice, not one Copier would silently replace."""
    project = rendered(template_repo, tmp_path / "p", "v1.1.0", backends=["cpu", "cu130"])
    answers_file = project / ".copier-answers.yml"
    answers_file.write_text(answers_file.read_text().replace("- cpu\n", "- cpu\n- cpu\n", 1))
    assert yaml.safe_load(answers_file.read_text())["backends"] == ["cpu", "cpu", "cu130"]
    commit_all(project, "a repeat, by hand")
    update(project, "v1.2.0")
    assert yaml.safe_load(answers_file.read_text())["backends"] == ["cpu", "cu130"]


def test_a_plan_entry_in_the_answers_file_is_named_as_such(template_repo, tmp_path):
    """`plan` is computed, never recorded; an answers file that holds one (edited by hand) is
    replayed by Copier as data, and the refusal says to remove it from the file, not --data."""
    project = rendered(template_repo, tmp_path / "p", "v1.1.0")
    answers_file = project / ".copier-answers.yml"
    answers_file.write_text(answers_file.read_text() + "plan: {}\n")
    commit_all(project, "a plan, by hand")
    with pytest.raises(ValueError, match=r"'plan'.*remove the 'plan:' entry from \.copier-answers\.yml"):
        update(project, "v1.1.0")


def test_switching_to_pypi_and_back_keeps_the_mirror_and_the_backends(template_repo, tmp_path):
    mirror = "https://artifactory.example/api/pypi/pytorch/whl"
    project = rendered(template_repo, tmp_path / "p", "v1.1.0", backends=["cpu", "rocm7.2"], index_url=mirror)
    update(project, "v1.1.0", strategy="pypi")
    commit_all(project, "pypi")
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["strategy"] == "pypi"
    assert answers["backends"] == ["cpu", "rocm7.2"] and answers["index_url"] == mirror
    assert "[[tool.uv.index]]" not in (project / "pyproject.toml").read_text()

    update(project, "v1.1.0", strategy="extras")
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["backends"] == ["cpu", "rocm7.2"] and answers["index_url"] == mirror
    assert f'url = "{mirror}/rocm7.2"' in (project / "pyproject.toml").read_text()


def test_a_kept_answer_the_new_answers_refuse_stops_the_switch(template_repo, tmp_path):
    """Switching to pypi while moving torch past cu128: the kept backends no longer validate, and
    Copier would drop them unasked; the update stops and names them instead."""
    project = rendered(
        template_repo, tmp_path / "p", "v1.1.0", torch_version="2.11", backends=["cpu", "cu128"]
    )
    refusal = r"'backends'.*--data backends=.*no longer accepted.*cu128 ends at"
    with pytest.raises(ValueError, match=refusal):
        update(project, "v1.1.0", strategy="pypi", torch_version="2.13")
    update(project, "v1.1.0", strategy="pypi", torch_version="2.13", backends=["cpu", "cu130"])
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["backends"] == ["cpu", "cu130"]


def test_an_update_across_releases_moves_a_renamed_file_and_keeps_the_users_work(template_repo, tmp_path):
    """From a project rendered at the first tag to the newest, across a retired release and a
    renamed file: the file moves, the user's own files survive, and their edit of the moved file
    is in `git diff`, never silently gone."""
    project = rendered(template_repo, tmp_path / "p", "v1.0.0", backends=["cpu", "cu130"])
    (project / "src" / "demo_project" / "model.py").write_text("def forward(x):\n    return x\n")
    smoke = project / "tests" / "test_smoke.py"
    smoke.write_text(smoke.read_text() + "\n\n# Our note on the smoke test.\n")
    commit_all(project, "our work")

    update(project, "v2.0.0")

    after = all_text(project)
    assert "tests/test_build.py" in after, "the renamed file arrives under its new name"
    assert "_commit: v2.0.0" in after[".copier-answers.yml"]
    assert '"RUF", "PT"]' in after["pyproject.toml"], "the releases in between were applied"
    assert after["src/demo_project/model.py"] == "def forward(x):\n    return x\n"
    assert not [name for name, text in after.items() if "<<<<<<<" in text], "no conflict markers"
    # Copier deletes the old path even though the user edited it, and does not carry the edit to
    # the new one. It is not silent: the commit made before the update holds it, and the review
    # step the README gives (`git diff`) shows it as removed lines to carry over. A release that
    # renames a rendered file is therefore a major one, and its CHANGELOG entry says so.
    assert "tests/test_smoke.py" not in after
    assert "-# Our note on the smoke test." in git(project, "diff", "HEAD", "--", "tests/test_smoke.py")


def test_an_unedited_renamed_file_leaves_no_copy_at_its_old_path(template_repo, tmp_path):
    project = rendered(template_repo, tmp_path / "p", "v1.2.0")
    update(project, "v2.0.0")
    assert (project / "tests" / "test_build.py").is_file()
    assert not (project / "tests" / "test_smoke.py").exists()


def test_check_update_compares_the_recorded_tag_with_the_newest(template_repo, tmp_path):
    """What the rendered weekly workflow runs: exit 2 while a newer tag exists, 0 once on it."""
    project = rendered(template_repo, tmp_path / "p", "v1.1.0")
    check = [sys.executable, "-m", "copier", "check-update", "--quiet"]
    behind = subprocess.run(check, cwd=project, env=GIT_ENV, capture_output=True, text=True, check=False)
    assert behind.returncode == 2, behind.stdout + behind.stderr
    update(project, "v2.0.0")
    commit_all(project, "updated")
    current = subprocess.run(check, cwd=project, env=GIT_ENV, capture_output=True, text=True, check=False)
    assert current.returncode == 0, current.stdout + current.stderr


# The last commit whose projects carried the doctor inside the package: src/<package>/doctor/,
# src/<package>/torch_builds.py, tests/test_doctor.py and a `<project>-doctor` console script.
DOCTOR_IN_THE_PACKAGE = "5bbb67cd12027c045481d32d7788c87781971eee"


def test_an_update_from_the_doctor_in_the_package_moves_it_out_and_keeps_the_users_work(tmp_path):
    """A project rendered when the doctor lived in the package, updated to this template: the old
    files disappear, the script arrives beside the package, the user's code and notes stay."""
    known = subprocess.run(["git", "cat-file", "-e", f"{DOCTOR_IN_THE_PACKAGE}^{{commit}}"], cwd=REPO_ROOT)
    if known.returncode:
        pytest.skip("this copy of the repository lacks its history")  # pragma: no cover
    repo = tmp_path / "template"
    repo.mkdir()
    # org.yml, the organisation profile, came later than that commit.
    then = [name for name in TEMPLATE_FILES if git(REPO_ROOT, "ls-tree", DOCTOR_IN_THE_PACKAGE, name).strip()]
    archive = ["git", "archive", DOCTOR_IN_THE_PACKAGE, *then]
    archive = subprocess.run(archive, cwd=REPO_ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(repo)], input=archive.stdout, check=True)
    git(repo, "init", "-q", "-b", "main")
    commit_all(repo, "v1.0.0: the doctor in the package")
    git(repo, "tag", "v1.0.0")
    for name in then:
        shutil.rmtree(repo / name) if (repo / name).is_dir() else (repo / name).unlink()
    for name in TEMPLATE_FILES:  # this working tree
        source = REPO_ROOT / name
        shutil.copytree(source, repo / name) if source.is_dir() else shutil.copy2(source, repo / name)
    commit_all(repo, "v2.0.0: the doctor beside the package")
    git(repo, "tag", "v2.0.0")

    project = rendered(repo, tmp_path / "p", "v1.0.0", backends=["cpu", "cu130"])
    package = project / "src" / "demo_project"
    assert (package / "doctor" / "__init__.py").is_file() and (package / "torch_builds.py").is_file()
    (package / "model.py").write_text("def forward(x):\n    return x\n")
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\n## Our results\n\nThe model reaches 93% on the held-out set.\n")
    commit_all(project, "our work")

    update(project, "v2.0.0")

    after = all_text(project)
    assert sorted(path.name for path in package.iterdir()) == ["__init__.py", "model.py", "py.typed"]
    assert not (project / "tests" / "test_doctor.py").exists()
    assert "tools/pytorch_doctor.py" in after and "docs/pytorch.md" in after
    assert "[project.scripts]" not in after["pyproject.toml"]
    assert after["README.md"].endswith("The model reaches 93% on the held-out set.\n")
    assert sum(1 for line in after["README.md"].splitlines() if line.strip()) <= 80
    assert not [name for name, text in after.items() if "<<<<<<<" in text], "no conflict markers"
