"""The evidence store (`evidence/` at the repository root): what the indexes were seen to serve,
each fact with its public source. The stand-in serves it, the catalog is checked against it.

    store    reading evidence/ (PyPI records, PyTorch index records, verdicts)
    pypi     reading PyPI (PEP 691 JSON, PEP 658 metadata, wheel METADATA by range requests)
    record   writing evidence/ from a reachable index
"""
