"""Tooling for the uv-torch-template repository itself; none of it is rendered into projects.

The package is layered; each layer imports only the ones above it:

    catalog/        the model of catalog.yml (catalog/__init__.py) and its round-trip writer
    evidence/       the evidence store (evidence/ at the root): reading it, reading PyPI, recording
    expectations/   the answer sets (matrix: the lock matrix; answer_sets: the named ones the tests
                    render) and what each must lock to (variants), in Python from the catalog alone
    checks/         judges of artefacts: a uv.lock (lock_check, lockfile), a rendered project
                    (project), an index's pages (survey), PyPI (survey_pypi), the catalog against
                    the evidence (evidence_check)
    harness/        rendering and running as a user does (render, uvrun) and the generative
                    test's answer space and judge
    standin/        the offline stand-in for the PyTorch indexes (`python -m uv_torch_template.standin`)
    tasks/          the nox sessions' work and maintainer commands (sessions, smoke, explore, docs,
                    evidence; render_cost: where a render's time goes)

Test-only helpers live in tests/, not here.
"""
