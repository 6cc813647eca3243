"""The rendered doctor (tools/pytorch_doctor.py, one PEP 723 script beside the user's package),
imported from rendered projects and run on machines described by literal tool output: its
parsers, its probes, and its choice and advice for every lock platform and GPU; then run as a
user runs it, with plain `python` and with `uv run`, beside no torch and beside a metadata-only
stand-in torch.

The expected choices come from the catalog (uv_torch_template), not from the data rendered into
the script, so a wrong fact in the rendered data fails here too. Projects render through Copier
once per session (tests/conftest.py, shared with the other files); each answer set is one test
whose cases are subtests. The rendered project carries no tests of the doctor: the template
owns it, and tests it here.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest

from tests.stubs import install_metadata_only_torch
from uv_torch_template.catalog import PYPI_BUILD, extra_name, load
from uv_torch_template.expectations.answer_sets import ANSWER_SETS
from uv_torch_template.expectations.matrix import Combo
from uv_torch_template.expectations.variants import (
    expected_label,
    expected_variants,
    sync_command,
    usable_releases,
)
from uv_torch_template.harness.uvrun import uv_binary, uv_environment

CATALOG = load()
DOCTOR = Path("tools", "pytorch_doctor.py")
# Named answer sets (uv_torch_template.expectations.answer_sets): every strategy with a doctor,
# CPU fallbacks, a project without a cpu build, platform-limited locks and all backends at once.
COMBOS = {
    name: ANSWER_SETS[name]
    for name in [
        "extras-4",
        "extras-no-cpu-gitlab",
        "extras-every-backend",
        "platform-cpu-cu130",
        "platform-xpu",
        "single-rocm72-gitlab",
        "pypi-py313",
    ]
}

# sys.platform and platform.machine() of each lock platform, as Python reports them.
IDENTITY = {
    "linux-x86_64": ("linux", "x86_64"),
    "linux-aarch64": ("linux", "aarch64"),
    "macos-arm64": ("darwin", "arm64"),
    "windows-x86_64": ("win32", "AMD64"),
}
FAMILY_OF_VENDOR = {"nvidia": "cuda", "amd": "rocm", "intel": "xpu"}

# Tool output as the tools print it.
NVIDIA_SMI = "580.65.06, NVIDIA H100 80GB HBM3\n580.65.06, NVIDIA H100 80GB HBM3\n"
NVIDIA_SMI_FAILED = (
    "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that "
    "the latest NVIDIA driver is installed and running.\n"
)
ROCMINFO = """\
ROCk module is loaded
=====================
HSA System Attributes
=====================
Runtime Version:         1.14
==========
HSA Agents
==========
*******
Agent 1
*******
  Name:                    AMD Ryzen 9 7950X 16-Core Processor
  Uuid:                    CPU-XX
  Marketing Name:          AMD Ryzen 9 7950X 16-Core Processor
  Vendor Name:             CPU
  Device Type:             CPU
*******
Agent 2
*******
  Name:                    {arch}
  Uuid:                    GPU-5e3f2b1a4c6d7e8f
  Marketing Name:          AMD Radeon RX 7900 XTX
  Vendor Name:             AMD
  Device Type:             GPU
  ISA Info:
    ISA 1
      Name:                    amdgcn-amd-amdhsa--{arch}
