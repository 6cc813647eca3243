"""Free text, names and index URLs: what the template accepts renders safely, what it cannot render
safely is refused before anything is written, naming the question and what to do.

tests/test_generative.py draws answer sets from the whole interface; these are the classes it is
built to find, one readable case each, plus the facts behind the name rules.
"""

from __future__ import annotations

import ast
import importlib.metadata
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest
import yaml

from tests.validators import ENVIRONMENT
from uv_torch_template.catalog import load
from uv_torch_template.expectations.matrix import BASE_ANSWERS, Combo
from uv_torch_template.harness import questions
from uv_torch_template.harness.render import render
from uv_torch_template.harness.uvrun import run_uv, uv_environment

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

RESERVED = load().reserved_names
VALID = {**BASE_ANSWERS, "strategy": "extras", "backends": ["cpu", "cu130"], "torch_version": "2.13"}


def refusal(tmp_path: Path, **change) -> str:
    """Copier's refusal of VALID with `change`, through copier.yml's own questions (plain Jinja,
    no render: uv_torch_template.harness.questions). That Copier refuses with the same words and
    writes nothing is tests/test_refusals.py's check, one refusal of each kind."""
    refused = questions.refusal({**VALID, **change})
    assert refused is not None, f"accepted: {change}"
    return str(refused)


# --------------------------------------------------------------------------------------------
# Free text: escaped for TOML, kept out of Python, refused where it cannot be one line.

HOSTILE_TEXT = [
    'A "quoted" model',
    "Dept\\Lab\\",
    'x"\nurls = { Homepage = "https://evil.example" } #'.replace("\n", " "),
    '"""; import os  # ',
    "\u00dcn\u00efc\u00f8d\u00e9 \u2014 \u201csmart\u201d \u2018quotes\u2019 \u6a21\u578b \U0001f680",
    "a" * 400,
    "<script>alert(1)</script> | `code` *star* _under_ [link](x) # not a heading",
]


@pytest.mark.parametrize("text", HOSTILE_TEXT, ids=range(len(HOSTILE_TEXT)))
def test_free_text_round_trips_through_pyproject_and_stays_out_of_python(tmp_path, text):
    project = render(
        {**VALID, "description": text, "author_name": text.replace(",", " ")}, tmp_path / "project"
    )
    meta = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    assert meta["description"] == text
    assert meta["authors"][0]["name"] == text.replace(",", " ")
    assert "urls" not in meta, "free text cannot inject a table"
    for path in project.rglob("*.py"):
        source = path.read_text()
        ast.parse(source)
        assert text not in source, f"{path.name} carries free text"
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["description"] == text


@pytest.mark.parametrize(
    "question,value",
    [
        ("description", "two\nlines"),
        ("description", "tab\there"),
        ("author_name", "nul\x00byte"),
        ("description", "line\u2028separator"),
        ("description", "bidi \u202eoverride"),
        ("author_name", "Lovelace, Ada"),
        ("description", "x" * 501),
    ],
)
def test_text_that_cannot_be_one_line_is_refused(tmp_path, question, value):
    message = refusal(tmp_path, **{question: value})
    assert f"'{question}'" in message


@pytest.mark.parametrize("email", ['a"b@example.org', "a b@example.org", "a\\b@example.org", "x@y", "@x.org"])
def test_email_must_be_a_plain_address(tmp_path, email):
    assert "give name@example.org" in refusal(tmp_path, author_email=email)


# --------------------------------------------------------------------------------------------
# Names: nothing the project installs, nothing the standard library has, nothing too long.


@pytest.mark.parametrize(
    "name",
    ["torch", "Torch", "triton", "pytest", "Jinja2", "JINJA2", "typing.extensions", "nvidia-cudnn-cu13"],
)
def test_project_name_cannot_be_an_installed_distribution(tmp_path, name):
    message = refusal(tmp_path, project_name=name, package_name="my_model")
    assert "'project_name'" in message and "choose another name" in message


@pytest.mark.parametrize("name", ["json", "typing", "_ast", "asyncio", "numpy", "PIL", "functorch", "nvidia"])
def test_package_name_cannot_shadow_a_module(tmp_path, name):
    message = refusal(tmp_path, package_name=name)
    assert "'package_name'" in message and "choose another: shadows a module" in message


