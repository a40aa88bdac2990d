"""GitHub, through PyGithub: the only module that talks to the GitHub API.

Reads a pull request's files as data (never checked out, never run), checks team membership,
and publishes a `BotResult`. Retries with backoff on 5xx and on secondary rate limits
(honouring Retry-After); turns 401, 403 and 404 into clear errors.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from github import Auth, Github, GithubException, GithubRetry, UnknownObjectException
from github.CheckRun import CheckRun
from github.Deployment import Deployment
from github.GithubObject import NotSet
from github.PullRequest import PullRequest
from requests.exceptions import RequestException
from urllib3.util.retry import Retry

from .botresult import (
    ANNOTATIONS_PER_REQUEST,
    CHECK_NAME,
    COMMENT_MARKER,
    OUTDATED_NOTE,
    BotResult,
    comment_verdict,
    is_managed_label,
)
from .diffing import SYMLINK
from .errors import FedregError

OUTDATED_MARKER = "<!-- fedreg:outdated -->"


class GitHubError(FedregError):
    pass


@dataclass(frozen=True)
class ChangedFile:
    path: str
    status: str
    previous_path: str | None


def retry_policy() -> GithubRetry:
    """Retries for 5xx and rate limits; FEDREG_GITHUB_BACKOFF tunes the backoff (seconds)."""
    backoff = float(os.environ.get("FEDREG_GITHUB_BACKOFF", "1.0"))
    return GithubRetry(
        total=5,
        backoff_factor=backoff,
        secondary_rate_wait=float(os.environ.get("FEDREG_GITHUB_SECONDARY_WAIT", "60")),
        allowed_methods=Retry.DEFAULT_ALLOWED_METHODS | {"GET", "POST", "PATCH"},
    )


@contextmanager
def explained(action: str) -> Iterator[None]:
    """Turn PyGithub's exceptions into one French error saying what failed and why."""
    try:
        yield
    except GithubException as error:
        reasons = {
            401: "jeton refusé (401) : vérifiez GITHUB_TOKEN",
            403: "accès interdit (403) : vérifiez les permissions du jeton dans le workflow",
            404: "introuvable (404) : vérifiez GITHUB_REPOSITORY et le numéro de la demande",
        }
        reason = reasons.get(error.status, f"erreur GitHub {error.status}")
        raise GitHubError(f"GitHub : {action} : {reason}") from error
    except RequestException as error:  # connection refused, timeouts, retries exhausted
        raise GitHubError(
            f"GitHub : {action} : injoignable ou en erreur après plusieurs "
            f"essais ({type(error).__name__})"
        ) from error


