"""Take the newest release of the template this project was rendered from, as one pull request.

The `template-update` workflow runs this weekly. When a newer release exists it runs
`copier update --defaults` (your recorded answers; the template needs no trust) on the branch
`template-update`, re-locks with `uv lock`, commits, force-pushes that branch and opens its pull
request, or updates the one already open: one pull request, whatever the number of releases
since. The pull request says which releases it crosses, with their notes from the template's
CHANGELOG.md, and names every file left with conflict markers.

Run it yourself, from the project's root, to see what it would push (nothing is pushed):

    uv run --no-project --with copier python .github/template_update.py --dry-run

It needs git, uv, Copier (whose dependencies give it PyYAML and packaging) and, to open the pull
request, the GitHub CLI (`gh`) with a token in GH_TOKEN.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from packaging.version import InvalidVersion, Version

ANSWERS_FILE = ".copier-answers.yml"
BRANCH = "template-update"
# Copier's inline conflict markers, and git's.
CONFLICT_MARKER = re.compile(r"^(<{7}|>{7})( |$)", re.MULTILINE)
# GitHub refuses a pull request body longer than 65,536 characters: the diff is cut to fit.
BODY_LIMIT = 60_000
REMOTE_SOURCE = re.compile(r"^([a-z][a-z0-9+.-]*://|gh:|gl:|[\w.-]+@[\w.-]+:)", re.IGNORECASE)


class Stop(Exception):
    """Ends the run with a message for the run's summary; `failed` turns the run red."""

    def __init__(self, message: str, failed: bool = False) -> None:
        super().__init__(message)
        self.failed = failed


