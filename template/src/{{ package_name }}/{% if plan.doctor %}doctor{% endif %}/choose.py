"""The choice: which of this project's builds fits the machine. Among PyTorch's builds it picks
as uv's `--torch-backend=auto` does: the newest CUDA build whose driver minimum the driver meets,
the newest ROCm build listing the GPU's gfx architecture, XPU for an Intel GPU, else CPU. When
that build is not one this project locks, it says how to add it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from ..torch_builds import PROJECT
from .detect import Accelerator

BUILDS, VARIANTS, STRATEGY = PROJECT["builds"], PROJECT["variants"], PROJECT["strategy"]
DOES = PROJECT["does"]  # the strategy's flags: extras, one_backend, one_accelerator
FAMILY_OF_VENDOR = {"nvidia": "cuda", "amd": "rocm", "intel": "xpu"}
FAMILY_TITLES = {"cuda": "CUDA", "rocm": "ROCm", "xpu": "Intel XPU"}
ON_CPU = ("cpu", "pypi")  # the families that need no GPU


def numbers(text: str) -> tuple[int, ...]:
    """Versions compare as numbers: 580.65.06 -> (580, 65, 6); so do builds: rocm7.2 -> (7, 2)."""
    return tuple(int(part) for part in re.findall(r"\d+", text))


def fits(build: str, accelerator: Accelerator | None, lock_platform: str) -> bool:
    """Whether the build has wheels for the platform and can use the machine's accelerator."""
    facts = BUILDS[build]
    if lock_platform not in facts["platforms"]:
        return False
    if facts["family"] in ON_CPU:
        return True
    if accelerator is None or FAMILY_OF_VENDOR[accelerator.vendor] != facts["family"]:
        return False
    if facts["family"] == "cuda":
        minimum = facts["driver"].get(lock_platform.split("-")[0])
        driver = accelerator.driver
        return bool(minimum and driver) and numbers(driver or "") >= numbers(minimum or "")
    if facts["family"] == "rocm":
        return any(arch in facts["gpu_archs"] for arch in accelerator.archs)
    return True  # xpu: its wheels carry their own runtime; the driver is the host's part


def best_build(accelerator: Accelerator | None, lock_platform: str) -> str:
    """The newest of PyTorch's builds that can use this machine's GPU; else cpu."""
    usable = [
        b
        for b, f in BUILDS.items()
        if f["family"] not in ON_CPU and fits(b, accelerator, lock_platform)
    ]
    return max(usable, key=numbers, default="cpu")


def extra_name(build: str) -> str:
    """The PEP 685 name of a build's extra: rocm7.2 -> rocm7-2."""
    return re.sub(r"[-_.]+", "-", build).lower()


def steps_to_use(build: str) -> list[str]:
    """The `copier update`, lock and sync that make `build` this project's build here."""
    backends = PROJECT["backends"]
    change, wanted = "", [*backends, build]  # extras: one more
    if (DOES["one_backend"] or DOES["one_accelerator"]) and build != "cpu":  # accelerator replaced
        wanted = [b for b in backends if b == "cpu" and DOES["one_accelerator"]] + [build]
    elif not DOES["extras"]:  # the CPU build beside the accelerator, or PyPI's torch replaced
        change, wanted = "--data strategy=extras ", list(dict.fromkeys(["cpu", build, *backends]))
    sync = f"uv sync --extra {extra_name(build)}" if DOES["extras"] or change else "uv sync"
    answer = json.dumps(wanted, separators=(",", ":"))
    return [f"uvx copier update --defaults {change}--data 'backends={answer}'", "uv lock", sync]


@dataclass
class Choice:
    """What to run on this machine, and why."""

    lock_platform: str | None
    best: str | None = None  # the build, of all PyTorch's, that fits this machine best
    variant: str | None = None  # the extra to sync; None for a plain `uv sync`
    build: str | None = None  # the build that installs here
    command: str | None = None
    notes: list[str] = field(default_factory=list)


