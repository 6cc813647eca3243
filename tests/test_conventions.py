"""What users of other Python project templates expect to find: a license, `py.typed`, dependency
update bots, a trusted-publishing workflow for libraries, a README that shows the description as
typed, and the next steps printed after a render."""

from __future__ import annotations

import re
import subprocess
import warnings
from datetime import date
from pathlib import Path

import copier
import jinja2
import pytest
import tomli

from uv_torch_template.checks.project import tool
from uv_torch_template.expectations.matrix import BASE_ANSWERS
from uv_torch_template.harness.render import REPO_ROOT, render

LICENSES = {
    "MIT": "Permission is hereby granted, free of charge",
    "Apache-2.0": "Apache License\n                           Version 2.0, January 2004",
    "BSD-3-Clause": "Redistribution and use in source and binary forms",
    "GPL-3.0-or-later": "GNU GENERAL PUBLIC LICENSE\n                       Version 3, 29 June 2007",
}


@pytest.mark.parametrize("license", [*LICENSES, "Proprietary"])
def test_license_file_and_field(tmp_path, license):
    project = render({**BASE_ANSWERS, "backends": ["cpu"], "license": license}, tmp_path / "p")
    project_table = tomli.loads((project / "pyproject.toml").read_text())["project"]
    if license == "Proprietary":
        assert not (project / "LICENSE").exists()
        assert "license" not in project_table
        return
    text = (project / "LICENSE").read_text()
    assert LICENSES[license] in text
    assert len(text) > {"Apache-2.0": 11000, "GPL-3.0-or-later": 35000}.get(license, 1000), "the full text"
    if license in ("MIT", "BSD-3-Clause"):
        assert f"{date.today().year}" in text and BASE_ANSWERS["author_name"] in text
    assert project_table["license"] == license and project_table["license-files"] == ["LICENSE"]


def test_package_is_typed(tmp_path):
    project = render({**BASE_ANSWERS, "backends": ["cpu"]}, tmp_path / "p")
    assert (project / "src" / BASE_ANSWERS["package_name"] / "py.typed").is_file()


