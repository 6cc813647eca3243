"""What a rendered project's lock puts on sys.path, read from the wheels themselves.

A project's own package is importable only if nothing earlier on sys.path has its name: the
standard library, then site-packages, where every locked distribution installs its top-level
modules (sympy also installs `isympy`, pytest `_pytest` and `py`), and only then src/ (an
editable install's .pth line). This module installs the locked distributions once, unmodified,
into a folder of their own (`uv pip install --target`), so that the names are the wheels' own
and Python itself can say what `import <package>` finds.

The distributions are the catalog's reserved ones (tests/test_answer_safety.py proves that they
cover every package a lock against the stand-in installs), less the large accelerator runtimes
(nvidia-*, triton, Intel's oneAPI wheels), whose top-level names the catalog lists. torch itself
comes from the real wheel in PIP_FIND_LINKS when one is there: read, not installed.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from uv_torch_template.catalog import load
from uv_torch_template.harness.uvrun import run_uv

# Runtimes of the accelerator builds: gigabytes each, or served only by their PyTorch index (rocm,
# rocm-sdk-*), never pure Python names a user would pick.
NOT_INSTALLED = ("torch", "torchvision", "torchaudio", "triton", "mkl", "tbb", "tcmlib", "umf")
NOT_INSTALLED_PREFIXES = ("triton", "pytorch-triton", "impi", "dpcpp", "oneccl", "pyzes", "rocm")


def _distributions() -> list[str]:
    reserved = load().reserved_names.distributions
    return sorted(
        name for name in reserved if name not in NOT_INSTALLED and not name.startswith(NOT_INSTALLED_PREFIXES)
    )


@functools.lru_cache(maxsize=1)
def locked_site() -> Path | None:
    """A folder holding the locked distributions as installed, built once per machine and list
    (in the system's temporary folder); None when uv cannot install them here."""
    names = _distributions()
    key = hashlib.sha256(" ".join(names).encode()).hexdigest()[:12]
    site = Path(tempfile.gettempdir()) / f"uvtt-locked-site-{key}"
    if (site / ".complete").is_file():
        return site
    building = Path(tempfile.mkdtemp(prefix="uvtt-locked-site-building-"))
    installed = run_uv(
        Path.cwd(), "pip", "install", "--no-deps", "--quiet", "--target", str(building), *names
    )
    if installed.returncode != 0:
        shutil.rmtree(building, ignore_errors=True)
        return None
    (building / ".complete").write_text("\n".join(names) + "\n")
    try:
        building.rename(site)  # atomic: another worker may have won the race
    except OSError:
        shutil.rmtree(building, ignore_errors=True)
    return site


def _torch_wheel_modules() -> set[str]:
    """Top-level names in the real torch wheel PIP_FIND_LINKS holds, if any (torch, torchgen,
    functorch)."""
    folder = os.environ.get("PIP_FIND_LINKS", "")
    names: set[str] = set()
    for wheel in sorted(Path(folder).glob("torch-*.whl")) if folder else []:
        with zipfile.ZipFile(wheel) as archive:
            names |= {_top_level(member) for member in archive.namelist()}
    return {name for name in names if name and name.isidentifier()}


def _top_level(path: str) -> str:
    first = path.split("/", 1)[0]
    if first.endswith((".dist-info", ".data")):
        return ""
    return first.split(".", 1)[0] if "/" not in path else first


@functools.lru_cache(maxsize=1)
def installed_modules() -> tuple[str, ...]:
    """Every top-level module name the locked distributions install, sorted."""
    names = set(_torch_wheel_modules())
    site = locked_site()
    if site is not None:
        for dist in importlib.metadata.distributions(path=[str(site)]):
            names |= {_top_level(str(file)) for file in dist.files or ()}
    names |= set(load().reserved_names.modules) & {"torch", "torchgen", "functorch"}
    return tuple(sorted(name for name in names if name.isidentifier() and _importable(site, name)))


def _importable(site: Path | None, name: str) -> bool:
    """A module or a package, not a folder of scripts or data (`bin`, `share`) that --target
    writes beside them."""
    if site is None or not (site / name).is_dir():
        return True
    return any(path.suffix in (".py", ".so", ".pyd") for path in (site / name).rglob("*"))


def stub_site(folder: Path) -> Path:
    """A folder with an empty package for each torch-wheel name not installed in locked_site():
    on sys.path before src/, it stands where torch's wheel puts them."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in _torch_wheel_modules() | {"torch", "torchgen", "functorch"}:
        (folder / name).mkdir(exist_ok=True)
        (folder / name / "__init__.py").touch()
    return folder