def choose(accelerator: Accelerator | None, lock_platform: str | None) -> Choice:
    """This project's newest build here that can use the GPU, else its CPU build (the cpu
    extra's, where there is one), with notes on what would fit better."""
    locked = ", ".join(sorted({platform for builds in VARIANTS.values() for platform in builds}))
    if lock_platform is None:
        return Choice(None, notes=[f"This machine is none of the platforms uv locks ({locked})."])
    choice = Choice(lock_platform, best_build(accelerator, lock_platform))
    here = {v: builds[lock_platform] for v, builds in VARIANTS.items() if lock_platform in builds}
    if not here:
        choice.notes.append(f"This project's lock does not cover {lock_platform}, only {locked}.")
        return choice
    on_gpu = [v for v, b in here.items() if b not in ON_CPU and fits(b, accelerator, lock_platform)]
    on_cpu = [v for v, b in here.items() if b == "cpu"]  # the cpu extra first: catalog order
    choice.variant = max(on_gpu, key=lambda v: numbers(here[v])) if on_gpu else [*on_cpu, *here][0]
    choice.build = here[choice.variant]
    choice.command = f"uv sync --extra {choice.variant}" if choice.variant else "uv sync"
    choice.notes += explain(accelerator, choice, set(here.values()))
    return choice


def explain(accelerator: Accelerator | None, choice: Choice, builds_here: set[str]) -> list[str]:
    platform, best, build = choice.lock_platform or "", choice.best or "cpu", choice.build or "cpu"
    linux = platform.startswith("linux")
    notes = []
    if accelerator is None and platform.startswith("macos"):
        notes.append("macOS: the CPU build includes MPS, which runs on the Apple GPU.")
    elif accelerator is None:
        notes.append("No NVIDIA, AMD or Intel GPU found: the CPU build fits.")
    elif best == "cpu":
        notes.append(why_no_build_fits(accelerator, platform))
    if STRATEGY == "pypi":
        notes.append(
            "PyPI's Linux torch is a CUDA build with nvidia-* wheels; it runs on the CPU where "
            "it finds no NVIDIA GPU."
            if linux
            else "PyPI's torch is the CPU build on this platform."
        )
        if linux and accelerator and accelerator.vendor == "nvidia":
            return notes  # already a CUDA build
        build = build if linux else "cpu"
    on_gpu = BUILDS[build]["family"] not in ON_CPU
    if on_gpu and not fits(build, accelerator, platform):
        notes.append(
            f"`{choice.command}` installs {build} ({BUILDS[build]['title']}) here, which finds no "
            "GPU it can use on this machine: torch runs on the CPU only."
        )
    if best != build and best not in builds_here:
        if best == "cpu":
            what = "The CPU build, without GPU libraries,"
        elif on_gpu and fits(build, accelerator, platform):  # the same family, older
            what = f"A newer build, {best} ({BUILDS[best]['title']}), also fits and"
        else:
            what = f"{best} ({BUILDS[best]['title']}) can use this machine's GPU and"
        steps = "".join(f"\n{step}" for step in steps_to_use(best))
        notes.append(f"{what} is not among this project's builds. To use it:{steps}")
    return notes


def why_no_build_fits(accelerator: Accelerator, platform: str) -> str:
    family = FAMILY_OF_VENDOR[accelerator.vendor]
    same = [f for f in BUILDS.values() if f["family"] == family and platform in f["platforms"]]
    if not same:
        return f"PyTorch has no {FAMILY_TITLES[family]} build for {platform}: the CPU build fits."
    if family == "cuda" and accelerator.driver:
        os_name = platform.split("-")[0]
        minimums = [f["driver"][os_name] for f in same if os_name in f["driver"]]
        oldest = min(minimums, key=numbers, default="?")
        return (
            f"NVIDIA driver {accelerator.driver} is older than every CUDA build needs "
            f"(at least {oldest}): update the driver to use the GPU."
        )
    if family == "rocm" and accelerator.archs:
        supported = ", ".join(sorted({arch for f in same for arch in f["gpu_archs"]}))
        return (
            f"{', '.join(accelerator.archs)} is not among the architectures the ROCm builds "
            f"support ({supported}): the CPU build fits."
        )
    if family == "cuda":
        return "An NVIDIA GPU, but no driver version: install the NVIDIA driver to use it."
    return "An AMD GPU, but not its architecture: install ROCm (rocminfo tells it) to use it."