def run(
    *command: str, check: bool = True, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise Stop(f"`{' '.join(command)}` failed:\n\n{result.stdout}{result.stderr}", failed=True)
    return result


def to_summary(text: str) -> None:
    """The run's summary page (GITHUB_STEP_SUMMARY), and the log."""
    print(text)
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if path:
        with open(path, "a", encoding="utf-8") as summary:
            summary.write(text + "\n")


# ------------------------------------------------------------------------------------------
# Where the template is, and which releases it has


def local_source_missing(source: str) -> str | None:
    """Why Copier cannot reach a template given as a local path from here, or None."""
    if REMOTE_SOURCE.match(source) and not source.lower().startswith("file://"):
        return None
    path = Path(source[len("file://") :] if source.lower().startswith("file://") else source)
    if path.exists():
        return None
    return (
        f"`_src_path` in {ANSWERS_FILE} is the local path `{source}`, which this machine does not "
        "have, so the template's releases cannot be read here. Fix: set `_src_path` to the "
        "template's URL (such as `https://github.com/<owner>/uv-torch-template` or "
        f"`gh:<owner>/uv-torch-template`) in {ANSWERS_FILE} and commit it; the next run then "
        "opens the update pull request."
    )


def parse_version(ref: str) -> Version | None:
    """A release tag (`v1.2.0`) or Copier's record of a commit after one (`v1.2.0-3-gabc1234`)."""
    try:
        return Version(re.sub(r"-\d+-g[0-9a-f]+$", "", ref))
    except InvalidVersion:
        return None


def release_tags(source: str) -> dict[Version, str]:
    """The template's releases as Copier takes them: PEP 440 version tags, no pre-releases."""
    listing = run("git", "ls-remote", "--tags", "--refs", source).stdout
    tags: dict[Version, str] = {}
    for line in listing.splitlines():
        tag = line.split("refs/tags/", 1)[-1]
        version = parse_version(tag)
        if version is not None and not version.is_prerelease:
            tags[version] = tag
    return dict(sorted(tags.items()))


def file_at_release(source: str, tag: str, name: str) -> str | None:
    """A file of the template as released at `tag`, or None where it has none."""
    with tempfile.TemporaryDirectory() as scratch:
        run("git", "init", "-q", scratch)
        run("git", "fetch", "-q", "--depth", "1", source, f"refs/tags/{tag}", cwd=Path(scratch))
        shown = run("git", "show", f"FETCH_HEAD:{name}", check=False, cwd=Path(scratch))
    return shown.stdout if shown.returncode == 0 else None


def release_notes(source: str, tag: str, crossed: list[Version]) -> str:
    """The CHANGELOG.md sections (`## v1.2.0`) of the releases crossed, from the newest release."""
    changelog = file_at_release(source, tag, "CHANGELOG.md")
    if changelog is None:
        return f"The template has no CHANGELOG.md at {tag}."
    sections = re.split(r"^## ", changelog, flags=re.MULTILINE)[1:]
    notes = []
    for section in sections:
        heading, _, body = section.partition("\n")
        version = parse_version(heading.split()[0]) if heading.split() else None
        if version in crossed:
            notes.append(f"### {heading.strip()}\n{body.rstrip()}")
    missing = [
        str(v) for v in crossed if not any(f"### v{v}" in n or f"### {v}" in n for n in notes)
    ]
    if missing:
        notes.append(f"(CHANGELOG.md has no entry for {', '.join(missing)}.)")
    return "\n\n".join(notes)


# ------------------------------------------------------------------------------------------
# The update itself


def conflicted_files(project: Path) -> list[str]:
    """Files the update left with conflict markers, and Copier's .rej files."""
    changed = run(
        "git", "ls-files", "--modified", "--others", "--exclude-standard", cwd=project
    ).stdout
    found = []
    for name in sorted(set(changed.split())):
        path = project / name
        if name.endswith(".rej"):
            found.append(name)
        elif path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            if CONFLICT_MARKER.search(text):
                found.append(name)
    return found


def relock(project: Path) -> str:
    """`uv lock`: what the pull request says of it."""
    try:
        result = run("uv", "lock", check=False, cwd=project)
    except FileNotFoundError:
        return (
            "`uv lock` was not run (uv is not on PATH): run it on this branch and commit uv.lock."
        )
    if result.returncode == 0:
        return "`uv lock` re-locked the project for the updated pyproject.toml."
    tail = "\n".join(result.stderr.strip().splitlines()[-15:])
    return (
        "**`uv lock` failed**: resolve the conflicts (if any), run `uv lock` on this branch and "
        f"commit uv.lock.\n\n```\n{tail}\n```"
    )


def pull_request_body(
    current: str, target: str, notes: str, conflicts: list[str], lock: str, stat: str, diff: str
) -> str:
    if conflicts:
        listed = "\n".join(f"- `{name}`" for name in conflicts)
        conflict_text = (
            f"**{len(conflicts)} file(s) have conflicts** where your edits and the template's "
            f"changes meet; resolve their conflict markers on this branch:\n\n{listed}"
        )
    else:
        conflict_text = "None: the template's changes merged with your edits."
    body = (
        f"This takes the project from template release **{current}** to **{target}** with "
        "`copier update --defaults` (the answers in `.copier-answers.yml`, no `--trust`).\n\n"
        f"## Conflicts\n\n{conflict_text}\n\n"
        f"## Lock\n\n{lock}\n\n"
        f"## Release notes\n\n{notes}\n\n"
        f"## Changes\n\n```\n{stat.rstrip()}\n```\n\n"
        "Review the diff, run the tests (`uv sync` and `uv run --no-sync pytest`), and merge. "
        f"This pull request is updated in place while it stays open; its branch `{BRANCH}` is "
        "rewritten on every run, so make your own changes after merging it.\n"
    )
    room = BODY_LIMIT - len(body) - 200
    shown = diff if len(diff) <= room else diff[: max(room, 0)] + "\n... (cut: see the Files tab)"
    return body + f"\n<details><summary>Diff</summary>\n\n```diff\n{shown}\n```\n\n</details>\n"


def open_or_update_pull_request(base: str, title: str, body_file: Path) -> str:
    listed = run(
        "gh",
        "pr",
        "list",
        "--head",
        BRANCH,
        "--state",
        "open",
        "--json",
        "number",
        "--jq",
        ".[0].number",
    ).stdout.strip()
    if listed:
        run("gh", "pr", "edit", listed, "--title", title, "--body-file", str(body_file))
        return f"Updated pull request #{listed}."
    created = run(
        "gh",
        "pr",
        "create",
        "--head",
        BRANCH,
        "--base",
        base,
        "--title",
        title,
        "--body-file",
        str(body_file),
        check=False,
    )
    if created.returncode != 0:
        raise Stop(
            "Could not open the pull request (for GITHUB_TOKEN: Settings > Actions > General > "
            f"'Allow GitHub Actions to create and approve pull requests'):\n\n{created.stderr}",
            failed=True,
        )
    return f"Opened pull request {created.stdout.strip()}."


def update(project: Path, remote: str, dry_run: bool) -> None:
    answers = yaml.safe_load((project / ANSWERS_FILE).read_text(encoding="utf-8")) or {}
    source, recorded = str(answers.get("_src_path", "")), str(answers.get("_commit", ""))
    why_not = local_source_missing(source)
    if why_not:
        print(f"::notice title=template-update::{why_not}")
        to_summary(f"### Template update not checked\n\n{why_not}")
        return
    releases = release_tags(source)
    if not releases:
        raise Stop(
            f"The template at {source} has no release tags (`v1.0.0`): nothing to update to."
        )
    newest = max(releases)
    current = parse_version(recorded)
    if current is not None and current >= newest:
        raise Stop(f"This project is on the newest template release, {releases[newest]}.")
    crossed = [v for v in releases if current is None or v > current]
    target = releases[newest]
    notes = release_notes(source, target, crossed)

    base = run("git", "rev-parse", "--abbrev-ref", "HEAD", cwd=project).stdout.strip()
    title = f"Update from the template: {recorded or 'an unknown release'} to {target}"
    run("git", "checkout", "-q", "-B", BRANCH, cwd=project)
    try:
        conflicts, lock = update_branch(project, target, title)
        stat = run("git", "diff", "--stat", "HEAD~1", "HEAD", cwd=project).stdout
        # uv.lock's diff is long and machine-written: the stat above counts it.
        diff = run(
            "git", "diff", "HEAD~1", "HEAD", "--", ".", ":(exclude)uv.lock", cwd=project
        ).stdout
        commit = run("git", "rev-parse", "HEAD", cwd=project).stdout.strip()
        print(f"Branch {BRANCH}, commit {commit}: {title}")
        body = pull_request_body(recorded or "?", target, notes, conflicts, lock, stat, diff)
        if conflicts:
            named = ", ".join(conflicts)
            print(f"::warning title=template-update::conflicts in {named}: see the pull request")
        if dry_run:
            to_summary(f"### {title} (dry run: nothing pushed)\n\n{body}")
            print(f"Inspect it with: git diff {base} {BRANCH}")
            return
        pushed = already_pushed(project, remote)
        if pushed:
            # The same update on the same base: the branch (and its CI run) stays as it is.
            print(f"{remote} {BRANCH} already holds this update ({pushed}): not pushed again")
            commit = pushed
        else:
            push(project, remote)
    finally:
        # Back where the run started: the branch stays, for a look with git diff.
        run("git", "checkout", "-q", base, check=False, cwd=project)
    with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False, encoding="utf-8") as file:
        file.write(body)
    outcome = open_or_update_pull_request(base, title, Path(file.name))
    to_summary(f"### {title}\n\n{outcome} Branch `{BRANCH}`, commit `{commit}`.")


