"""The work behind the nox sessions and the maintainer commands (`python -m uv_torch_template.tasks.X`)."""
