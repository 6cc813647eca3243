"""Rendering and running the template as a user does: copier without --trust (render), uv with a
pinned PyPI snapshot (uvrun), and the generative test's answer space and judge."""