def test_github_library_gets_dependabot_and_a_trusted_publishing_workflow(tmp_path):
    project = render({**BASE_ANSWERS, "strategy": "library", "ci": "github"}, tmp_path / "p")
    github = project / ".github"
    dependabot = (github / "dependabot.yml").read_text()
    assert "package-ecosystem: github-actions" in dependabot and "package-ecosystem: uv" in dependabot
    publish = (github / "workflows" / "publish.yml").read_text()
    assert re.search(r"uses: pypa/gh-action-pypi-publish@[0-9a-f]{40} # v\d", publish)
    assert publish.count("id-token: write") == 1
    publish_job = publish[publish.index("\n  publish:") :]
    assert "id-token: write" in publish_job and "name: pypi" in publish_job
    for schema, path in (
        ("vendor.github-workflows", github / "workflows" / "publish.yml"),
        ("vendor.dependabot", github / "dependabot.yml"),
    ):
        result = subprocess.run(
            [tool("check-jsonschema"), "--builtin-schema", schema, str(path)], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr
    zizmor = subprocess.run([tool("zizmor"), "--offline", str(github)], capture_output=True, text=True)
    assert zizmor.returncode == 0 and "No findings to report" in zizmor.stdout, zizmor.stdout + zizmor.stderr


def test_only_libraries_publish_and_gitlab_gets_renovate(tmp_path):
    app = render({**BASE_ANSWERS, "backends": ["cpu"], "ci": "github"}, tmp_path / "app")
    assert not (app / ".github" / "workflows" / "publish.yml").exists()
    assert not (app / "renovate.json").exists()
    gitlab = render({**BASE_ANSWERS, "backends": ["cpu"], "ci": "gitlab"}, tmp_path / "gitlab")
    assert not (gitlab / ".github").exists()
    result = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.renovate", str(gitlab / "renovate.json")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_description_is_shown_as_typed_in_the_readme(tmp_path):
    """Free text in Markdown: every character that would change the page is escaped."""
    description = "# Not a heading: <b>bold</b> *stars* _under_ [link](x) `code` | pipe ~~strike~~ &amp; \\"
    project = render({**BASE_ANSWERS, "backends": ["cpu"], "description": description}, tmp_path / "p")
    readme = (project / "README.md").read_text()
    line = readme.splitlines()[2]
    # Unescaping CommonMark's backslash escapes gives back the text exactly ...
    assert re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", line) == description
    # ... and no special character is left unescaped.
    assert not re.search(r"(?<!\\)[#<>*_\[\]`|~&]", line.replace("\\\\", "")), line


def test_next_steps_are_printed_after_copy(tmp_path, capsys):
    """What a new user sees after `copier copy`: git init, uv lock, the doctor, the sync that fits."""

    def after_copy(destination: Path, **answers) -> str:
        with warnings.catch_warnings():  # rendering from a working tree with uncommitted changes
            warnings.simplefilter("ignore", copier.errors.DirtyLocalWarning)
            data = {**BASE_ANSWERS, **answers}
            copier.run_copy(
                str(REPO_ROOT), str(destination), data=data, defaults=True, unsafe=False, vcs_ref="HEAD"
            )
        return capsys.readouterr().err

    extras = after_copy(tmp_path / "a", strategy="extras", backends=["cpu", "cu130"])
    library = after_copy(tmp_path / "b", strategy="library")
    for output in (extras, library):
        assert "git init && git add -A && git commit" in output and "uv lock" in output
        assert "uv run --no-sync pytest" in output
    assert "uv run tools/pytorch_doctor.py" in extras
    assert "uv sync --extra cpu" in extras and "uv sync --extra cu130" in extras
    assert "pytorch_doctor" not in library and "\n  uv sync " in library
    steps = extras[extras.index("Next steps") :]
    # 80 columns, but for the destination path the user typed.
    assert all(len(line) <= 80 for line in steps.splitlines() if not line.startswith("  cd ")), steps


def test_update_steps_have_one_order_everywhere(tmp_path):
    """The steps after `copier update` come from includes/steps.jinja: the rendered docs and
    Copier's after-update message give them verbatim, and the template's README in that order."""
    macros = jinja2.Environment().from_string((REPO_ROOT / "includes" / "steps.jinja").read_text()).module
    steps = str(macros.update_steps("SYNC")).splitlines()
    order = [line.split()[0] + " " + line.split()[1] for line in steps]
    assert order == ["git diff", "uv lock", "SYNC &&"]

    project = render({**BASE_ANSWERS, "backends": ["cpu"]}, tmp_path / "p")
    docs = (project / "docs" / "pytorch.md").read_text()
    block = docs[docs.index("## Update from the template") :].split("```sh\n")[1].split("```")[0]
    assert "\n".join(str(macros.update_steps("uv sync --extra cpu")).splitlines()) in block

    copier_yml = (REPO_ROOT / "copier.yml").read_text()
    message = copier_yml[copier_yml.index("_message_after_update: |") :]
    assert "{% from 'includes/steps.jinja' import update_steps %}{{ update_steps(" in message
    assert "git diff" not in message and "uv lock" not in message, "written once, in steps.jinja"

    readme = (REPO_ROOT / "README.md").read_text()
    current = readme[readme.index("## Keeping a rendered project current") :]
    current = current.split("```bash\n")[1].split("```")[0]
    lines = [line.split("#")[0].rstrip() for line in current.splitlines()]
    expected = [line.split("#")[0].rstrip() for line in macros.update_steps("SYNC").splitlines()]
    assert (
        lines[-3:-1] == expected[:2]
        and lines[-1].startswith("uv sync")
        and lines[-1].endswith(expected[2].removeprefix("SYNC"))
    )
