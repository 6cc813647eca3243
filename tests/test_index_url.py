"""index_url: what the validator accepts, uv parses; what carries a secret is refused without
quoting it.

The validator is called directly (tests/validators.py) over a corpus of hosts, ports and schemes;
uv itself judges every accepted URL in a tiny pyproject.toml. test_answer_safety.py checks that
the same refusals stop `copier copy` with nothing written.
"""

from __future__ import annotations

import itertools
import random
import string
import subprocess
from pathlib import Path

import pytest

from tests.validators import verdict
from uv_torch_template.harness.uvrun import uv_binary, uv_environment


def index_url_verdict(url: str) -> str:
    return verdict("check_index_url", index_url=url)


# --------------------------------------------------------------------------------------------
# Secrets in the path: told by shape, after percent-decoding; never quoted back.

# (URL, the secret part no message may quote, words of the advice)
PATH_SECRETS = {
    "gemfury": ("https://pypi.fury.io/q1W2e3R4t5Y6u7I8o9P0/myorg/", "q1W2e3R4t5Y6u7I8o9P0", "access token"),
    "cloudsmith": (
        "https://dl.cloudsmith.io/AbCdEf1234567890/org/repo/whl",
        "AbCdEf1234567890",
        "access token",
    ),
    "gitlab-deploy-token": (
        "https://gitlab.example/gldt-AbcDefGhiJkl123/whl",
        "gldt-AbcDefGhiJkl123",
        "access token",
    ),
    "jwt": (
        "https://m.example/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N/whl",
        "eyJhbGciOiJIUzI1NiJ9",
        "access token",
    ),
    "google-oauth": ("https://m.example/ya29.a0AfH6SMBxyz/whl", "ya29.a0AfH6SMBxyz", "access token"),
    "percent-encoded-prefix": (
        "https://m.example/%67hp_aaaaBBBBccccDDDD1234/whl",
        "aaaaBBBBcccc",
        "access token",
    ),
    "percent-encoded-body": (
        "https://m.example/t/%71%31W2e3R4t5Y6u7I8o9P0/whl",
        "W2e3R4t5Y6u7I8o9P0",
        "access token",
    ),
    "lowercase-hex-40": (
        "https://m.example/f0e1d2c3b4a5968778695a4b3c2d1e0f1a2b3c4d/whl",
        "f0e1d2c3b4a59687",
        "access token",
    ),
    "path-parameter": ("https://m.example/whl;token=s3cr3tvalue", "s3cr3tvalue", "path parameter"),
    "path-parameter-mid": (
        "https://m.example/api;jsessionid=s3cr3tvalue/whl",
        "s3cr3tvalue",
        "path parameter",
    ),
    "query": ("https://m.example/whl?token=s3cr3tvalue", "s3cr3tvalue", "query or fragment"),
    "fragment": ("https://m.example/whl#s3cr3tvalue", "s3cr3tvalue", "query or fragment"),
    "query-on-a-wrong-scheme": ("ftp://m.example/whl?token=s3cr3tvalue", "s3cr3tvalue", "https://"),
    "userinfo": ("https://user:s3cr3tvalue@m.example/whl", "s3cr3tvalue", "credentials before '@'"),
}


@pytest.mark.parametrize("url,secret,advice", PATH_SECRETS.values(), ids=PATH_SECRETS.keys())
def test_a_secret_anywhere_in_the_url_is_refused_and_never_quoted(url, secret, advice):
    message = index_url_verdict(url)
    assert advice in message
    assert secret not in message and "token=" not in message, "a refusal reaches logs: it quotes no secret"


# Real mirror layouts (Artifactory, Nexus, devpi, GitLab, CodeArtifact, Azure Artifacts, Google
# Artifact Registry, S3 behind CloudFront): no token shape in their paths.
MIRRORS = [
    "https://download.pytorch.org/whl",
    "https://artifactory.example.com/artifactory/api/pypi/pytorch-remote/whl",
    "https://nexus.example.com/repository/pytorch-proxy/whl",
    "http://devpi.internal:3141/root/pytorch",
    "https://gitlab.example.com/api/v4/projects/12345/packages/pypi/whl",
    "https://my-domain-111122223333.d.codeartifact.us-west-2.amazonaws.com/pypi/pytorch/whl",
    "https://pkgs.dev.azure.com/contoso/ml-platform/_packaging/pytorch-feed/pypi/whl",
    "https://europe-west4-python.pkg.dev/my-project-123456/pytorch-mirror/whl",
    "https://d1a2b3c4d5e6f7.cloudfront.net/pytorch/whl",
    "https://mirrors.example.edu/pytorch/whl/2026-12-01",
    "https://mirror.example/whl/nightly-v2.13.0-rc1",
    "https://mirror.example/pytorch-feed-v2-mirror-eu-west-1/whl",
    "https://pkgs.example/feeds/3f2b1c4e-8a9d-4e2f-b1c3-9d8e7f6a5b4c/whl",
]


