"""The doctor: which PyTorch build fits this machine, and is it the one installed?

    uv run --no-sync <package>-doctor                                # in the project's environment
    uv run --no-project --directory src python -m <package>.doctor   # before anything is installed

It reports the machine's GPU, the installed torch and the `uv sync` that installs this project's
build for the machine (detect.py finds the machine, choose.py picks the build, this module
reports). It uses only the standard library, so it runs without torch and on any OS.
"""

from __future__ import annotations

import argparse
import json
import textwrap
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from .choose import BUILDS, STRATEGY, choose
from .detect import Accelerator, Machine, detect_accelerator


def expected_label(build: str, lock_platform: str) -> str | None:
    """The local version label of the build's torch wheel here (`cu130` in 2.13.0+cu130)."""
    facts = BUILDS[build]
    return None if lock_platform in facts.get("unlabelled_on", []) else facts.get("label")


def report(machine: Machine) -> dict[str, Any]:
    accelerator = detect_accelerator(machine)
    choice = choose(accelerator, machine.lock_platform)
    torch = machine.inspect_torch()
    if choice.command and choice.build and choice.lock_platform:
        label = expected_label(choice.build, choice.lock_platform)
        if not torch["installed"]:
            choice.notes.append(f"torch is not installed: run `{choice.command}`.")
        elif "version" in torch and torch["label"] != label:
            wanted = f"+{label}" if label else "no local label"
            choice.notes.append(
                f"The installed torch {torch['version']} is not the build `{choice.command}` "
                f"installs ({wanted}): run it."
            )
        if choice.variant:
            choice.notes.append(
                f"Then `uv run --no-sync ...` or `uv run --extra {choice.variant} ...` keeps this "
                "build: a plain `uv sync` removes torch, another --extra swaps it."
            )
    return {
        "strategy": STRATEGY,
        "platform": {
            "system": machine.system,
            "machine": machine.machine,
            "lock_platform": machine.lock_platform,
        },
        "accelerator": asdict(accelerator) if accelerator else None,
        "torch": torch,
        "advice": asdict(choice),
    }


def describe(accelerator: Accelerator) -> str:
    what = {"nvidia": "NVIDIA", "amd": "AMD", "intel": "Intel"}[accelerator.vendor]
    what += f" driver {accelerator.driver}" if accelerator.driver else ""
    what += f" {', '.join(accelerator.archs)}" if accelerator.archs else ""
    what += f" ({'; '.join(accelerator.names)})" if accelerator.names else ""
    return f"{what} [from {accelerator.source}]"


def format_report(data: dict[str, Any]) -> str:
    where, advice, torch = data["platform"], data["advice"], data["torch"]
    gpu = data["accelerator"] and describe(Accelerator(**data["accelerator"]))
    lines = [
        f"Platform:      {where['lock_platform'] or 'none uv locks'} ({where['system']}, "
        f"{where['machine']})",
        f"Accelerator:   {gpu or 'none found'}",
    ]
    if not torch["installed"]:
        lines.append("torch:         not installed")
    elif "error" in torch:
        lines.append(f"torch:         installed, but importing it fails: {torch['error']}")
    else:
        runtimes = [f"{key.upper()} {torch[key]}" for key in ("cuda", "hip", "xpu") if torch[key]]
        lines.append(f"torch:         {torch['version']} ({', '.join(runtimes) or 'CPU build'})")
        lines += [f"               {device}" for device in torch["devices"]]
    for key, heading, what in (
        ("best", "Fits best:    ", "of all PyTorch's builds, for this machine"),
        ("build", "This project: ", f"installed here by `{advice['command']}`"),
    ):
        if advice[key]:
            lines.append(f"{heading} {advice[key]} ({BUILDS[advice[key]]['title']}), {what}")
    for note in advice["notes"]:  # the first line wrapped; commands, one a line, as they are
        text, *commands = note.split("\n")
        lines.append(textwrap.fill(text, 100, initial_indent="  - ", subsequent_indent="    "))
        lines += [f"      {command}" for command in commands]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None, machine: Machine | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=f"{__name__.split('.')[0].replace('_', '-')}-doctor",
        description="Report the installed torch build and the `uv sync` that fits this machine.",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    options = parser.parse_args(argv)
    data = report(machine or Machine())
    print(json.dumps(data, indent=2) if options.json else format_report(data))
    return 0
