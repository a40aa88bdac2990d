"""A GitHub-compatible API on a loopback port, for the bot's tests.

Honest by construction:
- every request and every response with a documented status is validated against GitHub's
  published OpenAPI description (`tests/data/github-api/rest-subset.json`, vendored with its
  MIT notice) with openapi-core; a
  mismatch is answered 422 and recorded in `violations`, which the fixture asserts empty;
- responses start from the description's own examples, with the server's state overlaid;
- pull requests are backed by a real git repository: changed files and contents at a commit
  come from `git`, symbolic links included.

One normalisation of the description: GitHub's schemas mark enums `nullable: true` without
listing null among the values (e.g. a check run's `conclusion`), which OpenAPI 3.0.3 says to
list; the loader adds null to those enums, as GitHub's own examples require.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import posixpath
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode

import uvicorn
from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

SPEC_PATH = Path(__file__).resolve().parent / "data/github-api/rest-subset.json"
GITHUB_HOST = "https://api.github.com"
UPLOADS_HOST = "https://uploads.github.com"  # where GitHub takes release assets
BOT = {"login": "github-actions[bot]", "type": "Bot"}
WEB_HOST = "https://github.com"


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _allow_null_in_nullable_enums(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("nullable") and "enum" in node and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
        for value in node.values():
            _allow_null_in_nullable_enums(value)
    elif isinstance(node, list):
        for value in node:
            _allow_null_in_nullable_enums(value)


@cache
def github_description() -> tuple[dict[str, Any], OpenAPI]:
    spec = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    _allow_null_in_nullable_enums(spec)
    return spec, OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))


def example(path: str, method: str, status: str, name: str | None = None) -> Any:
    spec, _ = github_description()
    content = spec["paths"][path][method]["responses"][status]["content"]["application/json"]
    examples = content["examples"]
    return copy.deepcopy(examples[name or next(iter(examples))]["value"])


@dataclass
class Failure:
    """A scripted answer: the next `count` requests matching `method` and `path` get it."""

    method: str
    path: str  # regular expression on the request path
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    count: int = 1


@dataclass
class PullState:
    number: int
    base_sha: str
    head_sha: str
    head_ref: str
    author: str
    head_owner: str
    labels: list[str] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    requested_teams: list[str] = field(default_factory=list)
    base_ref: str = "main"
    title: str = ""
    body: str = ""
    author_type: str = "User"  # "Bot" for a GitHub App
    state: str = "open"  # "open" or "closed"
    merged: bool = False
    merge_commit: str | None = None  # the commit the merge made on the base branch


class FakeGitHub:
    def __init__(
        self, git_root: Path, owner: str = "proconnect-gouv", name: str = "registre"
    ) -> None:
        self.git_root = git_root
        self.owner, self.name = owner, name
        self.full_name = f"{owner}/{name}"
        self.tokens = {"bot-token": BOT}
        self.pulls: dict[int, PullState] = {}
        self.check_runs: dict[int, dict[str, Any]] = {}
        self.annotation_batches: list[int] = []
        self.team_members: dict[tuple[str, str], set[str]] = {}
        self.failures: list[Failure] = []
        self.deployments: list[dict[str, Any]] = []
        # GitHub lists at most 3,000 files of a pull request; a test may lower it.
        self.files_listed_at_most = 3000
        self.releases: list[dict[str, Any]] = []
        self.violations: list[str] = []
        # Issues that are not pull requests (the radar's), users and teams that exist, and
        # every mention GitHub would notify: in a new issue, a comment, or added by an edit.
        self.issues: dict[int, dict[str, Any]] = {}
        self.users: set[str] = set()
        self.teams: set[tuple[str, str]] = set()
        self.mentions: list[tuple[int, str]] = []
        self.calls: list[tuple[str, str, int]] = []
        self.blobs_created = 0
        self.commits_created: list[str] = []
        self._ids = iter(range(1000, 10**9))
        self.base_url = ""
        self._next_link = ""  # the Link header of the page being answered, when there is more
        self._server: uvicorn.Server | None = None
        self._routes: list[tuple[str, re.Pattern[str], str, Callable[..., Any]]] = []
        self._route("get", r"/repos/{o}/{r}/pulls", "/repos/{owner}/{repo}/pulls", self._list_pulls)
        self._route(
            "get",
            r"/repos/{o}/{r}/pulls/(?P<number>\d+)",
            "/repos/{owner}/{repo}/pulls/{pull_number}",
            self._get_pull,
        )
        self._route(
            "get",
            r"/repos/{o}/{r}/pulls/(?P<number>\d+)/files",
            "/repos/{owner}/{repo}/pulls/{pull_number}/files",
            self._pull_files,
        )
        self._route(
            "get",
            r"/repos/{o}/{r}/contents/(?P<path>.+)",
            "/repos/{owner}/{repo}/contents/{path}",
            self._contents,
        )
        self._route(
            "get",
            r"/orgs/(?P<org>[^/]+)/teams/(?P<team>[^/]+)/memberships/"
            r"(?P<login>[^/]+)",
            "/orgs/{org}/teams/{team_slug}/memberships/{username}",
            self._membership,
        )
        self._route(
            "post",
            r"/repos/{o}/{r}/check-runs",
            "/repos/{owner}/{repo}/check-runs",
            self._create_check,
        )
        self._route(
            "patch",
            r"/repos/{o}/{r}/check-runs/(?P<id>\d+)",
            "/repos/{owner}/{repo}/check-runs/{check_run_id}",
            self._update_check,
        )
        self._route(
            "get",
            r"/repos/{o}/{r}/issues/(?P<number>\d+)/comments",
            "/repos/{owner}/{repo}/issues/{issue_number}/comments",
            self._list_comments,
        )
        self._route(
            "post",
            r"/repos/{o}/{r}/issues/(?P<number>\d+)/comments",
            "/repos/{owner}/{repo}/issues/{issue_number}/comments",
            self._create_comment,
        )
        self._route(
            "patch",
            r"/repos/{o}/{r}/issues/comments/(?P<id>\d+)",
            "/repos/{owner}/{repo}/issues/comments/{comment_id}",
            self._update_comment,
        )
        self._route(
            "get",
            r"/repos/{o}/{r}/issues/(?P<number>\d+)/labels",
            "/repos/{owner}/{repo}/issues/{issue_number}/labels",
            self._list_labels,
        )
        self._route(
            "post",
            r"/repos/{o}/{r}/issues/(?P<number>\d+)/labels",
            "/repos/{owner}/{repo}/issues/{issue_number}/labels",
            self._add_labels,
        )
        self._route(
            "delete",
            r"/repos/{o}/{r}/issues/(?P<number>\d+)/labels/(?P<label>[^/]+)",
            "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}",
            self._remove_label,
        )
        self._route(
            "post",
            r"/repos/{o}/{r}/pulls/(?P<number>\d+)/reviews",
            "/repos/{owner}/{repo}/pulls/{pull_number}/reviews",
            self._create_review,
        )
        self._route(
            "get",
            r"/repos/{o}/{r}/deployments",
            "/repos/{owner}/{repo}/deployments",
            self._list_deployments,
        )
        self._route(
            "post",
            r"/repos/{o}/{r}/deployments",
            "/repos/{owner}/{repo}/deployments",
            self._create_deployment,
        )
        self._route(
            "get",
            r"/repos/{o}/{r}/deployments/(?P<id>\d+)/statuses",
            "/repos/{owner}/{repo}/deployments/{deployment_id}/statuses",
            self._list_deployment_statuses,
        )
        self._route(
            "post",
            r"/repos/{o}/{r}/deployments/(?P<id>\d+)/statuses",
            "/repos/{owner}/{repo}/deployments/{deployment_id}/statuses",
            self._create_deployment_status,
        )
        self._route(
            "post",
            r"/repos/{o}/{r}/releases",
            "/repos/{owner}/{repo}/releases",
            self._create_release,
        )
        self._route(
            "post",
            r"/repos/{o}/{r}/releases/(?P<id>\d+)/assets",
            "/repos/{owner}/{repo}/releases/{release_id}/assets",
            self._upload_asset,
        )
        # -- reviews bound to commits, dismissals ---------------------------------------------
        self._route(
            "get",
            r"/repos/{o}/{r}/pulls/(?P<number>\d+)/reviews",
            "/repos/{owner}/{repo}/pulls/{pull_number}/reviews",
            self._list_reviews,
        )
        self._route(
            "put",
            r"/repos/{o}/{r}/pulls/(?P<number>\d+)/reviews/(?P<id>\d+)/dismissals",
            "/repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/dismissals",
            self._dismiss_review,
        )
        self.remote = Path(tempfile.mkdtemp(prefix="fake-github-")) / f"{name}.git"
        subprocess.run(["git", "init", "-q", "--bare", str(self.remote)], check=True)
        self.remote_url = self.remote.as_uri()
        self._route(
            "post",
            r"/repos/{o}/{r}/pulls/(?P<number>\d+)/requested_reviewers",
            "/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers",
            self._request_reviewers,
        )
        self._add_git_data_routes()
        self._add_issue_routes()

    # -- setup -------------------------------------------------------------------------

    def _route(self, method: str, pattern: str, template: str, handler: Callable[..., Any]) -> None:
        regex = pattern.replace("{o}", re.escape(self.owner)).replace("{r}", re.escape(self.name))
        self._routes.append((method, re.compile(f"^{regex}$"), template, handler))

    def open_pull(
        self,
        number: int,
        base: str,
        head: str,
        author: str,
        head_owner: str | None = None,
        head_ref: str = "partner-change",
    ) -> PullState:
        pull = PullState(
            number,
            self._git("rev-parse", base),
            self._git("rev-parse", head),
            head_ref,
            author,
            head_owner or self.owner,
        )
        self.pulls[number] = pull
        self._publish_refs(pull)
        return pull

    def push(self, number: int, head: str) -> None:
        self.pulls[number].head_sha = self._git("rev-parse", head)
        self._publish_refs(self.pulls[number])

    # -- the git side: what `git fetch` sees, as GitHub serves it ------------------------------

    def _publish_refs(self, pull: PullState) -> None:
        """GitHub keeps `refs/pull/N/head` (forks included) and the base branch as it is now:
        its tip, which the API's `base.sha` (a snapshot) may lag. The bare repository the bot
        fetches from (a file:// remote) holds the same."""
        self._git(
            "push",
            "-q",
            "--force",
            str(self.remote),
            f"{pull.head_sha}:refs/pull/{pull.number}/head",
            f"refs/heads/{pull.base_ref}:refs/heads/{pull.base_ref}",
        )

    def advance_base(self, number: int, commit: str) -> None:
        """The base branch moved (another pull request was merged)."""
        pull = self.pulls[number]
        pull.base_sha = self._git("rev-parse", commit)
        self._publish_refs(pull)

    def retarget(self, number: int, base_ref: str, commit: str) -> None:
        """The author changed the pull request's base branch (`pull_request` `edited`)."""
        pull = self.pulls[number]
        pull.base_ref, pull.base_sha = base_ref, self._git("rev-parse", commit)
        self._publish_refs(pull)

    def merge(self, number: int) -> str:
        """Merge pull request `number` into its base branch as GitHub's merge button does (a
        merge commit), close it, and publish the branch; returns the new tip."""
        pull = self.pulls[number]
        self._git("checkout", "-q", pull.base_ref)
        self._git("merge", "-q", "--no-ff", "-m", f"Merge pull request #{number}", pull.head_sha)
        pull.state, pull.merged = "closed", True
        pull.merge_commit = self._git("rev-parse", "HEAD")
        self._publish_refs(pull)
        return pull.merge_commit

    def merge_group(self, numbers: list[int], base_ref: str = "main") -> tuple[str, str, str]:
        """The merge queue's commit for `numbers` (queued in that order) on the base branch's
        tip, as GitHub builds it on `refs/heads/gh-readonly-queue/<base>/pr-<N>-<sha>`:
        (head_sha, head_ref, base_sha). The base branch does not move."""
        base = self._git("rev-parse", base_ref)
        head = base
        for number in numbers:
            pull = self.pulls[number]
            tree = self._git("merge-tree", "--write-tree", head, pull.head_sha).split()[0]
            head = self._git(
                "commit-tree", tree, "-p", head, "-p", pull.head_sha, "-m", f"Merge #{number}"
            )
        last = numbers[-1]
        ref = f"refs/heads/gh-readonly-queue/{base_ref}/pr-{last}-{self.pulls[last].head_sha}"
        self._git("push", "-q", "--force", str(self.remote), f"{head}:{ref}")
        return head, ref, base

    def api_calls(self, since: int = 0) -> list[tuple[str, str, int]]:
        return self.calls[since:]

    def client_environment(self, token: str) -> dict[str, str]:
        """What a fedreg command needs to talk to this server with `token`, without pauses."""
        return {
            "GITHUB_TOKEN": token,
            "GITHUB_API_URL": self.base_url,
            "GITHUB_REPOSITORY": self.full_name,
            "FEDREG_GITHUB_BACKOFF": "0.01",
            "FEDREG_GITHUB_REQUEST_INTERVAL": "0",
            "FEDREG_GITHUB_WRITE_INTERVAL": "0",
        }

    def add_member(self, org: str, team: str, login: str) -> None:
        self.team_members.setdefault((org, team), set()).add(login)

    def fail(
        self,
        method: str,
        path: str,
        status: int,
        message: str,
        count: int = 1,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.failures.append(
            Failure(
                method,
                path,
                status,
                {"message": message, "documentation_url": "https://docs.github.com/rest"},
                headers or {},
                count,
            )
        )

    def start(self) -> None:
        sock = socket.socket()
        # Head and body of a response go out in two writes: without this, Nagle's algorithm
        # and delayed ACKs stall every call by ~40 ms on loopback.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        app = Starlette(
            routes=[
                Route(
                    "/{path:path}",
                    self._endpoint,
                    methods=["GET", "POST", "PATCH", "DELETE", "PUT"],
                )
            ]
        )
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
        thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake GitHub did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        shutil.rmtree(self.remote.parent, ignore_errors=True)

    # -- the HTTP side -------------------------------------------------------------------

    async def _endpoint(self, request: Request) -> Response:
        method = request.method.lower()
        path = unquote(request.url.path)
        body = await request.body()
        query = dict(parse_qsl(request.url.query))
        for failure in self.failures:
            if failure.count and failure.method == method and re.search(failure.path, path):
                failure.count -= 1
                self.calls.append((method, path, failure.status))
                return Response(
                    json.dumps(failure.body),
                    failure.status,
                    headers=failure.headers,
                    media_type="application/json",
                )
        token = request.headers.get("authorization", "").split(" ")[-1]
        user = self.tokens.get(token)
        if user is None:
            return self._reply(
                method,
                path,
                401,
                {"message": "Bad credentials", "documentation_url": "https://docs.github.com"},
            )
        route = next(
            (
                (t, h, m)
                for mth, rx, t, h in self._routes
                if mth == method and (m := rx.match(path))
            ),
            None,
        )
        if route is None:
            self.violations.append(f"{method.upper()} {path}: not an operation of the subset")
            return self._reply(method, path, 404, {"message": "Not Found"})
        template, handler, match = route
        checked_path = request.url.path
        for spanning in ("path", "ref"):
            if spanning in match.groupdict():
                # GitHub's {path} and {ref} span segments (contents/registry/a/b.yaml,
                # git/ref/heads/x); openapi-core matches one segment, so the parameter is
                # shown to it percent-encoded.
                raw = match.group(spanning)
                checked_path = path[: match.start(spanning)] + quote(raw, safe="")
        host = UPLOADS_HOST if template.endswith("/assets") else GITHUB_HOST
        openapi_request = MockRequest(
            host,
            method,
            checked_path,
            args=query,
            headers=dict(request.headers),
            data=body or None,
            content_type=request.headers.get("content-type", "application/json"),
        )
        _, openapi = github_description()
        try:
            openapi.validate_request(openapi_request)
        except Exception as error:
            self.violations.append(f"{method.upper()} {path}: request: {error}")
            return self._reply(method, path, 422, {"message": "Validation Failed"})
        binary = request.headers.get("content-type", "").startswith("application/octet-stream")
        payload = {"bytes": body} if binary else (json.loads(body) if body else {})
        number = match.groupdict().get("number")
        if number is not None and int(number) not in self.pulls | self.issues:
            status, data = (
                404,
                {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"},
            )
        else:
            status, data = handler(payload, query, user, **match.groupdict())
        response = self._reply(method, path, status, data)
        spec, _ = github_description()
        documented = spec["paths"][template][method]["responses"]
        if str(status) in documented:
            try:
                openapi.validate_response(
                    openapi_request,
                    MockResponse(
                        bytes(response.body), status_code=status, content_type="application/json"
                    ),
                )
            except Exception as error:
                self.violations.append(f"{method.upper()} {path}: response {status}: {error}")
        return response

    def _reply(self, method: str, path: str, status: int, data: Any) -> Response:
        self.calls.append((method, path, status))
        headers = {"Link": f'<{self._next_link}>; rel="next"'} if self._next_link else {}
        self._next_link = ""
        return Response(json.dumps(data), status, headers=headers, media_type="application/json")

    # -- git -------------------------------------------------------------------------------

    def _git(self, *args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=self.git_root, capture_output=True, text=True, check=True
        ).stdout.strip()

    def _url(self, suffix: str) -> str:
        return f"{self.base_url}/repos/{self.full_name}{suffix}"

    # -- handlers: (payload, query, user, **path params) -> (status, body) --------------------

    def _pull_json(self, pull: PullState) -> dict[str, Any]:
        data = example("/repos/{owner}/{repo}/pulls/{pull_number}", "get", "200")
        data.update(
            number=pull.number,
            state=pull.state,
            merged=pull.merged,
            merge_commit_sha=pull.merge_commit,
            url=self._url(f"/pulls/{pull.number}"),
            issue_url=self._url(f"/issues/{pull.number}"),
            comments_url=self._url(f"/issues/{pull.number}/comments"),
        )
        data["user"].update(login=pull.author, type=pull.author_type)
        data.update(
            title=pull.title,
            body=pull.body,
            html_url=f"{WEB_HOST}/{self.full_name}/pull/{pull.number}",
        )
        data["head"].update(
            sha=pull.head_sha, ref=pull.head_ref, label=f"{pull.head_owner}:{pull.head_ref}"
        )
        data["head"]["repo"]["owner"]["login"] = pull.head_owner
        data["head"]["repo"]["full_name"] = f"{pull.head_owner}/{self.name}"
        data["base"].update(sha=pull.base_sha, ref=pull.base_ref, label=f"{self.owner}:main")
        data["base"]["repo"].update(full_name=self.full_name, default_branch="main")
        data["changed_files"] = len(self._changed(pull))
        data["labels"] = [self._label(n) for n in pull.labels]
        data["requested_teams"] = []  # GitHub's example lacks the schema's required "type"
        names = self._git("diff", "--name-only", "-M", "-z", pull.base_sha, pull.head_sha)
        data["changed_files"] = len([n for n in names.split("\0") if n])
        data["comments"] = len(pull.comments)
        return data

    def _list_pulls(self, payload: Any, query: dict[str, str], user: Any) -> tuple[int, Any]:
        """As GitHub lists them: `state` (default open), `head` and `base` filters, newest
        first, `per_page` (default 30, at most 100) and `page`, with a `Link` header."""
        item = example("/repos/{owner}/{repo}/pulls", "get", "200")[0]
        state = query.get("state", "open")
        found = []
        for pull in sorted(self.pulls.values(), key=lambda p: -p.number):
            if state != "all" and pull.state != state:
                continue
            if query.get("head") not in (None, f"{pull.head_owner}:{pull.head_ref}"):
                continue
            if query.get("base") not in (None, pull.base_ref):
                continue
            data = self._pull_json(pull)
            found.append({k: data.get(k, v) for k, v in item.items()})
        per_page = min(int(query.get("per_page", "30")), 100)
        page = int(query.get("page", "1"))
        self._next_link = (
            self._url(f"/pulls?{urlencode({**query, 'page': page + 1})}")
            if page * per_page < len(found)
            else ""
        )
        return 200, found[(page - 1) * per_page : page * per_page]

    def _get_pull(self, payload: Any, query: Any, user: Any, number: str) -> tuple[int, Any]:
        pull = self.pulls.get(int(number))
        return (200, self._pull_json(pull)) if pull else (404, {"message": "Not Found"})

    def _changed(self, pull: PullState) -> list[tuple[str, str, str | None]]:
        """(status letter, path, previous path) of every file the pull request changes."""
        output = self._git("diff", "--name-status", "-M", "-z", pull.base_sha, pull.head_sha)
        parts = [p for p in output.split("\0") if p]
        found = []
        while parts:
            status = parts.pop(0)
            previous = parts.pop(0) if status.startswith("R") else None
            found.append((status[0], parts.pop(0), previous))
        return found

    FILES_CAP = 3000  # GitHub's files API lists at most 3000 files of a pull request

    def _pull_files(
        self, payload: Any, query: dict[str, str], user: Any, number: str
    ) -> tuple[int, Any]:
        pull = self.pulls[int(number)]
        per_page = min(int(query.get("per_page", "30")), 100)
        page = int(query.get("page", "1"))
        template = example("/repos/{owner}/{repo}/pulls/{pull_number}/files", "get", "200")[0]
        statuses = {"A": "added", "D": "removed", "M": "modified", "R": "renamed", "T": "changed"}
        listed = self._changed(pull)[: self.FILES_CAP]
        files = []
        for letter, filename, previous in listed[(page - 1) * per_page : page * per_page]:
            entry = copy.deepcopy(template)
            entry.update(
                filename=filename,
                status=statuses[letter],
                additions=1,
                deletions=1,
                changes=2,
                sha="0" * 40,
                patch="",
            )
            if previous:
                entry["previous_filename"] = previous
            files.append(entry)
        return 200, files[: self.files_listed_at_most]

    def _contents(
        self, payload: Any, query: dict[str, str], user: Any, path: str
    ) -> tuple[int, Any]:
        ref = query.get("ref", "HEAD")
        listing = self._git("ls-tree", ref, "--", path)
        if not listing:
            return 404, {"message": "Not Found", "documentation_url": "https://docs.github.com"}
        mode, _, sha = listing.split("\t")[0].split()
        if mode == "160000":
            data = example(
                "/repos/{owner}/{repo}/contents/{path}",
                "get",
                "200",
                "response-if-content-is-a-submodule",
            )
            data.update(name=path.rsplit("/", 1)[-1], path=path, sha=sha)
            return 200, data
        if mode == "120000":
            # GitHub follows a link to a file of the repository and answers with the target's
            # content, as if the link were that file.
            target = self._git("cat-file", "-p", sha)
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
            if not resolved.startswith("../") and self._git("ls-tree", ref, "--", resolved):
                return self._contents(payload, query, user, resolved)
        raw = subprocess.run(
            ["git", "cat-file", "-p", sha],
            cwd=self.git_root,
            capture_output=True,
            check=True,
        ).stdout
        data = example(
            "/repos/{owner}/{repo}/contents/{path}", "get", "200", "response-if-content-is-a-file"
        )
        data.update(
            name=path.rsplit("/", 1)[-1],
            path=path,
            sha=sha,
            size=len(raw),
            url=self._url(f"/contents/{path}"),
        )
        if mode == "120000":
            data["type"] = "symlink"
            data["target"] = raw.decode()
            data.pop("content")
            data.pop("encoding")
        elif len(raw) > 1_000_000:
            # Above 1 MB, GitHub answers without the content (encoding "none").
            data.update(content="", encoding="none")
        else:
            data["content"] = base64.b64encode(raw).decode()
        return 200, data

    def _membership(
        self, payload: Any, query: Any, user: Any, org: str, team: str, login: str
    ) -> tuple[int, Any]:
        if login not in self.team_members.get((org, team), set()):
            return 404, {"message": "Not Found", "documentation_url": "https://docs.github.com"}
        data = example("/orgs/{org}/teams/{team_slug}/memberships/{username}", "get", "200")
        data.update(
            state="active",
            role="member",
            url=f"{self.base_url}/orgs/{org}/teams/{team}/memberships/{login}",
        )
        return 200, data

    def _create_check(self, payload: dict[str, Any], query: Any, user: Any) -> tuple[int, Any]:
        check_id = next(self._ids)
        data = example(
            "/repos/{owner}/{repo}/check-runs", "post", "201", "example-of-in-progress-conclusion"
        )
        data.update(
            id=check_id,
            name=payload["name"],
            head_sha=payload["head_sha"],
            status=payload.get("status", "queued"),
            conclusion=payload.get("conclusion"),
            url=self._url(f"/check-runs/{check_id}"),
        )
        output = payload.get("output", {})
        annotations = output.get("annotations", [])
        if len(annotations) > 50:  # GitHub refuses more than 50 per request
            return 422, {"message": "Validation Failed"}
        if "annotations" in output:
            self.annotation_batches.append(len(annotations))
        data["output"].update(
            annotations_count=len(annotations),
            title=output.get("title"),
            summary=output.get("summary"),
            text=None,
        )
        data["annotations"] = list(annotations)
        self.check_runs[check_id] = data
        return 201, {k: v for k, v in data.items() if k != "annotations"}

    def _update_check(
        self, payload: dict[str, Any], query: Any, user: Any, id: str
    ) -> tuple[int, Any]:
        data = self.check_runs[int(id)]
        for key in ("status", "conclusion"):
            if key in payload:
                data[key] = payload[key]
        output = payload.get("output", {})
        annotations = output.get("annotations", [])
        if len(annotations) > 50:  # GitHub refuses more than 50 per request
            return 422, {"message": "Validation Failed"}
        self.annotation_batches.append(len(annotations))
        data["annotations"].extend(annotations)
        data["output"].update(
            title=output.get("title"),
            summary=output.get("summary"),
            annotations_count=len(data["annotations"]),
        )
        reply = example("/repos/{owner}/{repo}/check-runs/{check_run_id}", "patch", "200")
        reply.update({k: v for k, v in data.items() if k in reply})
        return 200, reply

    def _comment_json(self, number: int, comment: dict[str, Any]) -> dict[str, Any]:
        data = example("/repos/{owner}/{repo}/issues/{issue_number}/comments", "post", "201")
        data.update(
            id=comment["id"],
            body=comment["body"],
            url=self._url(f"/issues/comments/{comment['id']}"),
            issue_url=self._url(f"/issues/{number}"),
        )
        data["user"].update(login=comment["user"]["login"], type=comment["user"]["type"])
        return data

    def _list_comments(
        self, payload: Any, query: dict[str, str], user: Any, number: str
    ) -> tuple[int, Any]:
        if int(query.get("page", "1")) > 1:
            return 200, []
        pull = self.pulls[int(number)]
        return 200, [self._comment_json(pull.number, c) for c in pull.comments]

    def _create_comment(
        self, payload: dict[str, Any], query: Any, user: dict[str, str], number: str
    ) -> tuple[int, Any]:
        if len(payload["body"]) > 65_536:
            return 422, {"message": "Validation Failed"}
        comment = {"id": next(self._ids), "body": payload["body"], "user": dict(user)}
        if int(number) in self.issues:
            self.issues[int(number)]["comments"].append(comment)
            self._mention(int(number), payload["body"])
            return 201, self._comment_json(int(number), comment)
        pull = self.pulls[int(number)]
        pull.comments.append(comment)
        return 201, self._comment_json(pull.number, comment)

    def _update_comment(
        self, payload: dict[str, Any], query: Any, user: dict[str, str], id: str
    ) -> tuple[int, Any]:
        for pull in self.pulls.values():
            for comment in pull.comments:
                if comment["id"] == int(id):
                    if comment["user"]["login"] != user["login"]:
                        return 403, {"message": "Forbidden"}
                    comment["body"] = payload["body"]
                    return 200, self._comment_json(pull.number, comment)
        return 404, {"message": "Not Found"}

    def _label(self, name: str) -> dict[str, Any]:
        data = example("/repos/{owner}/{repo}/issues/{issue_number}/labels", "get", "200")[0]
        data.update(name=name, url=self._url(f"/labels/{name}"))
        return data

    def _list_labels(
        self, payload: Any, query: dict[str, str], user: Any, number: str
    ) -> tuple[int, Any]:
        if int(query.get("page", "1")) > 1:
            return 200, []
        return 200, [self._label(n) for n in self.pulls[int(number)].labels]

    def _add_labels(self, payload: Any, query: Any, user: Any, number: str) -> tuple[int, Any]:
        pull = self.pulls[int(number)]
        names = payload["labels"] if isinstance(payload, dict) else payload
        for name in names:
            if name not in pull.labels:
                pull.labels.append(name)
        return 200, [self._label(n) for n in pull.labels]

    def _remove_label(
        self, payload: Any, query: Any, user: Any, number: str, label: str
    ) -> tuple[int, Any]:
        pull = self.pulls[int(number)]
        if label not in pull.labels:
            return 404, {"message": "Label does not exist"}
        pull.labels.remove(label)
        return 200, [self._label(n) for n in pull.labels]

    def _review_json(self, pull: PullState, review: dict[str, Any]) -> dict[str, Any]:
        data = example("/repos/{owner}/{repo}/pulls/{pull_number}/reviews", "post", "200")
        data.update(
            id=review["id"],
            body=review["body"],
            commit_id=review["commit_id"],
            state=review["state"],
            pull_request_url=self._url(f"/pulls/{pull.number}"),
        )
        data["user"].update(login=review["user"], type=review["user_type"])
        return data

    def _create_review(
        self, payload: dict[str, Any], query: Any, user: dict[str, str], number: str
    ) -> tuple[int, Any]:
        pull = self.pulls[int(number)]
        # Without commit_id, GitHub attaches the review to the pull request's newest head.
        commit = payload.get("commit_id") or pull.head_sha
        review = {
            "id": next(self._ids),
            "event": payload.get("event"),
            "body": payload.get("body", ""),
            "commit_id": commit,
            "state": "APPROVED" if payload.get("event") == "APPROVE" else "COMMENTED",
            "user": user["login"],
            "user_type": user["type"],
        }
        pull.reviews.append(review)
        return 200, self._review_json(pull, review)

    def _list_reviews(
        self, payload: Any, query: dict[str, str], user: Any, number: str
    ) -> tuple[int, Any]:
        if int(query.get("page", "1")) > 1:
            return 200, []
        pull = self.pulls[int(number)]
        return 200, [self._review_json(pull, r) for r in pull.reviews]

    def _dismiss_review(
        self, payload: dict[str, Any], query: Any, user: dict[str, str], number: str, id: str
    ) -> tuple[int, Any]:
        pull = self.pulls[int(number)]
        review = next((r for r in pull.reviews if r["id"] == int(id)), None)
        if review is None:
            return 404, {"message": "Not Found", "documentation_url": "https://docs.github.com"}
        review["state"] = "DISMISSED"
        review["dismissal"] = payload["message"]
        return 200, self._review_json(pull, review)

    def approvals(self, number: int) -> list[str]:
        """The commits of the pull request's standing (not dismissed) approvals."""
        return [r["commit_id"] for r in self.pulls[number].reviews if r["state"] == "APPROVED"]

    def _request_reviewers(
        self, payload: dict[str, Any], query: Any, user: Any, number: str
    ) -> tuple[int, Any]:
        pull = self.pulls[int(number)]
        pull.requested_teams.extend(payload.get("team_reviewers", []))
        data = example(
            "/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers", "post", "201"
        )
        current = self._pull_json(pull)  # GitHub answers with the pull request as it is now
        data.update({k: current[k] for k in data if k in current and k != "requested_teams"})
        return 201, data

    def _user_json(self, template: dict[str, Any], user: dict[str, str]) -> dict[str, Any]:
        return {**template, "login": user["login"], "type": user["type"]}

    def _deployment_json(self, deployment: dict[str, Any]) -> dict[str, Any]:
        data = example("/repos/{owner}/{repo}/deployments", "post", "201")
        data.update(
            id=deployment["id"],
            sha=deployment["sha"],
            ref=deployment["sha"],
            environment=deployment["environment"],
            # a deployment a test put there stands for the one GitHub Actions created
            creator=self._user_json(data["creator"], deployment.get("creator", BOT)),
            created_at=deployment.get("created_at", data["created_at"]),
            updated_at=deployment.get("created_at", data["updated_at"]),
            url=self._url(f"/deployments/{deployment['id']}"),
            statuses_url=self._url(f"/deployments/{deployment['id']}/statuses"),
        )
        return data

    def _list_deployments(self, payload: Any, query: dict[str, str], user: Any) -> tuple[int, Any]:
        """Newest first, filtered by `sha` and `environment`, `per_page` and `page`."""
        found = [
            d
            for d in reversed(self.deployments)
            if query.get("sha") in (None, d["sha"])
            and query.get("environment") in (None, d["environment"])
        ]
        per_page = min(int(query.get("per_page", "30")), 100)
        page = int(query.get("page", "1"))
        shown = found[(page - 1) * per_page : page * per_page]
        return 200, [self._deployment_json(d) for d in shown]

    def _create_deployment(
        self, payload: dict[str, Any], query: Any, user: dict[str, str]
    ) -> tuple[int, Any]:
        found = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", f"{payload['ref']}^{{commit}}"],
            cwd=self.git_root,
            capture_output=True,
            text=True,
            check=False,
        )
        if found.returncode != 0:
            return 409, {"message": f"No ref found for: {payload['ref']}"}
        deployment = {
            "id": next(self._ids),
            "sha": found.stdout.strip(),
            "environment": payload.get("environment", "production"),
            "creator": user,
            "created_at": _now(),
            "statuses": [],
        }
        self.deployments.append(deployment)
        return 201, self._deployment_json(deployment)

    def _status_json(self, deployment: dict[str, Any], status: dict[str, Any]) -> dict[str, Any]:
        data = example("/repos/{owner}/{repo}/deployments/{deployment_id}/statuses", "post", "201")
        data.update(
            id=status["id"],
            state=status["state"],
            description=status.get("description", ""),
            creator=self._user_json(data["creator"], status["creator"]),
            created_at=status["created_at"],
            updated_at=status["created_at"],
            deployment_url=self._url(f"/deployments/{deployment['id']}"),
            url=self._url(f"/deployments/{deployment['id']}/statuses/{status['id']}"),
        )
        return data

    def _create_deployment_status(
        self, payload: dict[str, Any], query: Any, user: dict[str, str], id: str
    ) -> tuple[int, Any]:
        """As GitHub records it; a success marks the environment's earlier successful
        deployments inactive (`auto_inactive`, true by default)."""
        deployment = next((d for d in self.deployments if d["id"] == int(id)), None)
        if deployment is None:
            return 404, {"message": "Not Found", "documentation_url": "https://docs.github.com"}
        status = {**payload, "id": next(self._ids), "creator": user, "created_at": _now()}
        if payload["state"] == "success" and payload.get("auto_inactive", True):
            for earlier in self.deployments:
                last = earlier["statuses"][-1]["state"] if earlier["statuses"] else ""
                if (
                    earlier is not deployment
                    and earlier["environment"] == deployment["environment"]
                    and last == "success"
                ):
                    inactive = {
                        "state": "inactive",
                        "id": next(self._ids),
                        "creator": user,
                        "created_at": status["created_at"],
                    }
                    earlier["statuses"].append(inactive)
        deployment["statuses"].append(status)
        return 201, self._status_json(deployment, status)

    def _list_deployment_statuses(
        self, payload: Any, query: dict[str, str], user: Any, id: str
    ) -> tuple[int, Any]:
        """Newest first, `per_page` and `page`."""
        deployment = next((d for d in self.deployments if d["id"] == int(id)), None)
        if deployment is None:
            return 404, {"message": "Not Found", "documentation_url": "https://docs.github.com"}
        per_page = min(int(query.get("per_page", "30")), 100)
        page = int(query.get("page", "1"))
        found = list(reversed(deployment["statuses"]))[(page - 1) * per_page : page * per_page]
        item = example("/repos/{owner}/{repo}/deployments/{deployment_id}/statuses", "get", "200")[
            0
        ]
        return 200, [
            {k: v for k, v in self._status_json(deployment, s).items() if k in item} for s in found
        ]

    def _create_release(self, payload: dict[str, Any], query: Any, user: Any) -> tuple[int, Any]:
        release = {"id": next(self._ids), "tag": payload["tag_name"], "assets": {}}
        self.releases.append(release)
        data = example("/repos/{owner}/{repo}/releases", "post", "201")
        data.update(
            id=release["id"],
            tag_name=release["tag"],
            assets=[],
            url=self._url(f"/releases/{release['id']}"),
            html_url=f"https://github.com/{self.full_name}/releases/tag/{release['tag']}",
            upload_url=self._url(f"/releases/{release['id']}/assets{{?name,label}}"),
        )
        return 201, data

    def _upload_asset(
        self, payload: dict[str, Any], query: dict[str, str], user: Any, id: str
    ) -> tuple[int, Any]:
        release = next(r for r in self.releases if r["id"] == int(id))
        release["assets"][query["name"]] = payload["bytes"]
        data = example("/repos/{owner}/{repo}/releases/{release_id}/assets", "post", "201")
        data.update(
            id=next(self._ids),
            name=query["name"],
            size=len(payload["bytes"]),
            url=self._url(f"/releases/assets/{id}"),
        )
        return 201, data

    # -- git data and pull creation (fedreg propose), backed by the same git repository -------

    def _add_git_data_routes(self) -> None:
        for method, pattern, template, handler in (
            ("get", r"/branches/(?P<branch>[^/]+)", "/branches/{branch}", self._get_branch),
            ("post", r"/git/blobs", "/git/blobs", self._create_blob),
            ("post", r"/git/trees", "/git/trees", self._create_tree),
            ("post", r"/git/commits", "/git/commits", self._create_commit),
            ("get", r"/git/ref/(?P<ref>.+)", "/git/ref/{ref}", self._get_ref),
            ("post", r"/git/refs", "/git/refs", self._create_ref),
            ("patch", r"/git/refs/(?P<ref>.+)", "/git/refs/{ref}", self._update_ref),
            ("post", r"/pulls", "/pulls", self._create_pull),
            ("patch", r"/pulls/(?P<number>\d+)", "/pulls/{pull_number}", self._update_pull),
        ):
            self._route(
                method, r"/repos/{o}/{r}" + pattern, "/repos/{owner}/{repo}" + template, handler
            )

    def _git_bytes(
        self, *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
    ) -> str:
        return (
            subprocess.run(
                ["git", *args],
                cwd=self.git_root,
                input=stdin,
                capture_output=True,
                check=True,
                env={**os.environ, **(env or {})},
            )
            .stdout.decode()
            .strip()
        )

    def _resolve(self, name: str) -> str | None:
        found = subprocess.run(
            ["git", "rev-parse", "--verify", "-q", f"{name}^{{commit}}"],
            cwd=self.git_root,
            capture_output=True,
            text=True,
        )
        return found.stdout.strip() if found.returncode == 0 else None

    def _not_found(self) -> tuple[int, Any]:
        return 404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}

    def _get_branch(self, payload: Any, query: Any, user: Any, branch: str) -> tuple[int, Any]:
        sha = self._resolve(f"refs/heads/{branch}")
        if sha is None:
            return self._not_found()
        data = example("/repos/{owner}/{repo}/branches/{branch}", "get", "200")
        data["name"] = branch
        data["commit"]["sha"] = sha
        data["commit"]["commit"]["tree"]["sha"] = self._git("rev-parse", f"{sha}^{{tree}}")
        return 200, data

    def _create_blob(self, payload: dict[str, Any], query: Any, user: Any) -> tuple[int, Any]:
        if payload.get("encoding", "utf-8") == "base64":
            raw = base64.b64decode(payload["content"])
        else:
            raw = payload["content"].encode("utf-8")
        sha = self._git_bytes("hash-object", "-w", "--stdin", stdin=raw)
        self.blobs_created += 1
        return 201, {"sha": sha, "url": self._url(f"/git/blobs/{sha}")}

    def _create_tree(self, payload: dict[str, Any], query: Any, user: Any) -> tuple[int, Any]:
        with tempfile.TemporaryDirectory() as folder:
            env = {"GIT_INDEX_FILE": str(Path(folder) / "index")}
            if payload.get("base_tree"):
                self._git_bytes("read-tree", payload["base_tree"], env=env)
            for entry in payload["tree"]:
                info = f"{entry['mode']},{entry['sha']},{entry['path']}"
                self._git_bytes("update-index", "--add", "--cacheinfo", info, env=env)
            sha = self._git_bytes("write-tree", env=env)
        data = example("/repos/{owner}/{repo}/git/trees", "post", "201")
        data.update(sha=sha, url=self._url(f"/git/trees/{sha}"), truncated=False)
        return 201, data

    def _create_commit(
        self, payload: dict[str, Any], query: Any, user: dict[str, str]
    ) -> tuple[int, Any]:
        parents = [arg for parent in payload.get("parents", []) for arg in ("-p", parent)]
        identity = {
            "GIT_AUTHOR_NAME": user["login"],
            "GIT_AUTHOR_EMAIL": f"{user['login']}@users.noreply.github.com",
            "GIT_COMMITTER_NAME": user["login"],
            "GIT_COMMITTER_EMAIL": f"{user['login']}@users.noreply.github.com",
        }
        sha = self._git_bytes(
            "commit-tree", payload["tree"], *parents, "-m", payload["message"], env=identity
        )
        self.commits_created.append(sha)
        data = example("/repos/{owner}/{repo}/git/commits", "post", "201")
        data.update(sha=sha, message=payload["message"], url=self._url(f"/git/commits/{sha}"))
        data["tree"].update(sha=payload["tree"], url=self._url(f"/git/trees/{payload['tree']}"))
        data["parents"] = [
            {"sha": p, "url": self._url(f"/git/commits/{p}"), "html_url": f"{WEB_HOST}/c/{p}"}
            for p in payload.get("parents", [])
        ]
        return 201, data

    def _ref_json(self, ref: str, sha: str) -> dict[str, Any]:
        data = example("/repos/{owner}/{repo}/git/ref/{ref}", "get", "200")
        data.update(ref=f"refs/{ref}", url=self._url(f"/git/refs/{ref}"))
        data["object"].update(sha=sha, type="commit", url=self._url(f"/git/commits/{sha}"))
        return data

    def _get_ref(self, payload: Any, query: Any, user: Any, ref: str) -> tuple[int, Any]:
        sha = self._resolve(f"refs/{ref}")
        return (200, self._ref_json(ref, sha)) if sha else self._not_found()

    def _create_ref(self, payload: dict[str, Any], query: Any, user: Any) -> tuple[int, Any]:
        ref = payload["ref"]
        if self._resolve(ref) is not None:
            return 422, {"message": "Reference already exists"}
        self._git("update-ref", ref, payload["sha"])
        return 201, self._ref_json(ref.removeprefix("refs/"), payload["sha"])

    def _update_ref(
        self, payload: dict[str, Any], query: Any, user: Any, ref: str
    ) -> tuple[int, Any]:
        current = self._resolve(f"refs/{ref}")
        if current is None:
            return 422, {"message": "Reference does not exist"}
        fast_forward = (
            subprocess.run(
                ["git", "merge-base", "--is-ancestor", current, payload["sha"]],
                cwd=self.git_root,
            ).returncode
            == 0
        )
        if not fast_forward and not payload.get("force"):
            return 422, {"message": "Update is not a fast forward"}
        self._git("update-ref", f"refs/{ref}", payload["sha"])
        for pull in self.pulls.values():
            if f"heads/{pull.head_ref}" == ref and pull.head_owner == self.owner:
                pull.head_sha = payload["sha"]
        return 200, self._ref_json(ref, payload["sha"])

    def _create_pull(
        self, payload: dict[str, Any], query: Any, user: dict[str, str]
    ) -> tuple[int, Any]:
        branch = payload["head"].split(":")[-1]
        head, base = self._resolve(f"refs/heads/{branch}"), self._resolve(payload["base"])
        if head is None or base is None:
            return 422, {"message": "Validation Failed"}
        if any(p.head_ref == branch and p.head_owner == self.owner for p in self.pulls.values()):
            return 422, {"message": f"A pull request already exists for {self.owner}:{branch}."}
        number = max(self.pulls, default=0) + 1
        pull = self.open_pull(number, base, head, user["login"], head_ref=branch)
        pull.title, pull.body, pull.author_type = (
            payload["title"],
            payload.get("body", ""),
            user["type"],
        )
        return 201, self._pull_json(pull)

    def _update_pull(
        self, payload: dict[str, Any], query: Any, user: Any, number: str
    ) -> tuple[int, Any]:
        pull = self.pulls[int(number)]
        pull.title = payload.get("title", pull.title)
        pull.body = payload.get("body", pull.body)
        pull.state = payload.get("state", pull.state)
        return 200, self._pull_json(pull)

    # -- issues (not pull requests), users and teams --------------------------------------------

    def _add_issue_routes(self) -> None:
        self._route("get", r"/repos/{o}/{r}/issues", "/repos/{owner}/{repo}/issues", self._issues)
        self._route(
            "post", r"/repos/{o}/{r}/issues", "/repos/{owner}/{repo}/issues", self._create_issue
        )
        self._route(
            "get",
            r"/repos/{o}/{r}/issues/(?P<number>\d+)",
            "/repos/{owner}/{repo}/issues/{issue_number}",
            self._get_issue,
        )
        self._route(
            "patch",
            r"/repos/{o}/{r}/issues/(?P<number>\d+)",
            "/repos/{owner}/{repo}/issues/{issue_number}",
            self._update_issue,
        )
        self._route("get", r"/users/(?P<login>[^/]+)", "/users/{username}", self._user)
        self._route(
            "get",
            r"/orgs/(?P<org>[^/]+)/teams/(?P<team>[^/]+)",
            "/orgs/{org}/teams/{team_slug}",
            self._team,
        )

    def _mention(self, number: int, text: str, before: str = "") -> None:
        pattern = re.compile(r"(?<![\w`])@[A-Za-z0-9-]+(?:/[A-Za-z0-9_.-]+)?")
        already = set(pattern.findall(before))
        for handle in pattern.findall(text):
            if handle not in already:
                already.add(handle)
                self.mentions.append((number, handle))

    def _issue_json(self, issue: dict[str, Any]) -> dict[str, Any]:
        data = example("/repos/{owner}/{repo}/issues", "post", "201")
        data.pop("pull_request", None)
        number = issue["number"]
        data.update(
            id=number,
            number=number,
            title=issue["title"],
            body=issue["body"],
            state=issue["state"],
            url=self._url(f"/issues/{number}"),
            comments_url=self._url(f"/issues/{number}/comments"),
            html_url=f"{WEB_HOST}/{self.full_name}/issues/{number}",
            labels=[self._label(n) for n in issue["labels"]],
            comments=len(issue["comments"]),
        )
        data["user"].update(login=issue["user"]["login"], type=issue["user"]["type"])
        return data

    def _issues(self, payload: Any, query: dict[str, str], user: Any) -> tuple[int, Any]:
        wanted_state = query.get("state", "open")
        labels = set(filter(None, query.get("labels", "").split(",")))
        page, per_page = int(query.get("page", "1")), int(query.get("per_page", "30"))
        found = [
            self._issue_json(issue)
            for issue in self.issues.values()
            if wanted_state in ("all", issue["state"]) and labels <= set(issue["labels"])
        ]
        return 200, found[(page - 1) * per_page : page * per_page]

    def _create_issue(
        self, payload: dict[str, Any], query: Any, user: dict[str, str]
    ) -> tuple[int, Any]:
        if len(payload.get("body") or "") > 65_536:
            return 422, {"message": "Validation Failed"}
        number = 500 + len(self.issues)
        self.issues[number] = {
            "number": number,
            "title": payload["title"],
            "body": payload.get("body") or "",
            "state": "open",
            "labels": list(payload.get("labels", [])),
            "user": dict(user),
            "comments": [],
        }
        self._mention(number, self.issues[number]["body"])
        return 201, self._issue_json(self.issues[number])

    def _get_issue(self, payload: Any, query: Any, user: Any, number: str) -> tuple[int, Any]:
        if int(number) not in self.issues:
            return 404, {"message": "Not Found", "documentation_url": "https://docs.github.com"}
        return 200, self._issue_json(self.issues[int(number)])

    def _update_issue(
        self, payload: dict[str, Any], query: Any, user: Any, number: str
    ) -> tuple[int, Any]:
        issue = self.issues.get(int(number))
        if issue is None:
            return 404, {"message": "Not Found"}
        if len(payload.get("body") or "") > 65_536:
            return 422, {"message": "Validation Failed"}
        if "body" in payload:
            self._mention(int(number), payload["body"] or "", issue["body"])
            issue["body"] = payload["body"] or ""
        for key in ("title", "state", "labels"):
            if key in payload:
                issue[key] = list(payload[key]) if key == "labels" else payload[key]
        return 200, self._issue_json(issue)

    def _user(self, payload: Any, query: Any, user: Any, login: str) -> tuple[int, Any]:
        if login not in self.users:
            return 404, {"message": "Not Found", "documentation_url": "https://docs.github.com"}
        data = example("/users/{username}", "get", "200")
        data.update(login=login)
        return 200, data

    def _team(self, payload: Any, query: Any, user: Any, org: str, team: str) -> tuple[int, Any]:
        if (org, team) not in self.teams:
            return 404, {"message": "Not Found", "documentation_url": "https://docs.github.com"}
        data = example("/orgs/{org}/teams/{team_slug}", "get", "200")
        # GitHub's example lacks two members its own schema requires
        data.update(slug=team, type="organization")
        data["organization"].setdefault("archived_at", None)
        return 200, data