@pytest.mark.parametrize("url", MIRRORS)
def test_ordinary_mirror_paths_are_accepted(url):
    assert index_url_verdict(url) == ""


# --------------------------------------------------------------------------------------------
# Hosts and ports: accepted only where uv's URL parser accepts them.

SCHEMES = ["https", "http", "HTTPS", "HtTp"]
HOSTS = [
    "mirror.example",
    "Mirror.EXAMPLE",
    "localhost",
    "my_host.internal",
    "a..b",
    "-a-.example",
    "ab--cd.example",
    "999",
    "1.2.3.4",
    "1.2.3.4.",
    "1.2.3.256",
    "0x7f.1",
    "010.0.0.1",
    "127.1",
    "",
    "mi%41rror.example",
    "mirror%00.example",
    "xn--bcher-kva.example",
    "xn--a-",
    "x.xn--",
    "xn--a",  # Punycode of U+0080, a C1 control
    "xn--zz.example",
    "xn--ls8h.la",
    "xn--mnchen-3ya.example",
    "xn--fiqs8s",
    "xn--80ak6aa92e.example",
    "[::1]",
    "[::]",
    "[2001:db8::1]",
    "[2001:db8:0:0:0:0:0:1]",
    "[fe80::1%25eth0]",
    "[1:2:3:4:5:6:7:8:9]",
    "[1::2::3]",
    "[::ffff:1.2.3.4]",
    "[12345::1]",
    "[mirror.example]",
]
PORTS = ["", ":", ":0", ":1", ":8080", ":65535", ":65536", ":99999", ":-1", ":abc", ":080"]
# Every host with every port; the scheme's case takes turns (it never interacts with the rest).
CORPUS = [
    f"{SCHEMES[number % len(SCHEMES)]}://{host}{port}/whl"
    for number, (host, port) in enumerate(itertools.product(HOSTS, PORTS))
]


