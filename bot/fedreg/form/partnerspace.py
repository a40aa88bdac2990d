"""What `fedreg serve`'s pages read and write: the default branch's tip, pull requests, verdicts,
deployments.

The registry is read from the default branch's tip, fetched into the server's clone at each
request (`proposal.read_main_tip`); pull requests go through the GitHub API. A request's page
shows the facts of the bot's own comment (its verdict marker, labels and text) and, once merged,
whether its deployment holds it: from the GitHub Deployments the fedreg App recorded (deploy.yml,
`fedreg bot deploy`), compared with the merge commit in the server's clone.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..adapters.git import GitRepository
from ..adapters.github import GitHubClient
from ..errors import FedregError
from ..prbot.result import FEDERATION_LABEL, SELF_SERVICE_LABEL, comment_verdict
from ..registry.layout import DEPLOYMENTS
from ..registry.models import deployment_parts
from ..registry.policy import Policy
from .editing import ChangeRequest
from .proposal import (
    BRANCH_PREFIX,
    MainTip,
    Proposal,
    Sealer,
    fetch_main,
    propose,
    read_main_tip,
)

ENVIRONMENT_FR = {"integration": "intégration", "production": "production"}
NETWORK_FR = {"internet": "internet", "rie": "RIE"}
MONTHS_FR = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
DEPLOYMENTS_READ = 20  # the fedreg App's latest deployments read per environment
STATUSES_READ = 5  # the most of those whose statuses are read (one API call each)


def when_fr(moment: datetime) -> str:
    """« 6 décembre 2026 à 09:14 », in Paris time."""
    try:
        local = moment.astimezone(ZoneInfo("Europe/Paris"))
        zone = ""
    except ZoneInfoNotFoundError:  # a machine without the time zone database
        local, zone = moment.astimezone(UTC), " (UTC)"
    month = MONTHS_FR[local.month - 1]
    return f"{local.day} {month} {local.year} à {local:%H:%M}{zone}"


@dataclass(frozen=True)
class DeploymentFact:
    """Where one deployment stands with a merged request."""

    deployment: str  # integration-internet, …
    state: str  # "deployed", "in_progress", "failed", "waiting", "unknown"
    at: datetime | None = None  # when it was deployed, or when the attempt failed

    @property
    def where_fr(self) -> str:
        environment, network = deployment_parts(self.deployment)
        return f"{ENVIRONMENT_FR.get(environment, environment)}, {NETWORK_FR.get(network, network)}"

    @property
    def text_fr(self) -> str:
        if self.state == "deployed" and self.at is not None:
            return f"Déployé le {when_fr(self.at)} ({self.where_fr})"
        if self.state == "unknown":
            return f"État du déploiement indisponible pour le moment ({self.where_fr})"
        if self.state == "in_progress":
            return f"Déploiement en cours ({self.where_fr})"
        if self.state == "failed" and self.at is not None:
            return (
                f"En attente de déploiement ({self.where_fr}) : la tentative du "
                f"{when_fr(self.at)} a échoué"
            )
        return f"En attente de déploiement ({self.where_fr})"


# A deployment record of the fedreg App: (its commit, a reader of its statuses newest first).
Record = tuple[str, Callable[[], list[tuple[str, datetime]]]]


def deployment_fact(
    deployment: str,
    merged: str,
    records: Iterable[Record],
    holds: Callable[[str], bool],
    statuses_read: int = STATUSES_READ,
) -> DeploymentFact:
    """Whether `deployment` holds the merge commit `merged`, from the fedreg App's records of
    it (newest first): deployed when its latest successful deployment is `merged` or a
    descendant (`holds`), dated by the earliest such success in a row; otherwise waiting, in
    progress, or waiting after a failed attempt on such a commit. A success GitHub later marks
    `inactive` (a newer deployment succeeded) still was one."""
    deployed_at: datetime | None = None
    attempt: tuple[str, datetime] | None = None  # the newest unsuccessful one that held it
    for sha, read_statuses in records:
        if statuses_read == 0:
            break
        statuses_read -= 1
        states = read_statuses()
        success = next((when for state, when in states if state == "success"), None)
        if success is None:
            if deployed_at is None and attempt is None and states and holds(sha):
                attempt = states[0]
            continue
        if not holds(sha):
            break  # the latest success is older than the request (or the one before it)
        deployed_at = success
    if deployed_at is not None:
        return DeploymentFact(deployment, "deployed", deployed_at)
    if attempt is not None and attempt[0] in ("in_progress", "queued", "pending"):
        return DeploymentFact(deployment, "in_progress")
    if attempt is not None and attempt[0] in ("failure", "error"):
        return DeploymentFact(deployment, "failed", attempt[1])
    return DeploymentFact(deployment, "waiting")


def request_deployment(ref: str) -> str | None:
    """The deployment a form request's branch names (the partner space names it so)."""
    return next((d for d in DEPLOYMENTS if ref.startswith(f"{BRANCH_PREFIX}-{d}-")), None)