def push(project: Path, remote: str) -> None:
    pushed = run(
        "git", "push", "--force", remote, f"HEAD:refs/heads/{BRANCH}", check=False, cwd=project
    )
    if pushed.returncode == 0:
        return
    if "`workflows` permission" in pushed.stderr:
        raise Stop(
            "GitHub refused the push: this update changes a file under .github/workflows/, which "
            "the workflow's own token may not do. Store a GitHub App token or a fine-grained token "
            "with Contents, Pull requests and Workflows: read and write as the repository secret "
            "TEMPLATE_UPDATE_TOKEN, or take this release by hand (README.md, 'Update from the "
            f"template').\n\n```\n{pushed.stderr.strip()}\n```",
            failed=True,
        )
    raise Stop(f"`git push` to {remote} failed:\n\n```\n{pushed.stderr.strip()}\n```", failed=True)


def already_pushed(project: Path, remote: str) -> str | None:
    """The remote branch's commit when it holds this very update on this very base, else None."""
    fetched = run("git", "fetch", "-q", remote, f"refs/heads/{BRANCH}", check=False, cwd=project)
    if fetched.returncode != 0:
        return None
    ours, theirs = (
        run("git", "rev-parse", ref + "^{tree}", ref + "~1", cwd=project).stdout.split()
        for ref in ("HEAD", "FETCH_HEAD")
    )
    if ours != theirs:
        return None
    return run("git", "rev-parse", "FETCH_HEAD", cwd=project).stdout.strip()


def update_branch(project: Path, target: str, title: str) -> tuple[list[str], str]:
    """copier update and uv lock on the checked-out branch, committed: (conflicts, lock note)."""
    copier = run(
        *(sys.executable, "-m", "copier", "update", "--defaults", "--vcs-ref", target),
        check=False,
        cwd=project,
    )
    if copier.returncode != 0:
        print(copier.stdout + copier.stderr)  # the whole of it, in the job's log
        lines = [line for line in copier.stderr.splitlines() if line.strip()] or ["(no output)"]
        reason = re.sub(r"^\w+Error: ", "", lines[-1])
        raise Stop(
            f"copier update to {target} stopped: {reason}\n\nRun `copier update` yourself and "
            "answer what it asks (README.md, 'Update from the template').",
            failed=True,
        )
    conflicts = conflicted_files(project)
    lock = relock(project)
    run("git", "add", "-A", cwd=project)
    committed = run("git", "commit", "-q", "--no-verify", "-m", title, check=False, cwd=project)
    if committed.returncode != 0:
        raise Stop(f"{target} changes nothing in this project.")
    return conflicts, lock


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--remote", default="origin", help="where to push the branch (default: origin)"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="update and commit locally; push nothing"
    )
    args = parser.parse_args(argv)
    try:
        update(Path.cwd(), args.remote, args.dry_run)
    except Stop as stop:
        if stop.failed:
            print(f"::error title=template-update::{str(stop).splitlines()[0]}")
        to_summary(str(stop))
        return 1 if stop.failed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