def uv_parse_failures(urls: list[str], folder: Path) -> list[str]:
    """The URLs uv cannot parse as index URLs: one pyproject.toml declares them all (one uv run),
    and only when it fails is each tried alone to name the culprits."""

    def fails(batch: list[str]) -> bool:
        indexes = "".join(
            f'[[tool.uv.index]]\nname = "probe-{number}"\nurl = "{url}"\nexplicit = true\n\n'
            for number, url in enumerate(batch)
        )
        (folder / "pyproject.toml").write_text(
            '[project]\nname = "probe"\nversion = "0"\nrequires-python = ">=3.10"\n'
            f"dependencies = []\n\n{indexes}"
        )
        (folder / "uv.lock").unlink(missing_ok=True)
        result = subprocess.run(
            [uv_binary(), "lock", "--offline", "--no-cache"],
            cwd=folder,
            env=uv_environment(),
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0 or "Failed to parse" in result.stderr, result.stderr
        return result.returncode != 0

    return [url for url in urls if fails([url])] if fails(urls) else []


def test_every_accepted_host_and_port_parses_in_uv(tmp_path):
    accepted = [url for url in CORPUS if not index_url_verdict(url)]
    assert not uv_parse_failures(accepted, tmp_path), "accepted, yet uv cannot parse them"
    # The corpus holds both kinds, so neither half of the property is empty.
    assert len(accepted) >= 50
    assert len(accepted) <= len(CORPUS) - 100


@pytest.mark.parametrize(
    "url,advice",
    [
        ("https://mirror.example:99999/whl", "a port from 1 to 65535"),
        ("https://mirror.example:abc/whl", "a port from 1 to 65535"),
        ("https://[fe80::1%25eth0]/whl", "IPv6 like [2001:db8::1]"),
        ("https://[1:2:3:4:5:6:7:8:9]/whl", "IPv6 like [2001:db8::1]"),
        ("https:///whl", "add a host"),
        ("https://:8080/whl", "add a host"),
        ("https://mi%41rror.example/whl", "only a-z, 0-9"),
        ("https://1.2.3.256/whl", "4 numbers, 0 to 255"),
        ("https://x.xn--/whl", "xn-- labels"),
        ("https://xn--a.example/whl", "xn-- labels"),
    ],
)
def test_a_host_or_port_uv_cannot_parse_is_refused_with_what_to_write(url, advice):
    message = index_url_verdict(url)
    assert advice in message


def test_the_scheme_is_case_insensitive():
    assert index_url_verdict("HTTPS://mirror.example/whl") == ""
    assert index_url_verdict("Http://127.0.0.1:8080/whl") == ""


def test_random_tokens_of_every_common_alphabet_are_refused_as_path_segments():
    """Registries mint tokens as random strings: base62 of 16 characters and more, hex of 32 and
    more, base64url of 20 and more. Whatever the draw, the shape gives them away (seeded, so a
    failure reproduces)."""
    draw = random.Random(14)
    alphabets = {
        string.ascii_letters + string.digits: range(16, 41),
        string.hexdigits.lower()[:16]: range(32, 65),
        string.ascii_letters + string.digits + "-_": range(20, 41),
    }
    for alphabet, lengths in alphabets.items():
        for _ in range(300):
            token = "".join(draw.choice(alphabet) for _ in range(draw.choice(lengths)))
            url = f"https://registry.example/{token}/pytorch/whl"
            assert "access token" in index_url_verdict(url), token


def python_reads_as_idna(label: str) -> bool:
    """Python's own Punycode codec: the label decodes, and what it encodes is outside ASCII."""
    try:
        name = label[4:].encode().decode("punycode")
    except (UnicodeError, ValueError, IndexError):
        return False
    return any(ord(c) >= 0xA0 for c in name) and all(ord(c) >= 0xA0 or c.isalnum() or c == "-" for c in name)


def test_xn_labels_are_judged_as_pythons_punycode_codec_and_uv_judge_them(tmp_path):
    """Every accepted xn-- label decodes with Python's codec; one Python decodes but the validator
    refuses (a payload starting with '-') is one uv refuses too."""
    draw = random.Random(3492)
    labels = []
    for _ in range(30):
        ranges = [(0x61, 0x7A), (0xE0, 0x24F), (0x3B1, 0x3C9), (0x430, 0x44F), (0x4E00, 0x9FFF)]
        name = "".join(chr(draw.randint(*draw.choice(ranges))) for _ in range(draw.randint(1, 10)))
        encoded = "xn--" + name.encode("punycode").decode()
        cut = draw.randrange(4, len(encoded))
        labels += [encoded, encoded[:-1], encoded + draw.choice("a9z"), encoded[:cut] + encoded[cut + 1 :]]
    refused_yet_decodable = []
    for label in labels:
        url = f"https://{label}.example/whl"
        if index_url_verdict(url) == "":
            assert python_reads_as_idna(label), label
        elif python_reads_as_idna(label):
            refused_yet_decodable.append(url)
    assert sorted(uv_parse_failures(refused_yet_decodable, tmp_path)) == sorted(refused_yet_decodable)


# Copier's prefix before a validator's message, in the prompt's one-line toolbar and in its error.
PREFIX = "Validation error for question 'index_url': "


def test_every_refusal_fits_a_prompt_of_80_columns():
    """Advice is all a prompt's toolbar shows, whole: every refusal of the host-and-port corpus
    and of the secret shapes fits 80 columns after Copier's prefix (test_interactive.py shows one
    through a real prompt)."""
    urls = [*CORPUS, *(url for url, _, _ in PATH_SECRETS.values())]
    urls += [
        "https://mirror.example/simple",
        "https://mirror.example/whl/rocm6.2.4",
        'https://m.example/w"hl',
    ]
    refused = {url: message for url in urls if (message := index_url_verdict(url))}
    assert len(refused) >= 100
    too_wide = {url: message for url, message in refused.items() if len(PREFIX + message) >= 80}
    assert not too_wide
