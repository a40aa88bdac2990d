"""What `fedreg serve`'s pages read and write: the default branch's tip, pull requests, verdicts.

The registry is read from the default branch's tip, fetched into the server's clone at each
request (`proposal.read_main_tip`); pull requests go through the GitHub API. A request's page
shows the facts of the bot's own comment (its verdict marker, labels and text).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..adapters.github import GitHubClient
from ..prbot.result import FEDERATION_LABEL, SELF_SERVICE_LABEL, comment_verdict
from ..registry.policy import Policy
from .editing import ChangeRequest
from .proposal import (
    BRANCH_PREFIX,
    MainTip,
    Proposal,
    Sealer,
    propose,
    read_main_tip,
)


@dataclass(frozen=True)
class RequestStatus:
    number: int
    url: str
    title: str
    state: str  # "open", "closed", "merged"
    verdict: str | None  # "passed", "failed", None (not yet)
    labels: tuple[str, ...]
    comment: str  # the bot's comment, as published

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
        return "pas encore décidée"

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
    ) -> None:
        self.remote = remote
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
            tip = read_main_tip(self.root, self.base_branch, self.client().token, self.remote)
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
        comments = client.bot_comments(pull)
        verdicts = [(comment_verdict(c), c) for c in comments if comment_verdict(c)]
        verdict, comment = verdicts[-1] if verdicts else (None, "")
        state = "merged" if pull.merged else pull.state
        labels = tuple(label.name for label in pull.labels)
        return RequestStatus(
            pull.number, pull.html_url, pull.title, state, verdict, labels, comment
        )