@pytest.mark.parametrize("name", ["con", "NUL", "com1", "Lpt9"])
def test_package_name_cannot_be_a_windows_device(tmp_path, name):
    assert "choose another: a Windows device" in refusal(tmp_path, package_name=name)


@pytest.mark.parametrize("question", ["project_name", "package_name"])
def test_names_past_a_sane_length_are_refused(tmp_path, question):
    name = "a" * (RESERVED.max_length + 1)
    assert f"keep it to {RESERVED.max_length}" in refusal(tmp_path, **{question: name})


def test_a_name_at_the_length_limit_renders(tmp_path):
    name = "m" * RESERVED.max_length
    project = render({**VALID, "project_name": name, "package_name": name}, tmp_path / "project")
    assert (project / "src" / name / "__init__.py").is_file()


# What an interpreter imports before a project's package: the standard library, built-in and
# frozen modules (frozen __hello__ wins over src/__hello__/), and what is loaded at start-up
# (__main__ is the running script).
FIRST_ON_THE_PATH = (
    "import sys; frozen = getattr(__import__('_imp'), '_frozen_module_names', tuple)(); "
    "print(' '.join({*sys.stdlib_module_names, *sys.builtin_module_names, *frozen, *sys.modules}))"
)


def test_stdlib_list_covers_every_python_here():
    """catalog.yml's stdlib list is the union over CPython 3.10-3.14: check it against each
    interpreter this machine has."""
    listed = set(RESERVED.stdlib)
    assert set(sys.stdlib_module_names) <= listed
    assert {"__main__", "__hello__", "__phello__"} <= listed
    for minor in load().python_versions:
        found = subprocess.run(
            ["uv", "python", "find", minor], capture_output=True, text=True, check=False
        ).stdout.strip()
        if not found:
            continue
        names = subprocess.run(
            [found, "-S", "-c", FIRST_ON_THE_PATH], capture_output=True, text=True, check=True
        ).stdout.split()
        top_level = {name for name in names if "." not in name}
        assert top_level <= listed, (minor, sorted(top_level - listed))


def test_reserved_modules_cover_what_the_reserved_distributions_install():
    """For each reserved distribution installed in this environment, its top-level modules are
    reserved package names (packages_distributions reads their RECORD files)."""
    distributions = {name.lower() for name in RESERVED.distributions}
    checked = set()
    for module, owners in importlib.metadata.packages_distributions().items():
        if module.startswith("__") or module.endswith("__mypyc") or not module.isidentifier():
            continue
        for owner in owners:
            if owner.lower().replace("_", "-") in distributions:
                checked.add(owner)
                assert module in RESERVED.modules or module in RESERVED.stdlib, (owner, module)
    assert {"pytest", "jinja2"} <= {name.lower() for name in checked}


# --------------------------------------------------------------------------------------------
# index_url: a base URL, no secret, no query; what to do with a suffix.


@pytest.mark.parametrize(
    "url,advice",
    [
        ("https://user:s3cr3t@mirror.example/whl", "credentials before '@'"),
        ("https://s3cr3t-token@mirror.example/whl", "credentials before '@'"),
        ("https://mirror.example/whl?x=1", "query or fragment"),
        ("https://mirror.example/whl#frag", "query or fragment"),
        ("https://mirror.example/t/ghp_aaaaBBBBccccDDDD1234/whl", "access token"),
        ("https://mirror.example/f0e1d2c3b4a5968778695a4b3c2d1e0f1a2b3c4d/whl", "access token"),
        ("https://mirror.example/simple", "drop /simple"),
        ("https://mirror.example/whl/cu130", "drop /cu130"),
        ("https://mirror.example/whl/rocm7.2/", "drop /rocm7.2"),
        ("ftp://mirror.example/whl", "https:// (or http://)"),
        ('https://mirror.example/w"hl', "percent-encode"),
    ],
)
def test_index_url_is_a_plain_base_without_secrets(tmp_path, url, advice):
    message = refusal(tmp_path, index_url=url)
    assert "'index_url'" in message and advice in message
    for secret in ("s3cr3t", "ghp_aaaaBBBBccccDDDD1234", "f0e1d2c3b4a5968778695a4b3c2d1e0f1a2b3c4d"):
        assert secret not in message, "a refusal must not echo the secret into logs"