class GitHubClient:
    def __init__(self, token: str, api_url: str, repository: str) -> None:
        # lazy: objects are fetched when read, so naming the repository costs no call.
        # PyGithub paces calls as GitHub asks (0.25 s apart, writes 1 s apart); tests set 0.
        self.github = Github(
            auth=Auth.Token(token),
            base_url=api_url.rstrip("/"),
            retry=retry_policy(),
            timeout=30,
            lazy=True,
            seconds_between_requests=float(
                os.environ.get("FEDREG_GITHUB_REQUEST_INTERVAL", "0.25")
            ),
            seconds_between_writes=float(os.environ.get("FEDREG_GITHUB_WRITE_INTERVAL", "1")),
        )
        self.repository = repository
        self.repo = self.github.get_repo(repository)

    @classmethod
    def from_environment(cls) -> GitHubClient:
        missing = [v for v in ("GITHUB_TOKEN", "GITHUB_REPOSITORY") if not os.environ.get(v)]
        if missing:
            raise GitHubError("variables d'environnement manquantes : " + ", ".join(missing))
        return cls(
            os.environ["GITHUB_TOKEN"],
            os.environ.get("GITHUB_API_URL", "https://api.github.com"),
            os.environ["GITHUB_REPOSITORY"],
        )

    # -- reading -------------------------------------------------------------------------

    def pull(self, number: int) -> PullRequest:
        with explained(f"lecture de la demande n° {number}"):
            return self.repo.get_pull(number)

    def find_pull(self, head_owner: str, head_branch: str, head_sha: str) -> PullRequest:
        """The open pull request whose head is `head_sha` on `head_owner:head_branch`: what a
        workflow_run event from a fork leaves to find (its pull_requests list is empty)."""
        with explained("recherche de la demande"):
            for pull in self.repo.get_pulls(state="open", head=f"{head_owner}:{head_branch}"):
                if pull.head.sha == head_sha:
                    return pull
        raise GitHubError(f"aucune demande ouverte pour {head_owner}:{head_branch} @ {head_sha}")

    def changed_files(self, pull: PullRequest) -> list[ChangedFile]:
        with explained("liste des fichiers modifiés"):
            files = [
                ChangedFile(f.filename, f.status, f.previous_filename) for f in pull.get_files()
            ]
            total = pull.changed_files
        if len(files) < total:
            # GitHub lists at most 3,000 files: what lies beyond would never be judged.
            raise GitHubError(
                f"GitHub ne liste que {len(files)} des {total} fichiers modifiés par la demande "
                f"n° {pull.number} : fedreg ne juge pas ce qu'il ne voit pas. Découpez-la en "
                "demandes plus petites."
            )
        return files

    def read_file(self, path: str, ref: str) -> bytes | None:
        """The file's bytes at `ref`; None if absent; SYMLINK for a symbolic link."""
        with explained(f"lecture de {path}"):
            try:
                content = self.repo.get_contents(path, ref=ref)
            except UnknownObjectException:
                return None
        if isinstance(content, list) or content.type not in ("file", "symlink"):
            return None
        return SYMLINK if content.type == "symlink" else content.decoded_content

    def is_team_member(self, org: str, team: str, login: str) -> bool:
        with explained(f"appartenance de {login} à {org}/{team}"):
            try:
                _, data = self.github.requester.requestJsonAndCheck(
                    "GET", f"/orgs/{org}/teams/{team}/memberships/{login}"
                )
            except UnknownObjectException:
                return False
        return isinstance(data, dict) and data.get("state") == "active"

    # -- publishing ----------------------------------------------------------------------

    def publish(self, result: BotResult) -> None:
        """Publish in an order that never misleads: the check run stays in progress until
        the comment and labels are in place, and turns to failure if publishing breaks."""
        pull = self.pull(result.pull_number)
        with explained("création du check run"):
            check = self.repo.create_check_run(
                name=CHECK_NAME, head_sha=result.head_sha, status="in_progress"
            )
        try:
            self._upsert_comment(pull, result)
            self._sync_labels(pull, result.labels)
            if result.team_reviewers:
                with explained("demande de revue"):
                    pull.create_review_request(team_reviewers=result.team_reviewers)
            self._complete_check(check, result)
        except GitHubError:
            self._fail_check(check)
            raise
        if result.approve:
            with explained("approbation"):
                # Pinned to the commit judged: without commit_id GitHub approves whatever the
                # head is now, possibly a later push that nobody checked.
                self.github.requester.requestJsonAndCheck(
                    "POST",
                    f"{pull.url}/reviews",
                    input={
                        "commit_id": result.head_sha,
                        "body": result.approval_body,
                        "event": "APPROVE",
                    },
                )

    def _upsert_comment(self, pull: PullRequest, result: BotResult) -> None:
        with explained("commentaire"):
            ours = [
                c
                for c in pull.get_issue_comments()
                if COMMENT_MARKER in c.body
                and OUTDATED_MARKER not in c.body
                and c.user.type == "Bot"
            ]
            latest = ours[-1] if ours else None
            if latest is not None and comment_verdict(latest.body) == result.verdict:
                latest.edit(result.comment)
                return
            if latest is not None:
                old = latest.body.replace(COMMENT_MARKER, "")
                latest.edit(
                    f"{OUTDATED_MARKER}\n{COMMENT_MARKER}\n{OUTDATED_NOTE}"
                    f"<details><summary>Ancien verdict</summary>\n\n{old}\n</details>"
                )
            pull.create_issue_comment(result.comment)

    def _sync_labels(self, pull: PullRequest, wanted: list[str]) -> None:
        with explained("étiquettes"):
            current = {label.name for label in pull.get_labels()}
            for name in sorted(current - set(wanted)):
                if is_managed_label(name):
                    pull.remove_from_labels(name)
            missing = [name for name in wanted if name not in current]
            if missing:
                # PyGithub's add_to_labels posts a bare array, which GitHub's REST description
                # no longer documents; send the documented {"labels": [...]} form.
                self.github.requester.requestJsonAndCheck(
                    "POST", f"{pull.issue_url}/labels", input={"labels": missing}
                )

    def _complete_check(self, check: CheckRun, result: BotResult) -> None:
        annotations = result.annotations
        batches = [
            annotations[i : i + ANNOTATIONS_PER_REQUEST]
            for i in range(0, len(annotations), ANNOTATIONS_PER_REQUEST)
        ] or [[]]
        output: dict[str, Any] = {"title": result.title, "summary": result.summary}
        with explained("check run"):
            for batch in batches[:-1]:
                check.edit(output={**output, "annotations": batch})
            check.edit(
                status="completed",
                conclusion="success" if result.passed else "failure",
                output={**output, "annotations": batches[-1]},
            )

    # -- deployments ---------------------------------------------------------------------

    def deployment_for(self, sha: str, environment: str) -> Deployment:
        """The GitHub Deployment of `sha` to `environment`: the one GitHub Actions created
        for the job's environment, else a new one."""
        with explained("déploiement GitHub"):
            for deployment in self.repo.get_deployments(sha=sha, environment=environment):
                return deployment
            return self.repo.create_deployment(
                ref=sha,
                environment=environment,
                auto_merge=False,
                required_contexts=[],
                description="fedreg",
            )

    def deployment_status(
        self,
        deployment: Deployment,
        state: str,
        description: str,
        log_url: str = "",
        environment_url: str = "",
    ) -> None:
        with explained("statut du déploiement"):
            deployment.create_status(
                state,
                description=description[:140],
                target_url=log_url or NotSet,
                environment_url=environment_url or NotSet,
            )

    def attach_files(self, tag: str, title: str, files: list[Path]) -> str:
        """Attach `files` to a new release `tag`; returns its page's URL."""
        with explained("pièces jointes du déploiement"):
            release = self.repo.create_git_release(
                tag=tag, name=title, message=title, prerelease=True, make_latest="false"
            )
            for path in files:
                release.upload_asset(
                    str(path), name=path.name, content_type="application/octet-stream"
                )
            return release.html_url

    def _fail_check(self, check: CheckRun) -> None:
        # If even this fails, the check run stays "in progress": still not a success.
        with suppress(GithubException):
            check.edit(
                status="completed",
                conclusion="failure",
                output={
                    "title": "Publication incomplète",
                    "summary": "fedreg n'a pas pu publier son verdict : relancez le workflow.",
                },
            )
