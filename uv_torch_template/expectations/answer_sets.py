"""The named answer sets the tests render: one catalogue, so that a set two test files need is
rendered once per test session (tests/conftest.py, `rendered_set`), and each name says the same
answers wherever it appears.

The first is the README's example-answers.yml, as a user passes it with --data-file; the others
vary it to reach every `ci` choice, every strategy, CPU fallbacks, a project without a cpu build,
platform-limited locks and all backends at once.
"""

from __future__ import annotations

from typing import Any

import yaml

from uv_torch_template.catalog import REPO_ROOT, load
from uv_torch_template.expectations.matrix import ALL_PLATFORMS, Combo

CATALOG = load()
EXAMPLE_ANSWERS: dict[str, Any] = yaml.safe_load((REPO_ROOT / "example-answers.yml").read_text())


def from_answers(answers: dict[str, Any]) -> Combo:
    """The Combo of a complete answer set (the identity answers are the tests' own)."""
    return Combo(
        answers["strategy"],
        tuple(answers.get("backends") or ()),
        str(answers["torch_version"]),
        python_version=str(answers["python_version"]),
        torch_packages=tuple(answers.get("torch_packages") or ()),
        lock_platforms=tuple(answers.get("lock_platforms") or ALL_PLATFORMS),
        ci=answers["ci"],
    )


ANSWER_SETS: dict[str, Combo] = {
    "example": from_answers(EXAMPLE_ANSWERS),
    "extras-cpu-cu130-rocm72": Combo("extras", ("cpu", "cu130", "rocm7.2"), "2.13"),
    "extras-4": Combo("extras", ("cpu", "cu130", "rocm7.2", "xpu"), "2.13"),
    "extras-no-cpu-gitlab": Combo(
        "extras", ("cu126", "cu130", "rocm7.1"), "2.10", python_version="3.10", ci="gitlab"
    ),
    "extras-every-backend": Combo(
        "extras",
        tuple(CATALOG.backends),
        CATALOG.releases[0].torch,  # the oldest floor: every backend carries a release above it
        python_version="3.11",
        torch_packages=("torchvision",),
    ),
    "platform-cpu-cu130": Combo("platform", ("cpu", "cu130"), "2.13"),
    "platform-xpu": Combo("platform", ("xpu",), "2.12", lock_platforms=("linux-x86_64", "windows-x86_64")),
    "platform-xpu-no-ci": Combo("platform", ("xpu",), "2.12", torch_packages=("torchvision",), ci="none"),
    "platform-cu130-py314": Combo("platform", ("cpu", "cu130"), "2.15", python_version="3.14"),
    "single-rocm72-gitlab": Combo(
        "single", ("rocm7.2",), "2.13", lock_platforms=("linux-x86_64", "macos-arm64"), ci="gitlab"
    ),
    "single-cpu-mac-windows": Combo(
        "single", ("cpu",), "2.15", lock_platforms=("macos-arm64", "windows-x86_64")
    ),
    "pypi": Combo("pypi", (), "2.14", python_version="3.13"),
    "pypi-linux-gitlab": Combo("pypi", (), "2.13", lock_platforms=("linux-x86_64",), ci="gitlab"),
    "library": Combo("library", (), "2.13", python_version="3.10"),
}
