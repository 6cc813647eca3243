"""What the validators advise, checked over the whole catalog: advice changes something the user
chose, names a choice that works, and an update is told from Copier's own state.

The validator macros are called directly (tests/validators.py).
"""

from __future__ import annotations

import copy
import re

import pytest

from tests.validators import CATALOG, copier_conf, verdict

PYTHONS = CATALOG["python_versions"]
RELEASES = {release["torch"]: release for release in CATALOG["releases"]}


def version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def within(value: str, op: str, bound: str) -> bool:
    """Whether `value` satisfies the advice `<op> <bound>` (op is <= or >=)."""
    return version(value) <= version(bound) if op == "<=" else version(value) >= version(bound)


@pytest.mark.parametrize("python", PYTHONS)
def test_release_advice_never_asks_for_what_is_already_chosen(python):
    """For every release without wheels for `python`: the advised python_version range excludes
    `python` and holds a Python the release has wheels for; the advised torch_version range holds
    a release that has wheels for `python`."""
    advised = 0
    for torch, release in RELEASES.items():
        message = verdict("release_refusal", torch, python_version=python)
        if release.get("retired") or python in release["python"]:
            continue
        advised += 1
        python_advice = re.match(r"choose python_version (<=|>=) (\S+)", message)
        assert python_advice, message
        assert not within(python, *python_advice.groups()), f"advice keeps Python {python}: {message}"
        assert any(within(other, *python_advice.groups()) for other in release["python"]), message
        torch_advice = re.search(r"torch_version (<=|>=) ([0-9.]*[0-9])", message)
        if torch_advice:
            fits = [other for other, facts in RELEASES.items() if python in facts["python"]]
            assert any(within(other, *torch_advice.groups()) for other in fits), message
    if python in ("3.10", "3.14"):
        assert advised, "the catalog has releases without wheels for the oldest and newest Python"


REPLAYED = {"project_name": "demo", "python_version": "3.12", "strategy": "extras", "ci": "github"}


def test_an_update_is_told_by_the_answers_file_not_by_which_answers_came(tmp_path):
    """The same answers, --data holding what Copier's replays pass: where the destination holds
    the answers file (an update), a recorded answer that would be replaced is refused; in an
    empty folder (a replay, or a first copy) there is nothing to guard."""
    recorded = {"torch_version": "2.9"}
    for folder, guarded in ((tmp_path / "project", True), (tmp_path / "scratch", False)):
        folder.mkdir()
        if guarded:
            (folder / ".copier-answers.yml").write_text("torch_version: '2.9'\n")
        conf = copier_conf(data=REPLAYED, overwrite=True, dst_path=str(folder))
        message = verdict(
            "check_recorded", "torch_version", "2.13", conf=conf, _external_data={"recorded": recorded}
        )
        assert ("recorded in .copier-answers.yml" in message) == guarded, (folder.name, message)


def test_a_folder_name_with_glob_characters_still_finds_the_answers_file(tmp_path):
    folder = tmp_path / "proj[1]*?"
    folder.mkdir()
    (folder / ".copier-answers.yml").write_text("backends: [cpu]\n")
    conf = copier_conf(overwrite=True, dst_path=str(folder))
    message = verdict(
        "check_recorded", "backends", ["cu130"], conf=conf, _external_data={"recorded": {"backends": ["cpu"]}}
    )
    assert "would silently replace it" in message


def test_a_repeat_in_a_recorded_list_is_the_same_answer(tmp_path):
    (tmp_path / ".copier-answers.yml").write_text("backends: [cpu, cpu, cu130]\n")
    conf = copier_conf(overwrite=True, dst_path=str(tmp_path))
    recorded = {"recorded": {"backends": ["cpu", "cpu", "cu130"]}}
    assert verdict("check_recorded", "backends", ["cpu", "cu130"], conf=conf, _external_data=recorded) == ""
    assert verdict("check_recorded", "backends", ["cpu"], conf=conf, _external_data=recorded) != ""


def torchaudio_ending_at(release: str) -> dict:
    """The catalog, with torchaudio pairing with no release after `release`: how a companion retires
    (torchaudio nearly did at 2.11), which today's catalog cannot show."""
    catalog = copy.deepcopy(CATALOG)
    names = [each["torch"] for each in catalog["releases"]]
    for later in catalog["releases"][names.index(release) + 1 :]:
        later["torchaudio"] = None
    return catalog


def torchaudio_verdict(catalog: dict, **answers) -> str:
    """package_refusal's verdict on torchaudio against `catalog`, with Python 3.12."""
    return verdict(
        "package_refusal", "torchaudio", catalog_document=[catalog], python_version="3.12", **answers
    )


@pytest.mark.parametrize("ended_at", ["2.9", "2.11"])
def test_a_companion_that_ended_is_refused_after_its_last_pairing(ended_at):
    """Where torchaudio pairs with no release after `ended_at`, choosing it with a later torch says to
    drop it or to choose a torch_version it pairs with; up to `ended_at` it is offered."""
    catalog = torchaudio_ending_at(ended_at)
    for torch in (release["torch"] for release in catalog["releases"]):
        message = torchaudio_verdict(catalog, torch_version=torch, backends=["cpu"])
        if version(torch) <= version(ended_at):
            assert message == "", (torch, message)
        else:
            assert message == f"drop torchaudio or choose torch_version <= {ended_at}", (torch, message)


def test_a_backend_without_the_companion_is_named_with_one_that_has_it():
    """With torchaudio ending at 2.9, every backend is asked about torchaudio at 2.9: a backend with
    a release from 2.9 on that pairs with it is accepted; any other is named, with a backend of
    its own family that has such a release, or with the advice to drop it."""
    catalog = torchaudio_ending_at("2.9")
    releases = {release["torch"]: release for release in catalog["releases"]}
    backends = catalog["backends"]

    def pairs(backend: str) -> bool:
        return any(
            version(torch) >= version("2.9")
            and "3.12" in releases[torch]["python"]
            and releases[torch]["torchaudio"]
            and not releases[torch].get("retired")
            for torch in backends[backend]["torch"]
        )

    named = 0
    for backend in backends:
        message = torchaudio_verdict(
            catalog, torch_version="2.9", backends=[backend], org={"offered_backends": list(backends)}
        )
        if pairs(backend):
            assert message == "", (backend, message)
            continue
        named += 1
        advice = re.fullmatch(rf"drop torchaudio or (?:choose (\S+) for|drop) {re.escape(backend)}", message)
        assert advice, (backend, message)
        if advice.group(1):
            assert backends[advice.group(1)]["family"] == backends[backend]["family"], message
            assert pairs(advice.group(1)), message
    assert named, "some backend starts after 2.9 or ends before it"
