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
import re
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

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
        self.calls: list[tuple[str, str, int]] = []
        self._ids = iter(range(1000, 10**9))
        self.base_url = ""
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
        self._route(
            "post",
            r"/repos/{o}/{r}/pulls/(?P<number>\d+)/requested_reviewers",
            "/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers",
            self._request_reviewers,
        )

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
        return pull

    def push(self, number: int, head: str) -> None:
        self.pulls[number].head_sha = self._git("rev-parse", head)

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
        if "path" in match.groupdict():
            # GitHub's {path} spans segments (contents/registry/a/b.yaml); openapi-core matches
            # one segment, so the parameter is shown to it percent-encoded.
            raw = match.group("path")
            checked_path = path[: match.start("path")] + quote(raw, safe="")
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
        if number is not None and int(number) not in self.pulls:
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
                        response.body, status_code=status, content_type="application/json"
                    ),
                )
            except Exception as error:
                self.violations.append(f"{method.upper()} {path}: response {status}: {error}")
        return response

    def _reply(self, method: str, path: str, status: int, data: Any) -> Response:
        self.calls.append((method, path, status))
        return Response(json.dumps(data), status, media_type="application/json")

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
            state="open",
            url=self._url(f"/pulls/{pull.number}"),
            issue_url=self._url(f"/issues/{pull.number}"),
            comments_url=self._url(f"/issues/{pull.number}/comments"),
        )
        data["user"].update(login=pull.author, type="User")
        data["head"].update(
            sha=pull.head_sha, ref=pull.head_ref, label=f"{pull.head_owner}:{pull.head_ref}"
        )
        data["head"]["repo"]["owner"]["login"] = pull.head_owner
        data["head"]["repo"]["full_name"] = f"{pull.head_owner}/{self.name}"
        data["base"].update(sha=pull.base_sha, ref="main")
        data["base"]["repo"]["full_name"] = self.full_name
        data["labels"] = [self._label(n) for n in pull.labels]
        data["requested_teams"] = []  # GitHub's example lacks the schema's required "type"
        names = self._git("diff", "--name-only", "-M", "-z", pull.base_sha, pull.head_sha)
        data["changed_files"] = len([n for n in names.split("\0") if n])
        return data  # type: ignore[no-any-return]

    def _list_pulls(self, payload: Any, query: dict[str, str], user: Any) -> tuple[int, Any]:
        item = example("/repos/{owner}/{repo}/pulls", "get", "200")[0]
        found = []
        for pull in self.pulls.values():
            if query.get("head") in (None, f"{pull.head_owner}:{pull.head_ref}"):
                data = self._pull_json(pull)
                found.append({k: data.get(k, v) for k, v in item.items()})
        return 200, found

    def _get_pull(self, payload: Any, query: Any, user: Any, number: str) -> tuple[int, Any]:
        pull = self.pulls.get(int(number))
        return (200, self._pull_json(pull)) if pull else (404, {"message": "Not Found"})

    def _pull_files(
        self, payload: Any, query: dict[str, str], user: Any, number: str
    ) -> tuple[int, Any]:
        pull = self.pulls[int(number)]
        if int(query.get("page", "1")) > 1:
            return 200, []
        template = example("/repos/{owner}/{repo}/pulls/{pull_number}/files", "get", "200")[0]
        statuses = {"A": "added", "D": "removed", "M": "modified", "R": "renamed", "T": "changed"}
        files = []
        output = self._git("diff", "--name-status", "-M", "-z", pull.base_sha, pull.head_sha)
        parts = [p for p in output.split("\0") if p]
        while parts:
            status = parts.pop(0)
            previous = parts.pop(0) if status.startswith("R") else None
            filename = parts.pop(0)
            entry = copy.deepcopy(template)
            entry.update(
                filename=filename,
                status=statuses[status[0]],
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
        raw = subprocess.run(
            ["git", "cat-file", "-p", f"{ref}:{path}"],
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
            conclusion=None,
            url=self._url(f"/check-runs/{check_id}"),
        )
        data["output"].update(annotations_count=0, title=None, summary=None, text=None)
        data["annotations"] = []
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
        return data  # type: ignore[no-any-return]

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
        pull = self.pulls[int(number)]
        comment = {"id": next(self._ids), "body": payload["body"], "user": dict(user)}
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
        return data  # type: ignore[no-any-return]

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

    def _create_review(
        self, payload: dict[str, Any], query: Any, user: dict[str, str], number: str
    ) -> tuple[int, Any]:
        pull = self.pulls[int(number)]
        review = {
            "id": next(self._ids),
            "event": payload.get("event"),
            "body": payload.get("body", ""),
            # GitHub reviews the given commit, else the head at this moment.
            "commit_id": payload.get("commit_id") or pull.head_sha,
            "user": user["login"],
        }
        pull.reviews.append(review)
        data = example("/repos/{owner}/{repo}/pulls/{pull_number}/reviews", "post", "200")
        data.update(
            id=review["id"],
            body=review["body"],
            commit_id=review["commit_id"],
            state="APPROVED" if review["event"] == "APPROVE" else "COMMENTED",
            pull_request_url=self._url(f"/pulls/{pull.number}"),
        )
        return 200, data

    def _request_reviewers(
        self, payload: dict[str, Any], query: Any, user: Any, number: str
    ) -> tuple[int, Any]:
        pull = self.pulls[int(number)]
        pull.requested_teams.extend(payload.get("team_reviewers", []))
        data = example(
            "/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers", "post", "201"
        )
        data.update(number=pull.number, url=self._url(f"/pulls/{pull.number}"))
        return 201, data

    def _deployment_json(self, deployment: dict[str, Any]) -> dict[str, Any]:
        data = example("/repos/{owner}/{repo}/deployments", "post", "201")
        data.update(
            id=deployment["id"],
            sha=deployment["sha"],
            ref=deployment["sha"],
            environment=deployment["environment"],
            url=self._url(f"/deployments/{deployment['id']}"),
            statuses_url=self._url(f"/deployments/{deployment['id']}/statuses"),
        )
        return data  # type: ignore[no-any-return]

    def _list_deployments(self, payload: Any, query: dict[str, str], user: Any) -> tuple[int, Any]:
        if int(query.get("page", "1")) > 1:
            return 200, []
        found = [
            d
            for d in reversed(self.deployments)
            if query.get("sha") in (None, d["sha"])
            and query.get("environment") in (None, d["environment"])
        ]
        return 200, [self._deployment_json(d) for d in found]

    def _create_deployment(self, payload: dict[str, Any], query: Any, user: Any) -> tuple[int, Any]:
        deployment = {
            "id": next(self._ids),
            "sha": payload["ref"],
            "environment": payload.get("environment", "production"),
            "statuses": [],
        }
        self.deployments.append(deployment)
        return 201, self._deployment_json(deployment)

    def _create_deployment_status(
        self, payload: dict[str, Any], query: Any, user: Any, id: str
    ) -> tuple[int, Any]:
        deployment = next(d for d in self.deployments if d["id"] == int(id))
        deployment["statuses"].append(payload)
        data = example("/repos/{owner}/{repo}/deployments/{deployment_id}/statuses", "post", "201")
        data.update(
            id=next(self._ids),
            state=payload["state"],
            description=payload.get("description", ""),
            deployment_url=self._url(f"/deployments/{id}"),
            url=self._url(f"/deployments/{id}/statuses/1"),
        )
        return 201, data

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
