"""The catalog is consistent with itself, with copier.yml's choices, and with the docs."""

from __future__ import annotations

import yaml

from uv_torch_template.catalog import load, load_raw, release_key
from uv_torch_template.harness.render import REPO_ROOT
from uv_torch_template.tasks import docs

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


def test_patch_releases_are_ordered_and_each_backend_names_real_ones():
    for release in CATALOG.releases:
        versions = [p.version for p in release.builds]
        assert versions[-1] == release.version
        assert all(v.startswith(release.torch + ".") for v in versions), release.torch
        assert versions == sorted(versions, key=release_key) and len(set(versions)) == len(versions)
        dates = [p.released for p in release.builds]
        assert dates == sorted(dates) and dates[-1] < "2026-11-15", release.torch
        for patch in release.builds:  # a patch has a pairing exactly where its release has one
            assert bool(patch.torchvision) == bool(release.torchvision), patch
            assert bool(patch.torchaudio) == bool(release.torchaudio), patch
    for backend in CATALOG.backends.values():
        for release, versions in backend.only_patches.items():
            assert release in backend.torch, (backend.name, release)
            assert set(versions) <= {p.version for p in CATALOG.release(release).builds}, backend.name
        for release, platforms in backend.release_platforms.items():
            assert release in backend.torch and set(platforms) <= set(CATALOG.platforms), backend.name


def test_the_default_floor_is_the_newest_fully_verified_release():
    raw = load_raw()
    verified = [r.torch for r in CATALOG.releases if not r.unverified and not r.retired]
    assert raw["default_torch_version"] == verified[-1]


def test_every_accelerator_family_with_a_companion_has_one_in_every_release_it_needs():
    for backend in CATALOG.backends.values():
        families = {f for r in CATALOG.releases for f in r.companions}
        if backend.family in families:
            for torch in backend.torch:
                assert backend.family in CATALOG.release(torch).companions, (backend.name, torch)


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
    assert docs.main(["--check"]) == 0, "run: uv run python -m uv_torch_template.tasks.docs"
