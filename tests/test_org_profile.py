"""The organisation profile (org.yml): a fork edits only it, merges upstream releases without a
conflict, and renders with the organisation's defaults and limits; a bad profile is refused by key.

The fork is made the way an organisation makes one: `git clone` of a scratch upstream copy of this
template, org.yml edited line by line as in an editor and committed, then `git merge` of an
upstream release that changes the lines around the profile's use in copier.yml.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from copier import run_update

from tests.test_update import GIT_ENV, commit_all, git, tagged_template_copy
from uv_torch_template.catalog import REPO_ROOT
from uv_torch_template.harness.render import render

MIRROR = "https://artifactory.example.org/api/pypi/pytorch/whl"
# What an organisation writes over the shipped values (key -> the new value's YAML).
FORK_PROFILE = {
    "index_url": MIRROR,
    "offered_backends": "[cpu, cu126, cu130]",
    "default_backends": "[cpu, cu126]",
    "lock_platforms": "[linux-x86_64, windows-x86_64]",
    "license": "Apache-2.0",
    "ci": "gitlab",
    "gpu_runner_labels": "[self-hosted, a100, linux]",
    "python_versions": '["3.11", "3.12"]',
}
# Only the questions a profile cannot set: everything else comes from the profile's defaults.
PERSONAL = {
    "project_name": "fleet-model",
    "description": "An organisation's project",
    "author_name": "Ada Lovelace",
    "author_email": "ada@example.org",
}


def edit_profile(org_yml: Path, **values: str) -> None:
    """Replace each key's value on its own line, as an editor would; comments stay."""
    text = org_yml.read_text()
    for key, value in values.items():
        text, count = re.subn(rf"^{key}:.*$", f"{key}: {value}", text, flags=re.MULTILINE)
        assert count == 1, key
    org_yml.write_text(text)


def profile_template(repo: Path, **values: str) -> Path:
    """A scratch copy of this template whose org.yml carries `values`, committed."""
    repo.mkdir()
    tagged_template_copy(repo)
    if values:
        edit_profile(repo / "org.yml", **values)
        commit_all(repo, "profile")
    return repo


@pytest.fixture(scope="module")
def merged_fork(tmp_path_factory) -> Path:
    """upstream v1.0.0 -> fork (org.yml edited) -> upstream v1.1.0 -> merged into the fork."""
    root = tmp_path_factory.mktemp("org")
    (root / "upstream").mkdir()
    upstream = tagged_template_copy(root / "upstream")
    git(root, "clone", "-q", str(upstream), "fork")
    fork = root / "fork"
    edit_profile(fork / "org.yml", **FORK_PROFILE)
    commit_all(fork, "Our organisation's profile")

    # An upstream release touching copier.yml right at the profile's questions and defaults, the
    # catalog and a rendered file: everything except org.yml.
    copier_yml = upstream / "copier.yml"
    text = copier_yml.read_text()
    for old, new in (
        ("# The organisation profile (org.yml)", "# The organisation profile (org.yml, never in a release)"),
        ("Base URL of the PyTorch indexes (", "Base URL of the PyTorch wheel indexes ("),
        ("help: License (Proprietary", "help: Licence (Proprietary"),
    ):
        assert old in text, old
        text = text.replace(old, new)
    copier_yml.write_text(text)
    catalog = upstream / "catalog.yml"
    default_python = 'default_python_version: "3.12"'
    catalog.write_text(catalog.read_text().replace(default_python, default_python + "  # unchanged"))
    readme = upstream / "template" / "README.md.jinja"
    readme.write_text(readme.read_text() + "\n")
    commit_all(upstream, "v1.1.0")
    git(upstream, "tag", "v1.1.0")

    git(fork, "fetch", "-q", "origin", "--tags")
    merge = subprocess.run(
        ["git", "merge", "--no-edit", "v1.1.0"], cwd=fork, env=GIT_ENV, capture_output=True, text=True
    )
    assert merge.returncode == 0, merge.stdout + merge.stderr
    assert "CONFLICT" not in merge.stdout
    return fork


