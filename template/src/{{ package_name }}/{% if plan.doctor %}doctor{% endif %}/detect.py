"""Detection: the machine's GPU and its installed torch, looked for where uv's
`--torch-backend=auto` looks (uv's overrides, then NVIDIA, AMD and Intel).

Each `parse_*` function reads the text of one tool or file and nothing else. The probes run the
tools through `Machine.run` and read files under `Machine.sysfs`, so tests can fake a machine.
"""

from __future__ import annotations

import importlib.util
import os
import platform
import re
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..torch_builds import PROJECT

DRIVER_VERSION = re.compile(r"\d+(\.\d+)*")
GFX_ARCH = re.compile(r"gfx[0-9a-f]{3,4}")
TOOL_TIMEOUT_S = 10.0  # a vendor tool that has not answered by then counts as missing
NVIDIA_SMI = ["nvidia-smi", "--query-gpu=driver_version,name", "--format=csv,noheader"]
INTEL_TOOLS = [["xpu-smi", "discovery"], ["sycl-ls"]]
WINDOWS_ADAPTERS = ["powershell", "-NoProfile", "-NonInteractive", "-Command"]
WINDOWS_ADAPTERS += ["Get-CimInstance Win32_VideoController | Select-Object -ExpandProperty Name"]
ADAPTER_WORDS = {"nvidia": ("NVIDIA",), "amd": ("AMD", "Radeon"), "intel": ("Intel",)}


def parse_nvidia_smi(output: str) -> tuple[str | None, list[str]]:
    """The driver version and the GPU names from NVIDIA_SMI's `580.65.06, NVIDIA H100` lines."""
    rows = [[cell.strip() for cell in line.split(",", 1)] for line in output.splitlines()]
    gpus = [row for row in rows if len(row) == 2 and DRIVER_VERSION.fullmatch(row[0])]
    return (gpus[0][0] if gpus else None), [name for _, name in gpus]


def parse_rocminfo(output: str) -> tuple[list[str], list[str]]:
    """The gfx architectures and marketing names of rocminfo's GPU agents (CPU agents skipped)."""
    archs: list[str] = []
    names: list[str] = []
    for agent in re.split(r"\n\*+\s*\nAgent \d+", output):
        arch = re.search(r"^\s*Name:\s+(gfx[0-9a-f]+)\s*$", agent, re.MULTILINE)
        name = re.search(r"^\s*Marketing Name:\s+(.+?)\s*$", agent, re.MULTILINE)
        if arch:
            archs += [arch.group(1)] if arch.group(1) not in archs else []
            names += [name.group(1)] if name else []
    return archs, names


def parse_rocm_agent_enumerator(output: str) -> list[str]:
    """One gfx architecture per agent; gfx000 is the CPU."""
    archs = [line.strip() for line in output.splitlines() if GFX_ARCH.fullmatch(line.strip())]
    return [arch for arch in dict.fromkeys(archs) if arch != "gfx000"]


def parse_kfd_properties(text: str) -> str | None:
    """A KFD topology node's architecture: gfx_target_version 110001 -> gfx1101, 90010 -> gfx90a
    (major, minor, stepping); 0, a CPU node, -> None."""
    found = re.search(r"^gfx_target_version\s+(\d+)\s*$", text, re.MULTILINE)
    if not found or not int(found.group(1)):
        return None
    major, rest = divmod(int(found.group(1)), 10000)
    return f"gfx{major}{rest // 100:x}{rest % 100:x}"


def parse_xpu_smi(output: str) -> list[str]:
    """The GPU names in `xpu-smi discovery`'s table."""
    return re.findall(r"Device Name:\s*(.+?)\s*\|", output)


def parse_sycl_ls(output: str) -> list[str]:
    """Intel GPU names from sycl-ls lines such as `[level_zero:gpu][level_zero:0] <platform>,
    <device> <version> [<driver>]`; Level Zero's first, the runtime PyTorch's XPU build uses."""
    found = []
    for line in output.splitlines():
        match = re.match(r"((?:\[[^\]]*\])+)\s*(?:[^,\[]*,\s*)?(.*?)\s*(?:\[[^\]]*\])?$", line)
        if match and ":gpu" in match.group(1) and "Intel" in match.group(2):
            found.append(("level_zero" not in match.group(1), match.group(2)))
    return [name for _, name in sorted(found, key=lambda pair: pair[0])]


def vendor_of_adapter(name: str) -> str | None:
    """The vendor of a Windows display adapter, by its name."""
    return next((v for v, words in ADAPTER_WORDS.items() if any(w in name for w in words)), None)


def run_tool(command: Sequence[str], timeout: float = TOOL_TIMEOUT_S) -> str | None:
    """Standard output of a vendor tool; None when it is missing, fails or hangs."""
    try:
        done = subprocess.run(list(command), capture_output=True, text=True, timeout=timeout)
    except OSError:  # not installed (two clauses: ruff lays out a tuple per target Python)
        return None
    except subprocess.SubprocessError:  # still running after the timeout
        return None
    return done.stdout if done.returncode == 0 else None


