"""Tooling for the uv-torch-template repository itself: the catalog, the stand-in index, lock inspection.

None of this is rendered into projects; the tests, the noxfile and the docs import it.
"""