def test_a_forked_profile_merges_an_upstream_release_without_conflict(merged_fork):
    fork = merged_fork
    assert git(fork, "status", "--porcelain") == ""
    assert "never in a release" in (fork / "copier.yml").read_text()
    assert "Licence (Proprietary" in (fork / "copier.yml").read_text()
    profile = yaml.safe_load((fork / "org.yml").read_text())
    assert profile["index_url"] == MIRROR and profile["offered_backends"] == ["cpu", "cu126", "cu130"]
    # The merge took upstream's release and the fork's profile: the fork differs from the
    # release in org.yml alone.
    assert git(fork, "diff", "--name-only", "v1.1.0", "HEAD").split() == ["org.yml"]


def test_defaults_render_the_organisations_mirror_backends_and_ci(merged_fork, tmp_path):
    project = render(PERSONAL, tmp_path / "p", template=merged_fork)
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["index_url"] == MIRROR
    assert answers["backends"] == ["cpu", "cu126"] and answers["strategy"] == "extras"
    assert sorted(answers["lock_platforms"]) == ["linux-x86_64", "windows-x86_64"]
    assert answers["license"] == "Apache-2.0" and answers["ci"] == "gitlab"
    assert answers["python_version"] == "3.12"
    pyproject = (project / "pyproject.toml").read_text()
    assert f"{MIRROR}/cu126" in pyproject and f"{MIRROR}/cpu" in pyproject
    assert "download.pytorch.org" not in pyproject and "cu130" not in pyproject
    assert "Apache License" in (project / "LICENSE").read_text()
    gitlab_ci = yaml.safe_load((project / ".gitlab-ci.yml").read_text())
    assert gitlab_ci["gpu"]["tags"] == ["a100", "linux"]  # GitHub's own `self-hosted` label dropped


def test_platform_takes_the_profiles_first_accelerator_and_its_gpu_job_the_runner_labels(
    merged_fork, tmp_path
):
    platform = render(
        {**PERSONAL, "strategy": "platform", "ci": "github"}, tmp_path / "pl", template=merged_fork
    )
    answers = yaml.safe_load((platform / ".copier-answers.yml").read_text())
    assert answers["backends"] == ["cu126"]
    ci = yaml.safe_load((platform / ".github" / "workflows" / "ci.yml").read_text())
    assert ci["jobs"]["gpu"]["runs-on"] == ["self-hosted", "a100", "linux"]


def test_single_takes_the_profiles_first_backend(merged_fork, tmp_path):
    single = render({**PERSONAL, "strategy": "single"}, tmp_path / "single", template=merged_fork)
    assert yaml.safe_load((single / ".copier-answers.yml").read_text())["backends"] == ["cpu"]


def test_ci_tests_up_to_the_profiles_newest_python(merged_fork, tmp_path):
    extras = render(
        {**PERSONAL, "ci": "github", "python_version": "3.11"}, tmp_path / "ex", template=merged_fork
    )
    ci = yaml.safe_load((extras / ".github" / "workflows" / "ci.yml").read_text())
    # The organisation's newest Python is the newest CI tests, though torch has wheels for 3.14.
    assert ci["jobs"]["test"]["strategy"]["matrix"]["python"] == ["3.11", "3.12"]


def test_a_user_still_answers_differently_where_the_profile_allows(merged_fork, tmp_path):
    project = render(
        {
            **PERSONAL,
            "backends": ["cu130"],
            "strategy": "single",
            "license": "MIT",
            "python_version": "3.11",
            "index_url": "https://mirror.example.net/whl",
            "lock_platforms": ["linux-aarch64"],
        },
        tmp_path / "p",
        template=merged_fork,
    )
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["backends"] == ["cu130"] and answers["license"] == "MIT"
    assert answers["index_url"] == "https://mirror.example.net/whl" and answers["python_version"] == "3.11"