def read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def inspect_torch() -> dict[str, Any]:
    """The installed torch build and the devices it sees, without failing when it is absent."""
    if importlib.util.find_spec("torch") is None:
        return {"installed": False}
    try:
        import torch
    except Exception as error:  # a broken install raises anything from OSError to RuntimeError
        return {"installed": True, "error": f"{type(error).__name__}: {error}"}
    version = str(torch.__version__)
    info: dict[str, Any] = {"installed": True, "version": version, "devices": []}
    info["label"] = version.partition("+")[2] or None
    info.update(cuda=torch.version.cuda, hip=torch.version.hip)
    info["xpu"] = getattr(torch.version, "xpu", None)
    for kind, module in (("cuda", torch.cuda), ("xpu", getattr(torch, "xpu", None))):
        if module is not None and module.is_available():  # ROCm builds answer as cuda too
            names = map(module.get_device_name, range(module.device_count()))
            info["devices"] = [f"{kind}:{i} {name}" for i, name in enumerate(names)]
            return info
    if torch.backends.mps.is_available():
        info["devices"] = ["mps (Apple GPU)"]
    return info


@dataclass
class Accelerator:
    """A GPU the doctor found, with what the choice of build depends on."""

    vendor: str  # "nvidia", "amd" or "intel"
    source: str  # the tool or file that told
    driver: str | None = None  # NVIDIA driver version, such as 580.65.06
    archs: list[str] = field(default_factory=list)  # AMD gfx architectures, such as gfx1100
    names: list[str] = field(default_factory=list)


@dataclass
class Machine:
    """Where the doctor looks. The defaults are this machine; tests pass fakes."""

    run: Callable[[Sequence[str]], str | None] = run_tool
    sysfs: Path = Path("/sys")
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    system: str = sys.platform
    machine: str = field(default_factory=platform.machine)
    inspect_torch: Callable[[], dict[str, Any]] = inspect_torch

    @property
    def lock_platform(self) -> str | None:
        """How uv names this platform in a lock, or None for a platform it has no name for."""
        here = [self.system, self.machine]
        return next((key for key, pair in PROJECT["platforms"].items() if pair == here), None)


def detect_accelerator(machine: Machine) -> Accelerator | None:
    """The machine's GPU, or None. macOS has none to find: its CPU build carries MPS."""
    if machine.system == "darwin":
        return None
    # uv's own overrides, so that "what if" questions work here too.
    driver = machine.environ.get("UV_CUDA_DRIVER_VERSION", "").strip()
    if DRIVER_VERSION.fullmatch(driver):
        return Accelerator("nvidia", "UV_CUDA_DRIVER_VERSION", driver)
    arch = machine.environ.get("UV_AMD_GPU_ARCHITECTURE", "").strip()
    if GFX_ARCH.fullmatch(arch):
        return Accelerator("amd", "UV_AMD_GPU_ARCHITECTURE", archs=[arch])

    driver, names = parse_nvidia_smi(machine.run(NVIDIA_SMI) or "")
    if driver:
        return Accelerator("nvidia", "nvidia-smi", driver, names=names)
    driver = read(machine.sysfs / "module" / "nvidia" / "version").strip()  # no nvidia-smi
    if DRIVER_VERSION.fullmatch(driver):
        return Accelerator("nvidia", "/sys/module/nvidia/version", driver)

    archs, names = parse_rocminfo(machine.run(["rocminfo"]) or "")
    if archs:
        return Accelerator("amd", "rocminfo", archs=archs, names=names)
    archs = parse_rocm_agent_enumerator(machine.run(["rocm_agent_enumerator"]) or "")
    if archs:
        return Accelerator("amd", "rocm_agent_enumerator", archs=archs)
    # The amdgpu kernel driver is enough: ROCm wheels bring their own user-space runtime.
    nodes = sorted(machine.sysfs.glob("class/kfd/kfd/topology/nodes/*/properties"))
    archs = [arch for node in nodes if (arch := parse_kfd_properties(read(node)))]
    if archs:
        return Accelerator("amd", "/sys/class/kfd", archs=list(dict.fromkeys(archs)))

    for command, parse in zip(INTEL_TOOLS, (parse_xpu_smi, parse_sycl_ls), strict=True):
        names = parse(machine.run(command) or "")
        if names:
            return Accelerator("intel", command[0], names=names)
    for device in sorted(machine.sysfs.glob("class/drm/*/device")):
        # A display-class PCI device (0x03xxxx) from Intel (0x8086), as uv checks.
        vendor, pci_class = (read(device / name).strip().lower() for name in ("vendor", "class"))
        if vendor == "0x8086" and pci_class.startswith("0x03"):
            return Accelerator("intel", "/sys/class/drm")

    if machine.system == "win32":  # no vendor tools: the display adapters Windows knows
        names = [line.strip() for line in (machine.run(WINDOWS_ADAPTERS) or "").splitlines()]
        for vendor in ADAPTER_WORDS:
            matching = [name for name in names if vendor_of_adapter(name) == vendor]
            if matching:
                return Accelerator(vendor, "Win32_VideoController", names=matching)
    return None
