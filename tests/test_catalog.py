"""The catalog is consistent with itself, with copier.yml's choices, and with the docs."""

from __future__ import annotations

import yaml

from uv_torch_template import docs
from uv_torch_template.catalog import load, release_key
from uv_torch_template.render import REPO_ROOT

CATALOG = load()


def test_every_backend_names_known_releases_and_platforms():
    releases = [r.torch for r in CATALOG.releases]
    for backend in CATALOG.backends.values():
        assert backend.torch, backend.name
        assert set(backend.torch) <= set(releases), backend.name
        assert list(backend.torch) == sorted(backend.torch, key=release_key), f"{backend.name}: oldest first"
        assert set(backend.platforms) <= set(CATALOG.platforms), backend.name
        assert set(backend.unlabelled_on) <= set(backend.platforms), backend.name


def test_releases_are_ordered_and_paired():
    keys = [release_key(r.torch) for r in CATALOG.releases]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    for release in CATALOG.releases:
        assert release.version.startswith(release.torch + "."), release
        assert set(release.python) <= set(CATALOG.python_versions), release
        assert release.released < "2026-11-15", "upload times must fall before the suite's exclude-newer"
        # torchaudio never outlives torchvision: the validators rely on it.
        assert release.torchvision or not release.torchaudio


def test_every_accelerator_family_with_a_companion_has_one_in_every_release_it_needs():
    for backend in CATALOG.backends.values():
        families = {f for r in CATALOG.releases for f in r.companions}
        if backend.family in families:
            for torch in backend.torch:
                assert backend.family in CATALOG.release(torch).companions, (backend.name, torch)


def test_facts_from_the_issue():
    """Spot checks against the reference facts the catalog was built from."""
    assert CATALOG.backends["cu128"].torch[-1] == "2.11"
    assert "macos-arm64" not in CATALOG.backends["cu130"].platforms
    assert CATALOG.backends["rocm7.2"].platforms == ("linux-x86_64",)
    assert set(CATALOG.backends["xpu"].platforms) == {"linux-x86_64", "windows-x86_64"}
    assert CATALOG.backends["cpu"].label_on("macos-arm64") is None
    assert CATALOG.backends["cpu"].label_on("linux-x86_64") == "cpu"
    assert CATALOG.release("2.11").torchaudio and not CATALOG.release("2.12").torchaudio


def test_copier_reads_the_same_catalog():
    """copier.yml includes catalog.yml; the choices it offers come from it, not from a copy."""

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("!include", lambda loader, node: ("include", loader.construct_scalar(node)))
    questions = yaml.load((REPO_ROOT / "copier.yml").read_text(), Loader=Loader)
    assert questions["catalog_document"]["default"] == ("include", "catalog.yml")
    for question in ("python_version", "torch_version", "backends", "lock_platforms"):
        choices = questions[question]["choices"]
        assert isinstance(choices, str) and ("catalog" in choices or "_choices()" in choices), question


def test_readme_tables_are_generated_from_the_catalog():
    assert docs.main(["--check"]) == 0, "run: uv run python -m uv_torch_template.docs"