@pytest.mark.parametrize(
    ("question", "value", "named"),
    [
        (
            "backends",
            ["cpu", "rocm7.2"],
            "rocm7.2 is not offered by the organisation profile (org.yml offered_",
        ),
        (
            "python_version",
            "3.13",
            "Python 3.13 is not supported by the organisation profile (org.yml python_",
        ),
    ],
)
def test_an_answer_outside_the_profile_is_refused_naming_it(merged_fork, tmp_path, question, value, named):
    with pytest.raises(ValueError, match=re.escape(named)) as refusal:
        render({**PERSONAL, question: value}, tmp_path / "p", template=merged_fork)
    assert question in str(refusal.value)
    assert not (tmp_path / "p").exists()


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        ({"offered_backends": "[cpu, cu999]"}, "offered_backends names cu999, not in the catalog"),
        ({"offered_backends": "[cpu, rocm7.2]"}, "template's defaults (cu130) are not all"),
        ({"offered_backends": "[cpu]", "default_backends": "[cpu, xpu]"}, "default_backends names xpu"),
        (
            {"index_url": "https://pypi.example.org/ghp_abcdefghijklmnopqrstuvwxyz0123456789/whl"},
            "index_url is",
        ),
        (
            {"index_url": "https://download.pytorch.org/whl/cu130"},
            "index_url is refused: drop /cu130: give the base URL",
        ),
        ({"lock_platforms": "linux-x86_64"}, "lock_platforms must be a non-empty list"),
        ({"license": "WTFPL"}, "license (WTFPL) is not one of MIT"),
        ({"ci": "jenkins"}, "ci (jenkins) is not one of github, gitlab, none"),
        ({"gpu_runner_labels": '["gpu; rm -rf /"]'}, "gpu_runner_labels must be a non-empty list of runner"),
        ({"python_versions": '["2.7", "3.12"]'}, "python_versions names 2.7, not in the catalog"),
    ],
    ids=lambda value: next(iter(value)) if isinstance(value, dict) else None,
)
def test_a_profile_the_catalog_cannot_honour_is_refused_naming_its_key(tmp_path, edit, named):
    template = profile_template(tmp_path / "template", **edit)
    with pytest.raises(ValueError, match=re.escape(named)) as refusal:
        render(PERSONAL, tmp_path / "p", template=template)
    assert "the organisation profile (org.yml) is not usable" in str(refusal.value)
    assert not (tmp_path / "p").exists()


def test_an_unknown_profile_key_is_refused_by_name(tmp_path):
    (tmp_path / "template").mkdir()
    template = tagged_template_copy(tmp_path / "template")
    org_yml = template / "org.yml"
    org_yml.write_text(org_yml.read_text() + "index-url: https://mirror.example.org/whl\n")
    commit_all(template, "a typo")
    with pytest.raises(ValueError, match="index-url is not a profile key"):
        render(PERSONAL, tmp_path / "p", template=template)


def test_the_profile_is_computed_not_given():
    """org and org_document are hidden answers: given with --data they are refused by name."""
    for name in ("org", "org_document"):
        with pytest.raises(ValueError, match=f"remove --data {name}="):
            render({**PERSONAL, name: {"offered_backends": ["cpu"]}}, Path("/nonexistent/never-written"))


def test_the_shipped_profile_is_neutral_and_says_what_each_key_does():
    """Each key carries its comment, and the shipped values leave every catalog choice open."""
    text = (REPO_ROOT / "org.yml").read_text()
    profile = yaml.safe_load(text)
    lines = text.splitlines()
    for key in profile:
        (at,) = [i for i, line in enumerate(lines) if line.startswith(f"{key}:")]
        assert lines[at - 1].startswith("# "), f"{key} has no comment above it"
    assert profile["offered_backends"] is None and profile["python_versions"] is None
    assert profile["default_backends"] is None and profile["index_url"] is None


@pytest.mark.slow
def test_a_profile_that_stops_offering_a_recorded_backend_stops_the_update_naming_it(tmp_path):
    """A project keeps cu130; the organisation then drops it from offered_backends. The update
    refuses with the profile's reason instead of Copier's 'invalid choice' or a silent change."""
    template = profile_template(tmp_path / "template")
    project = render({**PERSONAL, "backends": ["cpu", "cu130"]}, tmp_path / "p", template=template)
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "rendered")
    edit_profile(template / "org.yml", offered_backends="[cpu, cu126]", default_backends="[cpu, cu126]")
    commit_all(template, "we stop offering cu130")
    with pytest.raises(ValueError, match=re.escape("cu130 is not offered by the organisation profile")):
        run_update(str(project), defaults=True, overwrite=True, unsafe=False, quiet=True, vcs_ref="HEAD")
    assert "cu130" in (project / "pyproject.toml").read_text(), "nothing changed"