*** Done ***
"""
KFD_PROPERTIES = """\
cpu_cores_count 0
simd_count 192
mem_banks_count 1
gfx_target_version {version}
vendor_id 4098
device_id 29772
"""
SYCL_LS = (  # oneAPI 2025: one line per device and backend
    "[level_zero:gpu][level_zero:0] Intel(R) oneAPI Unified Runtime over Level-Zero, "
    "Intel(R) Arc(TM) A770 Graphics 12.55.8 [1.6.31294]\n"
    "[opencl:cpu][opencl:0] Intel(R) OpenCL, Intel(R) Core(TM) Ultra 7 155H OpenCL 3.0 (Build 0) "
    "[2024.18.7.0.11_160000]\n"
    "[opencl:gpu][opencl:1] Intel(R) OpenCL Graphics, Intel(R) Arc(TM) A770 Graphics OpenCL 3.0 NEO  "
    "[24.35.30872.22]\n"
)
SYCL_LS_OLD = (
    "[ext_oneapi_level_zero:gpu:0] Intel(R) Level-Zero, Intel(R) Data Center GPU Max 1550 1.3 [1.3.26241]\n"
)
XPU_SMI_DISCOVERY = """\
+-----------+--------------------------------------------------------------------------------------+
| Device ID | Device Information                                                                   |
+-----------+--------------------------------------------------------------------------------------+
| 0         | Device Name: Intel(R) Data Center GPU Max 1550                                       |
|           | Vendor Name: Intel(R) Corporation                                                    |
+-----------+--------------------------------------------------------------------------------------+
"""


# --------------------------------------------------------------------------------------------
# Rendered projects, imported under a name of their own so that several live side by side.


def import_rendered(project: Path, alias: str) -> SimpleNamespace:
    spec = importlib.util.spec_from_file_location(alias, project / DOCTOR)
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    sys.modules[alias] = script  # dataclasses look their module up by name
    spec.loader.exec_module(script)
    return SimpleNamespace(project=project, script=script)


@pytest.fixture(scope="session")
def rendered_doctor(rendered_set):
    made: dict[str, SimpleNamespace] = {}

    def get(name: str) -> SimpleNamespace:
        if name not in made:
            made[name] = import_rendered(rendered_set(name), "rendered_" + re.sub(r"\W", "_", name))
        return made[name]

    return get


@pytest.fixture
def doctor(rendered_doctor) -> SimpleNamespace:
    """The doctor of the 4-backend extras project, for what does not depend on the answers."""
    return rendered_doctor("extras-4")


def fake_machine(rendered, platform: str, tools=None, sysfs=None, environ=None, torch=None):
    """A machine of this lock platform whose tools print `tools[name]`; the others are missing."""
    system, machine = IDENTITY.get(platform, ("linux", platform))
    outputs = tools or {}
    return rendered.script.Machine(
        run=lambda command: outputs.get(command[0]),
        sysfs=sysfs or Path("/nonexistent-sysfs"),
        environ=environ or {},
        system=system,
        machine=machine,
        inspect_torch=lambda: torch or {"installed": False},
    )


# --------------------------------------------------------------------------------------------
# The parsers, on literal output.


def test_parse_nvidia_smi(doctor):
    parse = doctor.script.parse_nvidia_smi
    assert parse(NVIDIA_SMI) == ("580.65.06", ["NVIDIA H100 80GB HBM3", "NVIDIA H100 80GB HBM3"])
    assert parse("560.35.03, NVIDIA GeForce RTX 4090\n") == ("560.35.03", ["NVIDIA GeForce RTX 4090"])
    assert parse(NVIDIA_SMI_FAILED) == (None, [])
    assert parse("") == (None, [])


@pytest.mark.parametrize("arch", ["gfx1100", "gfx1151", "gfx90a", "gfx942"])
def test_parse_rocminfo_skips_the_cpu_agent(doctor, arch):
    assert doctor.script.parse_rocminfo(ROCMINFO.format(arch=arch)) == ([arch], ["AMD Radeon RX 7900 XTX"])


def test_parse_rocminfo_lists_each_architecture_once(doctor):
    two = ROCMINFO.format(arch="gfx1100") + ROCMINFO.split("HSA Agents")[1].format(arch="gfx1100")
    archs, names = doctor.script.parse_rocminfo(two.replace("Agent 2", "Agent 3", 1))
    assert archs == ["gfx1100"]
    assert names == ["AMD Radeon RX 7900 XTX"] * 2
    assert doctor.script.parse_rocminfo("ROCk module is NOT loaded, possibly no GPU devices\n") == ([], [])


def test_parse_rocm_agent_enumerator_drops_the_cpu(doctor):
    assert doctor.script.parse_rocm_agent_enumerator("gfx000\ngfx1100\ngfx1100\ngfx90a\n") == [
        "gfx1100",
        "gfx90a",
    ]


@pytest.mark.parametrize(
    ("version", "arch"),
    [
        (110000, "gfx1100"),
        (110001, "gfx1101"),
        (110501, "gfx1151"),
        (90010, "gfx90a"),
        (90402, "gfx942"),
        (120001, "gfx1201"),
        (0, None),
    ],
)
def test_parse_kfd_properties(doctor, version, arch):
    assert doctor.script.parse_kfd_properties(KFD_PROPERTIES.format(version=version)) == arch


def test_parse_kfd_properties_without_the_field(doctor):
    assert doctor.script.parse_kfd_properties("cpu_cores_count 16\nsimd_count 0\n") is None


def test_parse_sycl_ls(doctor):
    assert doctor.script.parse_sycl_ls(SYCL_LS) == [
        "Intel(R) Arc(TM) A770 Graphics 12.55.8",  # Level Zero first
        "Intel(R) Arc(TM) A770 Graphics OpenCL 3.0 NEO",
    ]
    assert doctor.script.parse_sycl_ls(SYCL_LS_OLD) == ["Intel(R) Data Center GPU Max 1550 1.3"]
    cpu_only = SYCL_LS.splitlines()[1]
    nvidia = "[cuda:gpu][cuda:0] NVIDIA CUDA BACKEND, NVIDIA GeForce RTX 4090 8.9 [CUDA 12.6]"
    assert doctor.script.parse_sycl_ls(f"{cpu_only}\n{nvidia}\n") == []


def test_parse_xpu_smi(doctor):
    assert doctor.script.parse_xpu_smi(XPU_SMI_DISCOVERY) == ["Intel(R) Data Center GPU Max 1550"]


@pytest.mark.parametrize(
    ("name", "vendor"),
    [
        ("NVIDIA GeForce RTX 4090", "nvidia"),
        ("AMD Radeon RX 7900 XTX", "amd"),
        ("Radeon(TM) Graphics", "amd"),
        ("Intel(R) Arc(TM) A770 Graphics", "intel"),
        ("Microsoft Basic Display Adapter", None),
    ],
)
def test_vendor_of_a_windows_adapter(doctor, name, vendor):
    assert doctor.script.vendor_of_adapter(name) == vendor


# --------------------------------------------------------------------------------------------
# The runner and the probes.


def test_run_tool_is_none_for_a_missing_failing_or_hanging_tool(doctor):
    run_tool = doctor.script.run_tool
    assert run_tool(["uv-torch-doctor-no-such-tool"]) is None
    assert run_tool([sys.executable, "-c", "raise SystemExit(3)"]) is None
    assert run_tool([sys.executable, "-c", "import time; time.sleep(30)"], timeout=0.5) is None
    assert run_tool([sys.executable, "-c", "print('580.65.06, NVIDIA H100')"]) == "580.65.06, NVIDIA H100\n"


def test_probes_in_uvs_order(doctor, tmp_path):
    detect = doctor.script.detect_accelerator

    def found(**kwargs):
        accelerator = detect(fake_machine(doctor, "linux-x86_64", **kwargs))
        return accelerator and (accelerator.vendor, accelerator.source, accelerator.driver, accelerator.archs)

    assert found() is None
    assert found(environ={"UV_CUDA_DRIVER_VERSION": "550.54.15"})[2] == "550.54.15"
    assert found(environ={"UV_AMD_GPU_ARCHITECTURE": "gfx1151"})[3] == ["gfx1151"]
    everything = {"nvidia-smi": NVIDIA_SMI, "rocminfo": ROCMINFO.format(arch="gfx1100"), "sycl-ls": SYCL_LS}
    assert found(tools=everything)[:2] == ("nvidia", "nvidia-smi")
    assert found(tools={"nvidia-smi": NVIDIA_SMI_FAILED, "rocminfo": ROCMINFO.format(arch="gfx1100")})[
        :2
    ] == (
        "amd",
        "rocminfo",
    )
    assert found(tools={"rocm_agent_enumerator": "gfx000\ngfx1030\n"})[3] == ["gfx1030"]
    assert found(tools={"xpu-smi": XPU_SMI_DISCOVERY})[:2] == ("intel", "xpu-smi")
    assert found(tools={"sycl-ls": SYCL_LS})[:2] == ("intel", "sycl-ls")

    (tmp_path / "module" / "nvidia").mkdir(parents=True)
    (tmp_path / "module" / "nvidia" / "version").write_text("580.82.07\n")
    assert found(sysfs=tmp_path)[:3] == ("nvidia", "/sys/module/nvidia/version", "580.82.07")


def test_amd_architectures_from_the_kfd_topology(doctor, tmp_path):
    nodes = tmp_path / "class" / "kfd" / "kfd" / "topology" / "nodes"
    for node, version in (("0", 0), ("1", 110501), ("2", 90010), ("3", 110501)):  # CPU, 2x gfx1151, gfx90a
        (nodes / node).mkdir(parents=True)
        (nodes / node / "properties").write_text(KFD_PROPERTIES.format(version=version))
    accelerator = doctor.script.detect_accelerator(fake_machine(doctor, "linux-x86_64", sysfs=tmp_path))
    assert (accelerator.vendor, accelerator.archs) == ("amd", ["gfx1151", "gfx90a"])


@pytest.mark.parametrize(
    ("pci_class", "found"), [("0x030000", True), ("0x038000", True), ("0x088000", False)]
)
def test_intel_display_device_in_sysfs(doctor, tmp_path, pci_class, found):
    device = tmp_path / "class" / "drm" / "card0" / "device"
    device.mkdir(parents=True)
    (device / "vendor").write_text("0x8086\n")
    (device / "class").write_text(f"{pci_class}\n")
    accelerator = doctor.script.detect_accelerator(fake_machine(doctor, "linux-x86_64", sysfs=tmp_path))
    assert (accelerator is not None and accelerator.vendor == "intel") == found


def test_windows_adapters_when_no_vendor_tool_answers(doctor):
    adapters = "Microsoft Basic Display Adapter\r\nIntel(R) Arc(TM) A770 Graphics\r\n"
    accelerator = doctor.script.detect_accelerator(
        fake_machine(doctor, "windows-x86_64", tools={"powershell": adapters})
    )
    assert (accelerator.vendor, accelerator.names) == ("intel", ["Intel(R) Arc(TM) A770 Graphics"])
    on_linux = fake_machine(doctor, "linux-x86_64", tools={"powershell": adapters})
    assert doctor.script.detect_accelerator(on_linux) is None


def test_macos_asks_no_tool(doctor):
    machine = fake_machine(doctor, "macos-arm64", tools={"nvidia-smi": NVIDIA_SMI})
    assert doctor.script.detect_accelerator(machine) is None


def test_lock_platform_names_come_from_the_catalog_markers(doctor):
    for platform, (system, machine) in IDENTITY.items():
        assert fake_machine(doctor, platform).lock_platform == platform, (system, machine)
    assert fake_machine(doctor, "riscv64").lock_platform is None


# --------------------------------------------------------------------------------------------
# The choice and the advice, against the catalog, on every lock platform and GPU.


def numbers(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", text))


# vendor, NVIDIA driver, AMD architecture; None is a machine without a GPU.
GPUS = [
    None,
    ("nvidia", "580.65.06", None),  # cu130 and cu132
    ("nvidia", "560.35.03", None),  # cu126 / cu128 only
    ("nvidia", "470.256.02", None),  # older than every CUDA build
    ("amd", None, "gfx1100"),  # every ROCm build
    ("amd", None, "gfx1151"),  # rocm7.2 only
    ("amd", None, "gfx1036"),  # no ROCm build
    ("intel", None, None),
]


def tools_for(gpu) -> dict[str, str]:
    if gpu is None:
        return {}
    vendor, driver, arch = gpu
    if vendor == "nvidia":
        return {"nvidia-smi": f"{driver}, NVIDIA GeForce RTX 4090\n"}
    return {"rocminfo": ROCMINFO.format(arch=arch)} if vendor == "amd" else {"sycl-ls": SYCL_LS}


def catalog_fits(build: str, gpu, platform: str) -> bool:
    backend = CATALOG.backends[build]
    if platform not in backend.platforms:
        return False
    if backend.family == "cpu":
        return True
    if gpu is None or platform.startswith("macos") or FAMILY_OF_VENDOR[gpu[0]] != backend.family:
        return False
    if backend.family == "cuda":
        return numbers(gpu[1]) >= numbers(str(backend.driver[platform.split("-")[0]]))
    return gpu[2] in backend.gpu_archs if backend.family == "rocm" else True


def expected_best(combo: Combo, gpu, platform: str) -> str:
    usable = [name for name in CATALOG.backends if usable_releases(CATALOG, name, combo)]
    fitting = [n for n in usable if CATALOG.backends[n].family != "cpu" and catalog_fits(n, gpu, platform)]
    return max(fitting, key=numbers, default="cpu")


def expected_variants_here(combo: Combo, gpu, platform: str) -> list[str | None]:
    """The variants the doctor may pick: the newest GPU build it can use, else a CPU build."""
    variants = expected_variants(CATALOG, combo)
    here = {v.extra: v.builds[platform] for v in variants if platform in v.builds}
    gpu_builds = {v: b for v, b in here.items() if b not in ("cpu", PYPI_BUILD)}
    on_gpu = {v: b for v, b in gpu_builds.items() if catalog_fits(b, gpu, platform)}
    if on_gpu:
        return [max(on_gpu, key=lambda v: numbers(on_gpu[v]))]
    on_cpu = [v for v, b in here.items() if b == "cpu"]
    everywhere = [v.extra for v in variants if v.extra in on_cpu and set(v.builds.values()) == {"cpu"}]
    return everywhere[:1] or on_cpu or list(here)


def check_advice(rendered, combo: Combo, gpu, platform: str) -> None:
    data = rendered.script.report(fake_machine(rendered, platform, tools=tools_for(gpu)))
    advice, notes = data["advice"], " ".join(data["advice"]["notes"])
    variants = {v.extra: v.builds for v in expected_variants(CATALOG, combo)}
    builds_here = {builds[platform] for builds in variants.values() if platform in builds}

    best = expected_best(combo, gpu, platform)
    assert advice["best"] == best
    assert advice["variant"] in expected_variants_here(combo, gpu, platform)
    assert advice["build"] == variants[advice["variant"]][platform]
    assert advice["command"] == sync_command(advice["variant"])

    # Coherent: the machine's best build and the project's build agree, or a note says why not.
    build = advice["build"]
    linux = platform.startswith("linux")
    effective = "cpu" if build == PYPI_BUILD and not linux else build
    pypi_cuda = build == PYPI_BUILD and linux and gpu is not None and gpu[0] == "nvidia"
    gpu_build_unused = effective not in ("cpu", PYPI_BUILD) and not catalog_fits(effective, gpu, platform)
    assert ("torch runs on the CPU only" in notes) == gpu_build_unused, notes
    suggests = best != effective and best not in builds_here and not pypi_cuda
    assert ("copier update" in notes) == suggests, notes
    if suggests:
        text, update, lock, sync = next(n for n in advice["notes"] if "copier update" in n).split("\n")
        answer = json.loads(re.search(r"--data 'backends=(\[.*?\])'$", update).group(1))
        does = CATALOG.strategies[combo.strategy]
        extras_after = does.extras or f"--data strategy={CATALOG.strategy_where(extras=True)}" in update
        if does.extras:  # one more extra
            assert answer == [*combo.backends, best]
        elif extras_after:  # the CPU build beside the project's own, or PyPI's torch for an index
            assert answer[0] == "cpu" and best in answer and set(combo.backends) <= set(answer)
        else:  # the platform's (or the single) accelerator replaced
            assert answer == [b for b in combo.backends if b == "cpu" and does.one_accelerator] + [best]
        assert all(usable_releases(CATALOG, name, combo) for name in answer)
        assert (lock, sync) == ("uv lock", sync_command(extra_name(best) if extras_after else None))
        gpu_build_used = effective not in ("cpu", PYPI_BUILD) and not gpu_build_unused
        assert text.startswith("A newer build") == gpu_build_used, text
        assert text.startswith("The CPU build") == (best == "cpu"), text
    if gpu is None:
        assert ("MPS" if platform.startswith("macos") else "No NVIDIA, AMD or Intel GPU found") in notes
    elif best == "cpu" and not platform.startswith("macos"):
        assert any(why in notes for why in ("is older than", "is not among", "has no")), notes

    # uv run never swaps the build: only `--no-sync` or the same extra.
    for run in re.findall(r"uv run[^`]*", notes):
        assert run.startswith(("uv run --no-sync", f"uv run --extra {advice['variant']} ")), run
    if CATALOG.strategies[combo.strategy].extras:
        assert "a plain `uv sync` removes torch" in notes
    assert f"torch is not installed: run `{advice['command']}`" in notes

    text = rendered.script.format_report(data)
    assert f"Fits best:     {best} (" in text
    assert f"This project:  {build} (" in text and f"installed here by `{advice['command']}`" in text


def check_installed_build(rendered, combo: Combo, platform: str) -> None:
    """The installed torch is checked by the label the catalog gives the chosen build here."""
    advice = rendered.script.report(fake_machine(rendered, platform))["advice"]
    label = expected_label(CATALOG, advice["build"], platform)
    for installed, matches in ((label, True), ("bogus", False)):
        version = f"2.13.0+{installed}" if installed else "2.13.0"
        torch = {"installed": True, "version": version, "label": installed, "devices": []}
        torch |= {"cuda": None, "hip": None, "xpu": None}
        data = rendered.script.report(fake_machine(rendered, platform, torch=torch))
        notes = " ".join(data["advice"]["notes"])
        assert ("is not the build" not in notes) == matches, (version, notes)


@pytest.mark.parametrize("name", COMBOS)
def test_advice_on_every_machine(rendered_doctor, name, subtests):
    rendered, combo = rendered_doctor(name), COMBOS[name]
    for platform in combo.lock_platforms:
        if not any(platform in v.builds for v in expected_variants(CATALOG, combo)):
            continue
        for gpu in GPUS:
            with subtests.test(platform=platform, gpu=gpu):
                check_advice(rendered, combo, gpu, platform)
        with subtests.test(platform=platform, installed="the right build, then a wrong one"):
            check_installed_build(rendered, combo, platform)
    for platform in sorted(set(IDENTITY) - {p for v in expected_variants(CATALOG, combo) for p in v.builds}):
        with subtests.test(platform=platform, locked=False):
            advice = rendered.script.report(fake_machine(rendered, platform))["advice"]
            assert advice["command"] is None
            assert f"does not cover {platform}" in " ".join(advice["notes"])


def test_a_machine_uv_has_no_name_for_gets_no_command(doctor):
    advice = doctor.script.report(fake_machine(doctor, "riscv64"))["advice"]
    assert advice["command"] is None
    assert "none of the platforms uv locks" in advice["notes"][0]


@pytest.mark.parametrize(
    ("version", "cuda", "verdict"),
    [
        ("2.13.0+cu130", "13.0", None),
        ("2.13.0+cpu", None, "is not the build"),
        ("2.13.0", "12.8", "is not the build"),
    ],
)
def test_the_installed_build_is_checked(doctor, version, cuda, verdict):
    torch = {"installed": True, "version": version, "label": version.partition("+")[2] or None}
    torch |= {"cuda": cuda, "hip": None, "xpu": None, "devices": ["cuda:0 NVIDIA H100 80GB HBM3"]}
    data = doctor.script.report(fake_machine(doctor, "linux-x86_64", {"nvidia-smi": NVIDIA_SMI}, torch=torch))
    assert data["advice"]["command"] == "uv sync --extra cu130"
    notes = " ".join(data["advice"]["notes"])
    assert (
        (verdict in notes) if verdict else ("is not the build" not in notes and "not installed" not in notes)
    )
    text = doctor.script.format_report(data)
    assert f"torch:         {version} (" in text and "cuda:0 NVIDIA H100 80GB HBM3" in text


def test_a_broken_torch_is_reported(doctor):
    broken = {"installed": True, "error": "OSError: libcudart.so.13: cannot open shared object file"}
    text = doctor.script.format_report(
        doctor.script.report(fake_machine(doctor, "linux-x86_64", torch=broken))
    )
    assert "torch:         installed, but importing it fails: OSError: libcudart.so.13" in text


def test_main_prints_text_or_json(doctor, capsys):
    machine = fake_machine(doctor, "linux-x86_64", {"nvidia-smi": NVIDIA_SMI})
    assert doctor.script.main([], machine) == 0
    text = capsys.readouterr().out
    assert "NVIDIA driver 580.65.06 (NVIDIA H100 80GB HBM3; NVIDIA H100 80GB HBM3) [from nvidia-smi]" in text
    assert doctor.script.main(["--json"], machine) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["strategy"], data["advice"]["best"], data["advice"]["variant"]) == (
        ANSWER_SETS["extras-4"].strategy,
        "cu132",
        "cu130",
    )


def test_inspect_torch_without_torch(doctor, monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    monkeypatch.setattr(importlib.metadata, "version", missing_distribution)
    assert doctor.script.inspect_torch() == {"installed": False}


def missing_distribution(name: str) -> str:
    raise importlib.metadata.PackageNotFoundError(name)


def test_inspect_torch_reads_a_build(doctor, monkeypatch):
    gpu = SimpleNamespace(
        is_available=lambda: True, device_count=lambda: 1, get_device_name=lambda i: "Radeon"
    )
    fake = ModuleType("torch")
    fake.__version__ = "2.13.0+rocm7.2"
    fake.version = SimpleNamespace(cuda=None, hip="7.2.26015", xpu=None)
    fake.cuda = gpu
    monkeypatch.setitem(sys.modules, "torch", fake)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: object())
    info = doctor.script.inspect_torch()
    assert info["label"] == "rocm7.2" and info["hip"] == "7.2.26015" and info["devices"] == ["cuda:0 Radeon"]


# --------------------------------------------------------------------------------------------
# Run as a user runs it: a script beside the package, before anything is installed, and beside
# a metadata-only stand-in torch (what a stand-in or mirror serves where it has no real wheel).


def run_doctor(command: list[str], project: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**uv_environment(), **env}
    result = subprocess.run(command, cwd=project, env=environ, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_the_script_runs_with_plain_python_and_with_uv_run_before_anything_is_installed(doctor):
    project = doctor.project
    plain = json.loads(run_doctor([sys.executable, str(DOCTOR), "--json"], project).stdout)
    assert plain["torch"] == {"installed": False}
    extras = {v.extra for v in expected_variants(CATALOG, COMBOS["extras-4"])}
    assert plain["advice"]["command"] in {f"uv sync --extra {extra}" for extra in extras}
    # PEP 723: `uv run` gives the script an environment of its own (standard library only), and
    # neither syncs nor creates the project's environment, which would install torch.
    text = run_doctor([uv_binary(), "run", str(DOCTOR)], project).stdout
    assert "torch:         not installed" in text and "This project:" in text
    assert not (project / ".venv").exists()


def test_a_metadata_only_torch_is_told_apart_from_no_torch(doctor, tmp_path):
    version = install_metadata_only_torch(tmp_path)
    command = [sys.executable, str(DOCTOR)]
    data = json.loads(run_doctor([*command, "--json"], doctor.project, PYTHONPATH=str(tmp_path)).stdout)
    assert data["torch"] == {"installed": False, "metadata_only": version}
    notes = " ".join(data["advice"]["notes"])
    assert "metadata only, without the torch module" in notes and "torch is not installed" not in notes
    python = f"cp{sys.version_info[0]}{sys.version_info[1]}"
    assert f"no real wheel for {python} on {data['platform']['lock_platform']}" in notes
    assert f"run `{data['advice']['command']} --reinstall-package torch`" in notes
    text = run_doctor(command, doctor.project, PYTHONPATH=str(tmp_path)).stdout
    assert f"torch:         {version}, metadata only (no torch module)" in text
    assert "not installed" not in text


def test_a_windows_driver_is_held_to_the_windows_minimum(rendered_doctor):
    """Each CUDA build fits a driver at its own OS's minimum, and not one at another OS's lower
    minimum: NVIDIA's Windows and Linux driver numbering differ (uv's crate keeps both)."""
    rendered = rendered_doctor("extras-every-backend")
    fits, numbers = rendered.script.fits, rendered.script.numbers
    below_checked = 0
    for name, backend in CATALOG.backends.items():
        if backend.family != "cuda" or name not in rendered.script.BUILDS:
            continue
        minimums = {os_name: v for os_name, v in backend.driver.items() if os_name in ("linux", "windows")}
        for os_name, minimum in minimums.items():
            platform = f"{os_name}-x86_64"
            if platform not in backend.platforms:
                continue
            assert fits(name, rendered.script.Accelerator("nvidia", "nvidia-smi", minimum), platform)
            for lower in (v for v in minimums.values() if numbers(v) < numbers(minimum)):
                assert not fits(name, rendered.script.Accelerator("nvidia", "nvidia-smi", lower), platform), (
                    f"{name} on {platform}: driver {lower} is below its minimum {minimum}"
                )
                below_checked += 1
    assert below_checked, "the catalog has a CUDA build whose Windows and Linux minimums differ"


def test_driver_versions_compare_as_numbers(rendered_doctor):
    """A newer driver fits whatever its digits: 1525.60.13 is newer than 525.60.13, though it
    sorts before it as text (NVIDIA's numbers will grow a digit)."""
    rendered = rendered_doctor("extras-every-backend")
    checked = 0
    for name, backend in CATALOG.backends.items():
        if backend.family != "cuda" or name not in rendered.script.BUILDS:
            continue
        for os_name in ("linux", "windows"):
            minimum, platform = (backend.driver or {}).get(os_name), f"{os_name}-x86_64"
            if minimum is None or platform not in backend.platforms:
                continue
            first, _, rest = minimum.partition(".")
            newer = f"{int(first) + 1000}{'.' if rest else ''}{rest}"
            assert newer < minimum, "the premise: text order says older"
            assert rendered.script.fits(
                name, rendered.script.Accelerator("nvidia", "nvidia-smi", newer), platform
            )
            checked += 1
    assert checked
