"""GitHub, through PyGithub: the only module that talks to the GitHub API.

Reads pull requests (their content is read as git data, never through this API), checks team
membership, and publishes a `BotResult` bound to the commits it was decided on. Retries with
backoff on 5xx and on secondary rate limits (honouring Retry-After); turns 401, 403 and 404
into clear errors.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any

from github import Auth, Github, GithubException, GithubRetry, UnknownObjectException
from github.CheckRun import CheckRun
from github.Deployment import Deployment
from github.GithubObject import NotSet
from github.Issue import Issue
from github.PullRequest import PullRequest
from requests.exceptions import RequestException
from urllib3.util.retry import Retry

from ..errors import FedregError
from ..prbot.result import (
    ANNOTATIONS_PER_REQUEST,
    APPROVAL_BODY,
    CHECK_NAME,
    COMMENT_MARKER,
    OUTDATED_NOTE,
    BotResult,
    comment_verdict,
    is_managed_label,
)

OUTDATED_MARKER = "<!-- fedreg:outdated -->"


class GitHubError(FedregError):
    pass


def _moved_in(pull: dict[str, Any], result: BotResult) -> bool:
    """Whether the pull request (as GitHub's JSON gives it) has another head or base than the
    verdict was decided on."""
    return pull["head"]["sha"] != result.head_sha or (
        bool(result.base_sha) and pull["base"]["sha"] != result.base_sha
    )


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
        # No fixed pacing by default: a check makes at most six calls, far below GitHub's
        # secondary limits (80 content-creating requests a minute), and secondary-limit
        # answers are retried after their Retry-After. Only series of writes (annotation
        # batches) wait `write_interval` between requests, as GitHub's
        # best practices ask.
        self.write_interval = float(os.environ.get("FEDREG_GITHUB_WRITE_INTERVAL", "1"))
        self.github = Github(
            auth=Auth.Token(token),
            base_url=api_url.rstrip("/"),
            retry=retry_policy(),
            timeout=30,
            lazy=True,
            seconds_between_requests=float(os.environ.get("FEDREG_GITHUB_REQUEST_INTERVAL", "0")),
            seconds_between_writes=0,
        )
        self.repository = repository
        self.token = token  # also lets git fetch the pull request's head
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
            pull = self.repo.get_pull(number)
            pull.head.sha  # noqa: B018 - completes the lazy object here, where errors are explained
            return pull

    def find_pull(self, head_owner: str, head_branch: str, head_sha: str) -> PullRequest:
        """The open pull request whose head is `head_sha` on `head_owner:head_branch`: what a
        workflow_run event from a fork leaves to find (its pull_requests list is empty)."""
        with explained("recherche de la demande"):
            for pull in self.repo.get_pulls(state="open", head=f"{head_owner}:{head_branch}"):
                if pull.head.sha == head_sha:
                    return pull
        raise GitHubError(f"aucune demande ouverte pour {head_owner}:{head_branch} @ {head_sha}")

    def open_pulls(self, base: str) -> list[PullRequest]:
        """Every open pull request into `base` (all pages)."""
        with explained("liste des demandes ouvertes"):
            return list(self.repo.get_pulls(state="open", base=base))

    def has_bot_approval(self, pull: PullRequest) -> bool:
        """Whether an approval of fedreg's stands on the pull request."""
        with explained("lecture des approbations"):
            return any(_is_bot_approval(review) for review in pull.get_reviews())

    def read_file(self, path: str, ref: str) -> bytes | None:
        """A file's bytes at `ref` through the contents API (None if absent or not a file), for
        `fedreg propose`'s one file. The bot never reads files this way: the contents API
        answers a link with its target's content; it reads git data instead (snapshot.py)."""
        with explained(f"lecture de {path}"):
            try:
                content = self.repo.get_contents(path, ref=ref)
            except UnknownObjectException:
                return None
        if isinstance(content, list) or content.type != "file":
            return None
        return content.decoded_content

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
        """Publish in an order that never misleads, in at most six calls (one or a hundred
        files alike). Nothing but a neutral check is published if the head or the base
        moved since the decision: the pull request is read again first, or, for a verdict
        that asks the federation's review, the review request's answer (the pull request
        as it is) is checked instead. Earlier approvals are withdrawn unless this verdict
        approves. The check run is created completed, then the comment and labels are put
        in place (if that breaks, the check run turns to a failure, "Publication
        incomplète"); the approval comes last, bound to the decided commit. A merge queue's
        commit has no pull request of its own: it gets the check run alone."""
        if result.merge_group:
            self._complete_check(result)
            return
        number = result.pull_number
        pull = self.repo.get_pull(number)  # lazy: no call until a field is read
        if result.approve or not result.team_reviewers:
            current = self.pull(number)
            if self._moved(current, result):
                self._stale_check(result)
                return
            result = dataclasses.replace(
                result,
                seen_labels=[label.name for label in current.labels],
                seen_comments=current.comments,
            )
        else:
            with explained("demande de revue"):
                _, current = self.github.requester.requestJsonAndCheck(
                    "POST",
                    f"{pull.url}/requested_reviewers",
                    input={"team_reviewers": result.team_reviewers},
                )
            if _moved_in(current, result):
                self._stale_check(result)
                return
        if not result.approve:
            self._dismiss_approvals(pull)
        issue = self.repo.get_issue(number)  # lazy too
        check = self._complete_check(result)
        try:
            self._upsert_comment(issue, result)
            self._sync_labels(issue, result)
        except GitHubError:
            self._fail_check(check)
            raise
        if result.approve:
            with explained("approbation"):
                self.github.requester.requestJsonAndCheck(
                    "POST",
                    f"{pull.url}/reviews",
                    input={
                        "commit_id": result.head_sha,
                        "body": result.approval_body,
                        "event": "APPROVE",
                    },
                )

    @staticmethod
    def _moved(pull: PullRequest, result: BotResult) -> bool:
        return _moved_in({"head": {"sha": pull.head.sha}, "base": {"sha": pull.base.sha}}, result)

    def _stale_check(self, result: BotResult) -> None:
        """Nothing but a neutral check: the verdict was decided on commits that are no longer
        the pull request's; the run for the new ones publishes the real verdict."""
        with explained("check run périmé"):
            self.repo.create_check_run(
                name=CHECK_NAME,
                head_sha=result.head_sha,
                status="completed",
                conclusion="neutral",
                output={
                    "title": "Verdict périmé",
                    "summary": "La demande a changé (nouveau commit ou nouvelle base) pendant "
                    "la vérification : rien n'est publié pour cette version, la vérification "
                    "suivante donnera le verdict.",
                },
            )

    def _dismiss_approvals(self, pull: PullRequest) -> None:
        """Withdraw the bot's own approvals: a verdict that is not self-service must not
        leave an earlier one standing."""
        with explained("retrait des approbations"):
            for review in pull.get_reviews():
                if _is_bot_approval(review):
                    self.github.requester.requestJsonAndCheck(
                        "PUT",
                        f"{pull.url}/reviews/{review.id}/dismissals",
                        input={
                            "message": "Le nouveau verdict de fedreg n'est plus en "
                            "libre-service : approbation retirée.",
                            "event": "DISMISS",
                        },
                    )

    def _upsert_comment(self, issue: Issue, result: BotResult) -> None:
        if result.seen_comments == 0:  # none when the decision read the pull request
            with explained("commentaire"):
                issue.create_comment(result.comment)
            return
        with explained("commentaire"):
            ours = [
                c
                for c in issue.get_comments()
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
            issue.create_comment(result.comment)

    def _sync_labels(self, issue: Issue, result: BotResult) -> None:
        """The managed labels as the verdict wants them, from the labels the decision read
        (read here only when it did not): a call only for what changes."""
        wanted = result.labels
        with explained("étiquettes"):
            if result.seen_labels is None:
                current = {label.name for label in issue.get_labels()}
            else:
                current = set(result.seen_labels)
            for name in sorted(current - set(wanted)):
                if is_managed_label(name):
                    issue.remove_from_labels(name)
            missing = [name for name in wanted if name not in current]
            if missing:
                # PyGithub's add_to_labels posts a bare array, which GitHub's REST description
                # no longer documents; send the documented {"labels": [...]} form.
                self.github.requester.requestJsonAndCheck(
                    "POST", f"{issue.url}/labels", input={"labels": missing}
                )

    def _complete_check(self, result: BotResult) -> CheckRun:
        """The check run, created completed with the first batch of annotations; further
        batches (GitHub takes 50 per request) are added to it, paced as GitHub asks of
        series of writes."""
        annotations = result.annotations
        batches = [
            annotations[i : i + ANNOTATIONS_PER_REQUEST]
            for i in range(0, len(annotations), ANNOTATIONS_PER_REQUEST)
        ] or [[]]
        output: dict[str, Any] = {"title": result.title, "summary": result.summary}
        with explained("création du check run"):
            check = self.repo.create_check_run(
                name=CHECK_NAME,
                head_sha=result.head_sha,
                status="completed",
                conclusion="success" if result.passed else "failure",
                output={**output, "annotations": batches[0]},
            )
        with explained("check run"):
            for batch in batches[1:]:
                time.sleep(self.write_interval)
                check.edit(output={**output, "annotations": batch})
        return check

    # -- deployments ---------------------------------------------------------------------

    def deployment_for(self, sha: str, environment: str, new: bool = False) -> Deployment:
        """The GitHub Deployment of `sha` to `environment`: the one GitHub Actions created
        for the job's environment, else (or when `new`: the fedreg App records its own, the
        only ones the partner space believes) a new one by this client's identity."""
        with explained("déploiement GitHub"):
            if not new:
                for deployment in self.repo.get_deployments(sha=sha, environment=environment):
                    return deployment
            return self.repo.create_deployment(
                ref=sha,
                environment=environment,
                auto_merge=False,
                required_contexts=[],
                description="fedreg",
                production_environment=environment.startswith("production"),
            )

    def deployment_records(self, environment: str, creator: str, count: int) -> list[Deployment]:
        """The latest `count` deployments to `environment` (newest first) that `creator`
        (a login) created."""
        with explained("lecture des déploiements"):
            latest = islice(self.repo.get_deployments(environment=environment), count)
            return [
                deployment
                for deployment in latest
                if deployment.creator is not None
                and deployment.creator.login.lower() == creator.lower()
            ]

    def deployment_states(self, deployment: Deployment, creator: str) -> list[tuple[str, datetime]]:
        """(state, when) of each status `creator` gave `deployment`, newest first."""
        with explained("lecture des statuts du déploiement"):
            return [
                (status.state, status.created_at)
                for status in deployment.get_statuses()
                if status.creator is not None and status.creator.login.lower() == creator.lower()
            ]

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
        # If even this fails, the workflow fails and says why; the next run publishes again.
        with suppress(GithubException, RequestException):
            check.edit(
                status="completed",
                conclusion="failure",
                output={
                    "title": "Publication incomplète",
                    "summary": "fedreg n'a pas pu publier son verdict : relancez le workflow.",
                },
            )

    # -- proposing a change: git data API (blob, tree, commit, ref), then the pull request ----

    def branch_head(self, branch: str) -> tuple[str, str]:
        """(commit SHA, tree SHA) of `branch`'s head."""
        with explained(f"lecture de la branche {branch}"):
            _, data = self.github.requester.requestJsonAndCheck(
                "GET", f"/repos/{self.repository}/branches/{branch}"
            )
        return data["commit"]["sha"], data["commit"]["commit"]["tree"]["sha"]

    def commit_file(self, parent: str, tree: str, path: str, text: str, message: str) -> str:
        """A new commit on `parent` whose tree is `tree` with `path` set to `text`; its SHA.
        No branch moves."""
        base = f"/repos/{self.repository}/git"
        with explained("création du commit"):
            _, blob = self.github.requester.requestJsonAndCheck(
                "POST", f"{base}/blobs", input={"content": text, "encoding": "utf-8"}
            )
            entry = {"path": path, "mode": "100644", "type": "blob", "sha": blob["sha"]}
            _, new_tree = self.github.requester.requestJsonAndCheck(
                "POST", f"{base}/trees", input={"base_tree": tree, "tree": [entry]}
            )
            _, commit = self.github.requester.requestJsonAndCheck(
                "POST",
                f"{base}/commits",
                input={"message": message, "tree": new_tree["sha"], "parents": [parent]},
            )
        return str(commit["sha"])

    def set_branch(self, branch: str, sha: str) -> None:
        """Point `branch` at `sha`, creating it or moving it (forced: the branch is fedreg's)."""
        base = f"/repos/{self.repository}/git"
        with explained(f"branche {branch}"):
            try:
                self.github.requester.requestJsonAndCheck("GET", f"{base}/ref/heads/{branch}")
            except UnknownObjectException:
                self.github.requester.requestJsonAndCheck(
                    "POST", f"{base}/refs", input={"ref": f"refs/heads/{branch}", "sha": sha}
                )
                return
            self.github.requester.requestJsonAndCheck(
                "PATCH", f"{base}/refs/heads/{branch}", input={"sha": sha, "force": True}
            )

    def create_branch(self, branch: str, sha: str) -> None:
        """Create `branch` at `sha`; never moves an existing branch (GitHub answers 422)."""
        with explained(f"création de la branche {branch}"):
            self.github.requester.requestJsonAndCheck(
                "POST",
                f"/repos/{self.repository}/git/refs",
                input={"ref": f"refs/heads/{branch}", "sha": sha},
            )

    def open_pulls_under(self, prefix: str) -> list[PullRequest]:
        """The open pull requests whose head is a branch of this repository starting with
        `prefix`."""
        owner = self.repository.split("/", 1)[0]
        with explained("recherche des demandes ouvertes"):
            return [
                pull
                for pull in self.repo.get_pulls(state="open")
                if pull.head.ref.startswith(prefix)
                and pull.head.repo is not None
                and pull.head.repo.owner.login == owner
            ]

    def close_with_comment(self, pull: PullRequest, comment: str) -> None:
        with explained(f"fermeture de la demande n° {pull.number}"):
            pull.create_issue_comment(comment)
            pull.edit(state="closed")

    def bot_comments(self, pull: PullRequest, author: str) -> list[str]:
        """The bot's own comments: its marker, written by `author` (the fedreg App's login).
        Anyone may write the marker, and any workflow's GITHUB_TOKEN comments as a bot."""
        with explained(f"lecture des commentaires de la demande n° {pull.number}"):
            return [
                c.body or ""
                for c in pull.get_issue_comments()
                if COMMENT_MARKER in (c.body or "") and c.user.login.lower() == author.lower()
            ]

    def open_pull_from(self, branch: str) -> PullRequest | None:
        """The open pull request whose head is `branch` of this repository, if any."""
        owner = self.repository.split("/", 1)[0]
        with explained("recherche de la demande"):
            for pull in self.repo.get_pulls(state="open", head=f"{owner}:{branch}"):
                return pull
        return None

    def create_pull(self, branch: str, base: str, title: str, body: str) -> PullRequest:
        with explained("ouverture de la demande"):
            return self.repo.create_pull(base=base, head=branch, title=title, body=body)

    def update_pull(self, pull: PullRequest, title: str, body: str) -> None:
        with explained("mise à jour de la demande"):
            pull.edit(title=title, body=body)

    def pull_body(self, pull: PullRequest) -> str:
        with explained(f"lecture de la demande n° {pull.number}"):
            return pull.body or ""

    # -- the radar's issues and owners ---------------------------------------------------

    def owner_exists(self, owner: str) -> bool:
        """Whether an `owners` entry (`@login` or `@org/team`) still exists on GitHub."""
        name = owner.removeprefix("@")
        org, _, team = name.partition("/")
        path = f"/orgs/{org}/teams/{team}" if team else f"/users/{name}"
        with explained(f"existence de {owner}"):
            try:
                self.github.requester.requestJsonAndCheck("GET", path)
            except UnknownObjectException:
                return False
        return True

    def create_issue(self, title: str, body: str, labels: list[str]) -> int:
        with explained("création d'une issue"):
            return self.repo.create_issue(title=title, body=body, labels=labels).number

    def edit_issue(
        self, number: int, title: str, body: str, labels: list[str] | None, state: str
    ) -> None:
        """One PATCH: title, body, state and (when given) the labels, replaced."""
        with explained(f"mise à jour de l'issue n° {number}"):
            issue = self.repo.get_issue(number)
            if labels is None:
                issue.edit(title=title, body=body, state=state)
            else:
                issue.edit(title=title, body=body, state=state, labels=labels)

    def comment_issue(self, number: int, body: str) -> None:
        with explained(f"commentaire sur l'issue n° {number}"):
            self.repo.get_issue(number).create_comment(body)

    def issues_labelled(self, label: str) -> list[tuple[int, str, str, str]]:
        """(number, state, author login, body) of every issue with `label`, open or closed:
        how the radar finds its issues again when its state was lost."""
        with explained(f"liste des issues « {label} »"):
            return [
                (issue.number, issue.state, issue.user.login, issue.body or "")
                for issue in self.repo.get_issues(state="all", labels=[label])
                if "/pull/" not in issue.html_url  # a pull request is an issue too
            ]


def _is_bot_approval(review: Any) -> bool:
    """An approval fedreg gave (a bot's, with fedreg's approval text)."""
    return (
        review.state == "APPROVED"
        and review.user is not None
        and review.user.type == "Bot"
        and review.body == APPROVAL_BODY
    )
