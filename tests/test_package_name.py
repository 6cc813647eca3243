"""package_name: every name that would break the rendered project is refused, saying first what to
choose; and each list of names the validator reads (catalog.yml reserved_names) is checked against
what it describes, judged by tools we did not write: git, the wheels' own RECORD files, Python.

The validator is called directly (tests/validators.py); test_answer_safety.py shows the same
refusals stopping `copier copy` with nothing written.
"""

from __future__ import annotations

import os
import re
import subprocess
import zipfile
from dataclasses import astuple
from pathlib import Path, PurePosixPath

import pytest

from tests.validators import verdict
from uv_torch_template.catalog import REPO_ROOT, load
from uv_torch_template.harness.uvrun import uv_binary, uv_environment

RESERVED = load().reserved_names
TEMPLATE = REPO_ROOT / "template"


def package_name_verdict(name: str) -> str:
    return verdict("check_package_name", package_name=name)


@pytest.mark.parametrize(
    "name,why",
    [
        ("build", "git ignores it"),
        ("dist", "git ignores it"),
        ("__pycache__", "git ignores it"),
        ("test_smoke", "a test module"),
        ("__main__", "shadows a module"),
        ("__hello__", "shadows a module"),
        ("__phello__", "shadows a module"),
        ("isympy", "shadows a module"),
    ],
)
def test_names_that_break_the_project_are_refused_saying_what_to_pick_first(name, why):
    assert package_name_verdict(name) == f"choose another: {why}"


@pytest.mark.parametrize("name", ["my_model", "builder", "distance", "test_utils", "smoke", "main_", "m"])
def test_names_near_the_reserved_ones_are_accepted(name):
    assert package_name_verdict(name) == ""


def test_git_ignored_names_are_what_the_rendered_gitignore_ignores(tmp_path):
    """`git check-ignore` on src/<name>/__init__.py, with the .gitignore the project gets (copied
    verbatim: it is not a template), for every name the file mentions and every reserved name."""
    gitignore = TEMPLATE / ".gitignore"
    assert not list(TEMPLATE.glob(".gitignore.jinja")), "the test reads the file Copier copies as is"
    (tmp_path / ".gitignore").write_text(gitignore.read_text())
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    candidates = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", gitignore.read_text()))
    candidates |= {name for names in astuple(RESERVED) if isinstance(names, tuple) for name in names}
    candidates = sorted(name for name in candidates if name.isidentifier())
    paths = "".join(f"src/{name}/__init__.py\n" for name in candidates)
    ignored = subprocess.run(
        ["git", "check-ignore", "--stdin"],
        cwd=tmp_path,
        input=paths,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    ignored_names = {PurePosixPath(path).parts[1] for path in ignored}
    assert ignored_names == set(RESERVED.git_ignored)


def test_test_modules_are_the_templates_tests_folder():
    """Each file of template/tests/, its Jinja condition and suffix taken off, is a module name."""
    modules = {
        re.sub(r"\{%.*?%\}", "", path.name).removesuffix(".jinja").removesuffix(".py")
        for path in (TEMPLATE / "tests").iterdir()
    }
    assert modules == set(RESERVED.test_modules)


# Distributions a project's lock installs that PyPI serves as wheels of a sane size: the wheels
# themselves say what top-level modules they install (RECORD). torch comes from PIP_FIND_LINKS
# when the machine has it; the CUDA, ROCm and oneAPI runtimes install no importable top level
# of their own beyond the `nvidia` / `cuda` namespaces listed by hand.
FROM_PYPI = [
    "numpy", "jinja2", "markupsafe", "sympy", "mpmath", "networkx", "filelock", "fsspec",
    "typing-extensions", "pillow", "setuptools", "pytest", "pluggy", "iniconfig", "packaging",
    "pygments", "exceptiongroup", "tomli", "colorama",
]  # fmt: skip


def top_level_modules(record_lines: list[str]) -> set[str]:
    """The importable top-level names a wheel's RECORD installs: single modules (`isympy.py`,
    `_foo.cpython-312-x86_64-linux-gnu.so`) and packages (folders holding Python files); scripts
    and data (bin/, share/) are not importable."""
    names = set()
    for line in record_lines:
        path = PurePosixPath(line.split(",")[0])
        if path.suffix not in (".py", ".so", ".pyd"):
            continue
        top = path.parts[0] if len(path.parts) > 1 else path.name.split(".")[0]
        if top.isidentifier() and not top.endswith("__mypyc"):
            names.add(top)
    return names


def test_reserved_modules_cover_the_top_level_modules_of_the_locked_wheels(tmp_path):
    installed = subprocess.run(
        [uv_binary(), "pip", "install", "--target", str(tmp_path), "--no-deps", "--python", "3.12",
         *FROM_PYPI],
        # uv_environment() pins PyPI in time (UV_EXCLUDE_NEWER), as every uv run of the suite.
        env=uv_environment(), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    records = {
        path.parent.name: path.read_text().splitlines() for path in tmp_path.glob("*.dist-info/RECORD")
    }
    assert len(records) == len(FROM_PYPI)
    wheels = Path(os.environ.get("PIP_FIND_LINKS", "/nonexistent"))
    for wheel in wheels.glob("torch-*.whl") if wheels.is_dir() else []:
        with zipfile.ZipFile(wheel) as archive:
            (record,) = (name for name in archive.namelist() if name.endswith(".dist-info/RECORD"))
            records[wheel.name] = archive.read(record).decode().splitlines()
    reserved = set(RESERVED.modules) | set(RESERVED.stdlib)
    missing = {owner: sorted(top_level_modules(lines) - reserved) for owner, lines in records.items()}
    assert not {owner: names for owner, names in missing.items() if names}, "add to reserved_names.modules"
    assert "isympy" in top_level_modules(records[next(name for name in records if name.startswith("sympy"))])