@pytest.mark.parametrize(
    "url,base",
    [
        ("https://mirror.example/api/pypi/pytorch/whl/", "https://mirror.example/api/pypi/pytorch/whl"),
        ("http://127.0.0.1:8080/whl", "http://127.0.0.1:8080/whl"),
        ("http://devpi.internal:3141/root/pytorch//", "http://devpi.internal:3141/root/pytorch"),
    ],
)
def test_index_url_is_normalised_and_plain_http_is_accepted(tmp_path, url, base):
    project = render({**VALID, "index_url": url}, tmp_path / "project")
    indexes = tomllib.loads((project / "pyproject.toml").read_text())["tool"]["uv"]["index"]
    assert [index["url"] for index in indexes] == [f"{base}/cpu", f"{base}/cu130"]


# --------------------------------------------------------------------------------------------
# Internal answers cannot be given.


@pytest.mark.parametrize("name", ["plan", "catalog", "catalog_document"])
def test_computed_answers_cannot_be_given(tmp_path, name):
    message = refusal(tmp_path, **{name: {}})
    assert f"'{name}'" in message and f"remove --data {name}=" in message


@pytest.mark.lock
@pytest.mark.parametrize(
    "combo",
    [
        Combo(
            "extras",
            ("cpu", "cu126", "cu128", "cu130", "rocm6.4", "xpu"),
            "2.9",
            python_version="3.10",
            torch_packages=("torchvision", "torchaudio"),
        ),
        Combo("extras", ("cpu", "cu130", "cu132", "rocm7.2", "xpu"), "2.14", torch_packages=("torchvision",)),
        Combo("pypi", (), "2.13", python_version="3.13"),
    ],
    ids=lambda combo: combo.id,
)
def test_reserved_distributions_cover_every_package_a_lock_installs(standin, tmp_path, combo):
    """What a project named like any package in its own lock runs into: every name uv.lock holds
    (on every index and platform) is reserved for project_name."""
    project = render(combo.answers(index_url=standin.url), tmp_path / "project")
    run_uv(project, "lock").check()
    names = {package["name"] for package in tomllib.loads((project / "uv.lock").read_text())["package"]}
    names.discard(combo.answers()["project_name"])
    prefixes = tuple(RESERVED.distribution_prefixes)
    missing = sorted(n for n in names if n not in RESERVED.distributions and not n.startswith(prefixes))
    assert not missing, f"add to catalog.yml reserved_names.distributions: {missing}"


# --------------------------------------------------------------------------------------------
# Free text in README.md: a CommonMark parser we did not write reads every escaped text as one
# plain paragraph showing the text as typed.

MARKDOWN_STARTS = ["- item", "* item", "+ item", "1. item", "7) item", "# heading", "> quote", "```",
    "~~~", "<div>x</div>", "| a | b |", "===", "---", "code", "[link](x)", "![img](x)", "`code`",
    "&amp; &#42;", "\\*not em\\*", "_under_ and **strong**"]  # fmt: skip


def test_escaped_free_text_is_one_plain_paragraph_in_commonmark(tmp_path):
    escape = ENVIRONMENT.from_string(
        "{% from 'includes/markdown.jinja' import escape_markdown %}{{ escape_markdown(text) }}"
    )
    texts = [" " * indent + start for indent in range(9) for start in MARKDOWN_STARTS]
    document = tmp_path / "README.md"
    document.write_text("".join(escape.render(text=text) + "\n\n" for text in texts))
    html = subprocess.run(
        ["uv", "tool", "run", "--from", "markdown-it-py==4.0.0", "markdown-it", str(document)],
        env=uv_environment(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    paragraphs = html.strip().split("\n")
    assert len(paragraphs) == len(texts), "each text is one block"
    for text, paragraph in zip(texts, paragraphs, strict=True):
        assert paragraph.startswith("<p>") and paragraph.endswith("</p>"), (text, paragraph)
        assert unescape(paragraph[3:-4]) == text.strip(), (text, paragraph)