@dataclass(frozen=True)
class RequestStatus:
    number: int
    url: str
    title: str
    state: str  # "open", "closed", "merged"
    verdict: str | None  # "passed", "failed", None (not yet)
    labels: tuple[str, ...]
    comment: str  # the bot's comment, as published
    deployments: tuple[DeploymentFact, ...] = ()  # once merged

    @property
    def state_fr(self) -> str:
        return {"open": "en cours", "closed": "fermée", "merged": "acceptée et fusionnée"}[
            self.state
        ]

    @property
    def badge(self) -> str:
        return {"open": "info", "closed": "warning", "merged": "success"}[self.state]

    @property
    def verdict_fr(self) -> str:
        if self.verdict is None and self.state != "open":
            return "aucun verdict publié"  # merged or closed before the robot spoke
        return {
            "passed": "valide",
            "failed": "refusée : voir le compte rendu ci-dessous",
            None: "en cours",
        }[self.verdict]

    @property
    def review_fr(self) -> str:
        if FEDERATION_LABEL in self.labels:
            return "requise"
        if SELF_SERVICE_LABEL in self.labels:
            return "non requise (libre-service)"
        return "pas encore décidée" if self.state == "open" else "sans objet"

    @property
    def awaiting_verdict(self) -> bool:
        """Whether the page should invite the agent to come back for the robot's verdict."""
        return self.state == "open" and not self.comment_lines

    @property
    def comment_lines(self) -> list[str]:
        """The comment's text as plain lines: its Markdown and HTML markup dropped, every
        character shown as text by the page's template."""
        text = re.sub(r"<!--.*?-->", "", self.comment, flags=re.S)
        text = re.sub(r"</?(details|summary|b|br)\s*/?>", " ", text)
        lines = []
        for raw in text.splitlines():
            line = raw.strip().strip("|").replace("|", " · ")
            line = re.sub(r"[*`#>]+", "", line).strip()
            if line and not re.fullmatch(r"[-·: ]+", line):
                lines.append(line)
        return lines


class PartnerSpace:
    """The server's view of the registry repository (one clone, one GitHub App)."""

    def __init__(
        self,
        root: Path,
        policy: Policy,
        client: Callable[[], GitHubClient],
        base_branch: str = "main",
        sealer: Sealer | None = None,
        remote: str = "origin",
        fetch_timeout: float = 8.0,
    ) -> None:
        self.remote, self.fetch_timeout = remote, fetch_timeout
        self.root, self.policy, self.client = root, policy, client
        self.base_branch, self.sealer = base_branch, sealer
        self._fetching = threading.Lock()
        self._last: tuple[float, MainTip] | None = None  # (when its fetch started, the tip)

    def tip(self) -> MainTip:
        """Main's tip, fetched after the call began: one fetch into the clone at a time, and
        callers that waited behind a fetch started after they came share its result (pages
        asked at once never queue one fetch each)."""
        asked = time.monotonic()
        with self._fetching:
            if self._last is not None and self._last[0] >= asked:
                return self._last[1]
            started = time.monotonic()
            token = self.client().token
            tip = read_main_tip(self.root, self.base_branch, token, self.remote, self.fetch_timeout)
            self._last = (started, tip)
            return tip

    def submit(self, request: ChangeRequest) -> Proposal:
        return propose(
            self.client(), self.tip(), request, self.policy, self.base_branch, self.sealer
        )

    def status(self, number: int, key: str) -> RequestStatus | None:
        """The request `number`, if it is one of the requester `key`'s (`requester_key`)
        through the form: opened by the partner space's App (a branch key is public: anyone may
        name a branch so), its verdict read from the bot's own comment only."""
        client = self.client()
        pull = client.pull(number)
        ref = pull.head.ref
        app = (self.policy.partner_space_app or "").lower()
        if (
            not app
            or pull.user.login.lower() != app
            or not ref.startswith(BRANCH_PREFIX)
            or f"-{key}-" not in ref
        ):
            return None
        bot = self.policy.fedreg_app
        comments = client.bot_comments(pull, bot) if bot else []
        verdicts = [(comment_verdict(c), c) for c in comments if comment_verdict(c)]
        verdict, comment = verdicts[-1] if verdicts else (None, "")
        state = "merged" if pull.merged else pull.state
        labels = tuple(label.name for label in pull.labels)
        deployment = request_deployment(ref)
        facts: tuple[DeploymentFact, ...] = ()
        if pull.merged and pull.merge_commit_sha and deployment:
            facts = (self._deployment_fact(client, deployment, pull.merge_commit_sha),)
        return RequestStatus(
            pull.number, pull.html_url, pull.title, state, verdict, labels, comment, facts
        )

    def _deployment_fact(
        self, client: GitHubClient, deployment: str, merged: str
    ) -> DeploymentFact:
        """Whether `deployment` holds the merge commit, from the fedreg App's records only:
        anyone with write access may create deployments and statuses, not as that App.
        GitHub or the registry's remote failing is said as such, and nothing more."""
        app = self.policy.fedreg_app
        if not app:
            return DeploymentFact(deployment, "waiting")
        repo = GitRepository.discover(self.root)
        fetched = False

        def holds(sha: str) -> bool:
            nonlocal fetched
            known = repo.is_ancestor(merged, sha)
            if known is None and not fetched:  # not in the clone yet: main's tip, once
                fetched = True
                with self._fetching:
                    fetch_main(
                        repo, self.base_branch, client.token, self.remote, self.fetch_timeout
                    )
                known = repo.is_ancestor(merged, sha)
            return bool(known)

        try:
            records: list[Record] = [
                (record.sha, partial(client.deployment_states, record, app))
                for record in client.deployment_records(deployment, app, DEPLOYMENTS_READ)
            ]
            return deployment_fact(deployment, merged, records, holds)
        except FedregError:
            return DeploymentFact(deployment, "unknown")
