"""Checks that judge artefacts against the catalog: a uv.lock (lock_check, lockfile), a rendered
project (project), an index's pages (survey). Each works against any index: real, mirror or stand-in."""
