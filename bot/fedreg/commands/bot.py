"""`fedreg bot pr` and `fedreg bot publish`: the pull-request bot."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ..adapters.files import read_json, write_atomic
from ..adapters.git import GitRepository
from ..adapters.github import GitHubClient  # first: on a light install, names the right extra
from ..errors import UsageError
from ..live.fetch import LiveSettings
from ..prbot.result import BotResult
from ..prbot.run import compute_from_event, compute_offline, rejudge_after_push
from .common import EXIT_FAILED, EXIT_OK, policy_or_fail


def _default_base(repo: GitRepository) -> str:
    for candidate in ("origin/main", "main"):
        try:
            repo.resolve(candidate)
        except UsageError:
            continue
        return candidate
    raise UsageError("ni origin/main ni main n'existent : précisez --base")


def default_cache() -> Path:
    """Where the bot keeps what it learnt of each blob between runs (actions/cache saves it)."""
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "fedreg" / "index.sqlite"


def run_bot_pr(
    *,
    event_path: Path | None,
    out: Path,
    dry_run: bool,
    base: str | None,
    author: str | None,
    policy_file: Path,
    live: bool = False,
    remote: str = "origin",
    cache: Path | None = None,
    radar_state: Path | None = None,
) -> int:
    refusal = "politique invalide : le bot ne décide pas sur une politique cassée"
    policy = policy_or_fail(policy_file, refusal)
    settings = LiveSettings.from_environment() if live else None
    lapsed = _lapsed_proofs(radar_state)
    if dry_run:
        repo = GitRepository.discover(Path.cwd())
        result = compute_offline(
            repo, base or _default_base(repo), policy, author, cache, settings, lapsed
        )
        sys.stdout.write(result.comment.split("\n", 2)[2])  # without the hidden markers
        for item in result.annotations:
            print(
                f"::{'error' if item['annotation_level'] == 'failure' else 'warning'} "
                f"file={item['path']},line={item['start_line']},col={item['start_column']},"
                f"title={item['title']}::{item['message']}"
            )
        return EXIT_OK if result.passed else EXIT_FAILED
    if event_path is None:
        raise UsageError("--event est obligatoire (ou --dry-run)")
    event = read_json(event_path, "événement")
    repo = GitRepository.discover(Path.cwd())
    client = GitHubClient.from_environment()
    result = compute_from_event(event, client, policy, repo, remote, cache, settings, lapsed)
    write_atomic(out, result.to_json())
    print(f"Verdict : {result.title} — écrit dans {out}")
    return EXIT_OK


def _lapsed_proofs(radar_state: Path | None) -> dict[str, tuple[str, ...]]:
    """The radar's last state, read for the DNS proofs missing past the grace period. No
    state (none given, or the radar has not run yet) is no lapsed proof."""
    if radar_state is None or not radar_state.exists():
        return {}
    from ..radar.state import parse_state

    return parse_state(radar_state.read_text(encoding="utf-8"), str(radar_state)).lapsed_proofs()


def run_bot_rejudge(
    *, event_path: Path, policy_file: Path, remote: str, cache: Path, live: bool = False
) -> int:
    """After a push to the default branch: judge the open pull requests again against its new
    tip and publish each verdict that no longer holds (decided and published in this trusted
    job, which runs no code of any pull request)."""
    policy = policy_or_fail(policy_file, "politique invalide : le bot ne décide pas")
    event = read_json(event_path, "événement")
    repo = GitRepository.discover(Path.cwd())
    client = GitHubClient.from_environment()
    settings = LiveSettings.from_environment() if live else None
    results = rejudge_after_push(event, client, policy, repo, remote, cache, settings)
    for result in results:
        client.publish(result)
        print(f"Demande n° {result.pull_number} : {result.title} (verdict revu)")
    if not results:
        print("Aucun verdict à revoir.")
    return EXIT_OK


def run_bot_publish(result_path: Path) -> int:
    try:
        result = BotResult(**read_json(result_path, "résultat"))
    except TypeError as error:
        raise UsageError(f"résultat illisible : {result_path} ({error})") from error
    GitHubClient.from_environment().publish(result)
    print(f"Publié sur la demande n° {result.pull_number} : {result.title}")
    return EXIT_OK
