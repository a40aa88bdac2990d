"""`fedreg serve`: the partner space (an ASGI app) and the partner space's signed API.

- Pages (DSFR, Jinja2 templates, one per page): sign in with ProConnect (`signin`), the agent's
  providers read from the default branch's tip, a form per provider (FS or FI) prefilled with
  its current lists, a summary of what is added and removed, then the request's own page.
  Sessions are signed cookies (Starlette's SessionMiddleware, itsdangerous) naming a session id
  the server keeps (sessions), so that sign-out ends it; every POST carries the session's CSRF
  token, and nothing runs for a submission without a live session. The agent's e-mail counts
  as a contact's only when bound to the FI that asserted it (identity).
- `POST /api/demandes`: the form's fields as JSON, signed by the partner space (requestauth),
  described by `docs/openapi.yaml`.

Limits: body size and nesting, headers, requests per agent (sign-ins and sent requests, never
refusals), a time limit on reading the body and on GitHub. Proposals run one at a time.
"""

from __future__ import annotations

import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode

import anyio
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from ..adapters.git import GitError, GitTimeout
from ..diagnostics import Diagnostic
from ..errors import FedregError
from ..registry.models import IDENTITY_PROVIDER, SERVICE_PROVIDER
from .editing import FILE_KEY_BY_KIND, ChangeRequest, edit_provider, find_provider, parse_request
from .identity import Binding, IdentityTrust, bind
from .partnerspace import RequestStatus
from .proposal import (
    FIELD_FR,
    MainTip,
    Outcome,
    Proposal,
    federation_reason,
    list_changes,
    requester_key,
)
from .requestauth import SIGNATURE_HEADER, TIMESTAMP_HEADER, RateLimiter, SignatureChecker
from .sessions import SessionStore
from .signin import Agent, OidcClient, SignInError

HERE = Path(__file__).parent
STATIC = HERE / "static"
# Only what the server itself serves: its style sheet (and what it names), no script at all.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
# The vendored style sheet, fonts and icons: read as what they are, and an icon opened on its
# own runs nothing.
ASSET_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'",
}
KIND_BY_CODE = {"fs": SERVICE_PROVIDER, "fi": IDENTITY_PROVIDER}
CODE_BY_KIND = {v: k for k, v in KIND_BY_CODE.items()}
KIND_FR = {SERVICE_PROVIDER: "Service", IDENTITY_PROVIDER: "Fournisseur d'identité"}
ENVIRONMENT_FR = {"integration": "Intégration", "production": "Production"}
NETWORK_FR = {"internet": "Internet", "rie": "RIE"}
HINT_FR = {
    "redirect_uris": "Où ProConnect renvoie l'agent après sa connexion (https en production).",
    "post_logout_redirect_uris": "Où ProConnect renvoie l'agent après sa déconnexion.",
    "ip_ranges": "Adresses ou plages (CIDR) d'où votre service appelle ProConnect sur le RIE.",
    "email_domains": "Les domaines dont les agents se connectent par ce fournisseur d'identité.",
}
DNS_PROOF = "proconnect-identity-provider-{uid}"


class Backend(Protocol):
    def tip(self) -> MainTip: ...

    def submit(self, request: ChangeRequest) -> Proposal: ...

    def status(self, number: int, key: str) -> RequestStatus | None: ...


@dataclass(frozen=True)
class ServeSettings:
    max_body: int = 64 * 1024  # bytes
    rate_limit: int = 10  # sign-ins, or requests sent, per agent per window
    rate_window: float = 600.0  # seconds
    # Sign-ins started per client address per window: only against floods of authorization
    # requests; a ministry's shared exit serves many agents, each limited on their own.
    signin_starts_per_address: int = 600
    # Sign-ins and requests of the agents an FI vouches for without their domain attached to
    # it, together, per FI per window: such an FI can invent addresses, each with its own
    # budget; this bounds what it can send to the federation's review and the sessions it opens.
    unbound_per_fi: int = 60
    read_timeout: float = 10.0  # seconds to receive the body
    submit_timeout: float = 10.0  # seconds for GitHub (and the tip's fetch)
    tolerance: float = 300.0  # seconds between the partner space's clock and ours
    session_max_age: int = 8 * 3600  # seconds from sign-in
    max_sessions: int = 100_000  # past this, the oldest sessions end first
    support: str = "support.partenaires@proconnect.gouv.fr"


class Refused(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


class StaticAssets(StaticFiles):
    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers.update(ASSET_HEADERS)
        return response


class HeaderGuard:
    """Refuses, before anything else runs, a request whose headers are not plain ASCII."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not all(
            value.isascii() and name.isascii() for name, value in scope["headers"]
        ):
            response = Response("en-têtes non ASCII refusés", 400, media_type="text/plain")
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _read_body(request: Request, settings: ServeSettings) -> bytes:
    too_big = Refused(413, f"corps de requête trop gros (au plus {settings.max_body} octets)")
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > settings.max_body:
        raise too_big
    body = b""
    try:
        with anyio.fail_after(settings.read_timeout):
            async for chunk in request.stream():
                body += chunk
                if len(body) > settings.max_body:
                    raise too_big
    except TimeoutError as error:
        raise Refused(408, "corps de requête reçu trop lentement") from error
    except ClientDisconnect as error:
        raise Refused(400, "connexion interrompue") from error
    return body


def _diagnostics_json(diagnostics: tuple[Diagnostic, ...] | list[Diagnostic]) -> list[Any]:
    return [d.as_dict() for d in diagnostics]


def _lines(values: Any) -> str:
    return "\n".join(v for v in values if isinstance(v, str)) if isinstance(values, list) else ""


@dataclass(frozen=True)
class ShownError:
    anchor: str  # the form field's id
    where: str  # the field (and line) in words
    message: str
    hint: str
    field: str


class FormApp:
    def __init__(
        self,
        backend: Backend,
        oidc: OidcClient | None,
        api_secret: bytes,
        settings: ServeSettings,
        clock: Callable[[], float] = time.time,
        trust: IdentityTrust | None = None,
    ) -> None:
        self.backend, self.oidc, self.settings, self.clock = backend, oidc, settings, clock
        self.trust = trust
        self.sessions = SessionStore(settings.session_max_age, settings.max_sessions)
        self.signatures = SignatureChecker(api_secret, settings.tolerance)
        self.api_rate = RateLimiter(settings.rate_limit, settings.rate_window)
        self.agent_rate = RateLimiter(settings.rate_limit, settings.rate_window)
        self.signin_rate = RateLimiter(settings.signin_starts_per_address, settings.rate_window)
        self.unbound_rate = RateLimiter(settings.unbound_per_fi, settings.rate_window)
        # A request's page costs GitHub API calls of the App, whose quota all agents share; a
        # summary validates the whole registry.
        self.view_rate = RateLimiter(settings.rate_limit * 6, settings.rate_window)
        self._one_at_a_time = threading.Lock()
        self.templates = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(["html"]),
            auto_reload=False,
        )

    # -- helpers ------------------------------------------------------------------------------

    def _csrf(self, request: Request) -> str | None:
        """The live session's CSRF token; None without a live session (none, signed out or
        expired)."""
        return self.sessions.csrf(request.session.get("sid"), self.clock())

    def agent(self, request: Request) -> Agent | None:
        """The signed-in agent, while their session is live (a dead one's cookie is dropped)."""
        if self._csrf(request) is not None:
            return _agent(request)
        if "agent" in request.session:
            request.session.clear()
        return None

    def _binding(self, email: str, idp_id: str, tip: MainTip) -> Binding:
        if self.trust is None:
            return Binding(idp_id, "la vérification du fournisseur d'identité manque")
        return bind(email, idp_id, tip.docs, self.trust)

    def _contact(self, agent: Agent, tip: MainTip) -> str:
        """The agent's e-mail when it may count as a contact's, else ""."""
        return agent.email if self._binding(agent.email, agent.idp_id, tip).bound else ""

    async def _limit_unbound(self, agent: Agent, tip: MainTip | None = None) -> None:
        """Count `agent` in their FI's shared budget unless their e-mail is bound to it (main's
        tip unreachable: counted, the safe direction)."""
        if tip is None:
            try:
                tip = await self._background(self.backend.tip)
            except Refused:
                tip = None
        if tip is None or not self._binding(agent.email, agent.idp_id, tip).bound:
            self._limit(self.unbound_rate, f"fi:{agent.idp_id}")

    def _limit(self, limiter: RateLimiter, key: str) -> None:
        wait = limiter.retry_after(key, self.clock())
        if wait:
            raise Refused(
                429,
                f"Trop de demandes : réessayez dans {wait} secondes. Vos saisies sont conservées.",
                {"Retry-After": str(wait)},
            )

    def _locked(self, work: Callable[[], Any]) -> Any:
        if not self._one_at_a_time.acquire(timeout=self.settings.submit_timeout):
            raise TimeoutError
        try:
            return work()
        finally:
            self._one_at_a_time.release()

    async def _background(self, work: Callable[[], Any], exclusive: bool = False) -> Any:
        """`work` in a thread, abandoned (the answer is 503) past the submit time limit;
        `exclusive`: one at a time (proposals), so that the same request sent twice at once
        still opens one pull request."""
        run = (lambda: self._locked(work)) if exclusive else work
        try:
            with anyio.fail_after(self.settings.submit_timeout):
                return await anyio.to_thread.run_sync(run, abandon_on_cancel=True)
        except TimeoutError as error:
            raise Refused(
                503, "GitHub ne répond pas à temps : réessayez dans quelques minutes."
            ) from error
        except GitTimeout as error:
            raise Refused(
                503, "Le registre ne répond pas à temps : réessayez dans quelques minutes."
            ) from error
        except GitError as error:  # git's own words (a remote, a path) help no partner
            raise Refused(
                502,
                "Le registre est injoignable pour le moment : réessayez dans quelques minutes. "
                f"Si cela dure, écrivez à {self.settings.support}.",
            ) from error
        except FedregError as error:
            raise Refused(502, str(error)) from error

    def page(
        self, request: Request, template: str, status: int = 200, **context: Any
    ) -> HTMLResponse:
        agent = self.agent(request)
        html = self.templates.get_template(template).render(
            agent=agent,
            csrf=(self._csrf(request) or "") if agent else "",
            support=self.settings.support,
            session_hours=self.settings.session_max_age // 3600,
            errors=context.pop("errors", []),
            notice=context.pop("notice", ""),
            errors_by_field=context.pop("errors_by_field", {}),
            **context,
        )
        return HTMLResponse(html, status, headers={**PAGE_HEADERS, **context.get("headers", {})})

    def error_page(self, request: Request, refusal: Refused) -> HTMLResponse:
        response = self.page(
            request,
            "erreur.html",
            refusal.status,
            title="Service momentanément indisponible"
            if refusal.status >= 500
            else "Demande refusée",
            message=refusal.message,
        )
        response.headers.update(refusal.headers)
        return response

    async def _form_fields(self, request: Request) -> dict[str, str]:
        """A signed-in agent's posted form, its CSRF token checked; refused before anything
        else runs otherwise."""
        if self.agent(request) is None:
            raise Refused(401, "Session absente ou expirée : connectez-vous avec ProConnect.")
        kind = request.headers.get("content-type", "").split(";")[0].strip()
        if kind != "application/x-www-form-urlencoded":
            raise Refused(415, "formulaire attendu")
        body = await _read_body(request, self.settings)
        try:
            fields = dict(parse_qsl(body.decode("utf-8"), max_num_fields=50))
        except (UnicodeDecodeError, ValueError) as error:
            raise Refused(400, "formulaire illisible") from error
        expected = self._csrf(request) or ""
        given = fields.get("csrf", "")
        if not expected or not given.isascii() or not hmac.compare_digest(expected, given):
            raise Refused(403, "Jeton de formulaire invalide : rechargez la page.")
        return fields

    # -- sign-in ------------------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        agent = self.agent(request)
        if agent is None:
            return self.page(request, "accueil.html")
        try:
            tip = await self._background(self.backend.tip)
        except Refused as refusal:
            return self.error_page(request, refusal)
        binding = self._binding(agent.email, agent.idp_id, tip)
        providers = [
            _provider_view(doc, agent.email)
            for doc in tip.docs
            if binding.bound
            and doc.data is not None
            and doc.kind in CODE_BY_KIND
            and agent.email in _contacts(doc.data)
        ]
        providers.sort(key=lambda p: (p["name"].lower(), p["environment"], p["network"]))
        return self.page(request, "fournisseurs.html", providers=providers, binding=binding)

    async def signin(self, request: Request) -> Response:
        if self.oidc is None:
            return self.error_page(request, Refused(503, "Connexion ProConnect non configurée."))
        if self.agent(request) is not None:  # signed in: a link elsewhere cannot sign out
            return RedirectResponse("/", 303)
        client = request.client.host if request.client else "?"
        try:  # completed sign-ins count per agent (callback); starts only per address, loosely
            self._limit(self.signin_rate, f"adresse:{client}")
            url, pending = await self._background(self.oidc.start)
        except (Refused, SignInError) as error:
            refusal = error if isinstance(error, Refused) else Refused(502, str(error))
            return self.error_page(request, refusal)
        request.session.clear()
        request.session["pending"] = pending
        return RedirectResponse(url, 303, headers={"Cache-Control": "no-store"})

    async def callback(self, request: Request) -> Response:
        pending = request.session.pop("pending", None)
        query = {k: v for k, v in request.query_params.items() if k in ("code", "state", "error")}
        try:
            if not isinstance(pending, dict) or self.oidc is None:
                raise SignInError("connexion expirée : recommencez")
            oidc = self.oidc
            agent: Agent = await self._background(lambda: oidc.finish(pending, query))
            self._limit(self.agent_rate, agent.identity)
            await self._limit_unbound(agent)
        except (Refused, SignInError) as error:
            refusal = error if isinstance(error, Refused) else Refused(401, str(error))
            return self.error_page(request, refusal)
        request.session.clear()  # a new session id at every sign-in: none planted is promoted
        request.session.update(
            agent={
                "sub": agent.sub,
                "email": agent.email,
                "given_name": agent.given_name,
                "usual_name": agent.usual_name,
                "siret": agent.siret,
                "idp_id": agent.idp_id,
            },
            sid=self.sessions.open(self.clock()),
            since=int(self.clock()),
        )
        return RedirectResponse("/", 303)

    async def signout(self, request: Request) -> Response:
        try:
            await self._form_fields(request)
        except Refused as refusal:
            return self.error_page(request, refusal)
        self.sessions.close(request.session.get("sid"))  # a copy of the cookie ends too
        request.session.clear()
        return RedirectResponse("/", 303)

    async def privacy(self, request: Request) -> Response:
        return self.page(request, "confidentialite.html")

    # -- the form -----------------------------------------------------------------------------

    def _target(self, tip: MainTip, fields: dict[str, str]) -> Any:
        kind = KIND_BY_CODE.get(fields.get("kind", ""))
        key = "client_id" if kind == SERVICE_PROVIDER else "uid"
        identifier = fields.get("identifier", "").strip()
        for doc in tip.docs:
            data = doc.data
            if (
                data is not None
                and doc.kind == kind
                and doc.environment == fields.get("environment")
                and data.get("network") == fields.get("network")
                and data.get(key) == identifier
            ):
                return doc
        raise Refused(
            404,
            "Aucun fournisseur ne porte cet identifiant dans cet environnement et ce réseau "
            "sur la branche principale du registre.",
        )

    async def form(self, request: Request) -> Response:
        agent = self.agent(request)
        if agent is None:
            return RedirectResponse("/", 303)
        fields = {k: v for k, v in request.query_params.items()}
        try:
            tip = await self._background(self.backend.tip)
            doc = self._target(tip, fields)
        except Refused as refusal:
            return self.error_page(request, refusal)
        provider = _provider_view(doc, self._contact(agent, tip))
        data = doc.data or {}
        values = {name: _lines(data.get(key)) for name, key in FILE_KEY_BY_KIND[doc.kind].items()}
        return self.page(
            request, "formulaire.html", provider=provider, fields=_fields(doc.kind), values=values
        )

    def _change(
        self, fields: dict[str, str], agent: Agent, tip: MainTip, kind: str
    ) -> tuple[Any, list[Diagnostic]]:
        data: dict[str, Any] = {
            "environment": fields.get("environment", ""),
            "network": fields.get("network", ""),
            "client_id" if kind == SERVICE_PROVIDER else "uid": fields.get("identifier", ""),
            "requester": {"email": agent.email, "siret": agent.siret, "idp_id": agent.idp_id},
        }
        for name in FILE_KEY_BY_KIND[kind]:
            lines = fields.get(name, "").splitlines()
            data[name] = lines if any(v.strip() for v in lines) else None
        change, problems = parse_request(data, require_requester=True, verified=True)
        return self._bound(change, tip), problems

    def _bound(self, change: ChangeRequest | None, tip: MainTip) -> Any:
        """`change` whose verified requester is marked untrusted unless their e-mail is bound
        to the FI that asserted it (identity)."""
        requester = change.requester if change is not None else None
        if change is None or requester is None or not requester.verified:
            return change
        binding = self._binding(requester.email, requester.idp_id, tip)
        if binding.bound:
            return change
        return replace(change, requester=replace(requester, untrusted=binding.problem))

    async def _posted(self, request: Request) -> tuple[dict[str, str], Agent, MainTip, Any]:
        """A posted form, its signed-in agent, main's tip and the provider it names."""
        fields = await self._form_fields(request)
        agent = self.agent(request)
        assert agent is not None  # the sign-in gate runs before any form handler
        tip = await self._background(self.backend.tip)
        return fields, agent, tip, self._target(tip, fields)

    async def check(self, request: Request) -> Response:
        """The form posted: every problem at its field, or the summary before sending."""
        try:
            fields, agent, tip, doc = await self._posted(request)
        except Refused as refusal:
            return self.error_page(request, refusal)
        try:  # a summary validates the whole registry: it counts, as a view does
            self._limit(self.view_rate, agent.identity)
        except Refused as refusal:
            response = self.page(
                request,
                "formulaire.html",
                refusal.status,
                provider=_provider_view(doc, self._contact(agent, tip)),
                fields=_fields(doc.kind),
                values={name: fields.get(name, "") for name in FILE_KEY_BY_KIND[doc.kind]},
                notice=refusal.message,
            )
            response.headers.update(refusal.headers)
            return response
        return self._checked(request, fields, agent, tip, doc)

    def _checked(
        self,
        request: Request,
        fields: dict[str, str],
        agent: Agent,
        tip: MainTip,
        doc: Any,
        notice: str = "",
        status: int = 200,
    ) -> HTMLResponse:
        provider = _provider_view(doc, self._contact(agent, tip))
        names = list(FILE_KEY_BY_KIND[doc.kind])
        values = {name: fields.get(name, "") for name in names}
        change, problems = self._change(fields, agent, tip, doc.kind)
        edit = None
        if change is not None and fields.get("action") != "modifier":
            edit = edit_provider(tip.docs, change, _policy(self.backend))
            problems = [d for d in edit.diagnostics if d.severity == "error"]
        if change is None or edit is None or not edit.ok:
            errors = [_shown(d, doc) for d in problems]
            by_field: dict[str, list[ShownError]] = {}
            for error in errors:
                by_field.setdefault(error.anchor, []).append(error)
            return self.page(
                request,
                "formulaire.html",
                422 if errors else status,
                provider=provider,
                fields=_fields(doc.kind),
                values=values,
                errors=errors,
                errors_by_field=by_field,
                notice=notice,
            )
        target, _ = find_provider(tip.docs, change, "")
        assert target is not None
        changes = [
            (FIELD_FR.get(name, name), added, removed)
            for name, added, removed in list_changes(target, change)
            if added or removed
        ]
        domains = [
            d
            for name, added, _ in list_changes(target, change)
            if name == "email_domains"
            for d in added
        ]
        warnings = [f"{d.message} {d.hint}" for d in edit.diagnostics if d.severity != "error"]
        hidden = [(k, fields.get(k, "")) for k in ("kind", "environment", "network", "identifier")]
        hidden += [(name, values[name]) for name in names]
        return self.page(
            request,
            "recapitulatif.html",
            status,
            provider=provider,
            changes=changes,
            warnings=warnings,
            domains=domains,
            dns_proof=DNS_PROOF.format(uid=(doc.data or {}).get("uid", "")),
            review_reason=federation_reason(target, change),
            hidden=hidden,
            notice=notice,
        )

    async def send(self, request: Request) -> Response:
        """The summary confirmed: the pull request, then the request's page."""
        try:
            fields, agent, tip, doc = await self._posted(request)
        except Refused as refusal:
            return self.error_page(request, refusal)
        change, _ = self._change(fields, agent, tip, doc.kind)
        if change is None:
            return self._checked(request, fields, agent, tip, doc)
        try:
            self._limit(self.agent_rate, agent.identity)
            await self._limit_unbound(agent, tip)
            proposal: Proposal = await self._background(
                lambda: self.backend.submit(change), exclusive=True
            )
        except Refused as refusal:
            return self._checked(request, fields, agent, tip, doc, refusal.message, refusal.status)
        if proposal.outcome is Outcome.REFUSED:
            return self._checked(request, fields, agent, tip, doc)
        target = f"/demandes/{proposal.number}"
        if proposal.superseded:
            target += "?" + urlencode({"remplace": proposal.superseded[-1]})
        return RedirectResponse(target, 303)

    async def status(self, request: Request) -> Response:
        agent = self.agent(request)
        if agent is None:
            return RedirectResponse("/", 303)
        number = request.path_params["number"]
        try:
            self._limit(self.view_rate, agent.identity)
            tip = await self._background(self.backend.tip)
            bound = self._binding(agent.email, agent.idp_id, tip).bound
        except Refused as refusal:  # the registry unreachable is said as such, never as 404
            return self.error_page(request, refusal)
        key = requester_key(agent.email, agent.idp_id, bound)
        try:
            found = await self._background(lambda: self.backend.status(number, key))
        except Refused as refusal:  # GitHub's 404 (no such pull request) reads as ours
            found = None if refusal.status == 502 else refusal
            if isinstance(found, Refused):
                return self.error_page(request, found)
        if found is None:
            return self.error_page(
                request, Refused(404, "Aucune de vos demandes ne porte ce numéro.")
            )
        superseded = request.query_params.get("remplace", "")
        return self.page(
            request,
            "demande.html",
            request_status=found,
            superseded=superseded if superseded.isdigit() else "",
        )

    # -- the partner space's API --------------------------------------------------------------

    async def api(self, request: Request) -> Response:
        try:
            return await self._api(request)
        except Refused as refusal:
            return JSONResponse({"message": refusal.message}, refusal.status, refusal.headers)

    async def _api(self, request: Request) -> Response:
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            raise Refused(415, "le corps doit être du JSON (Content-Type: application/json)")
        body = await _read_body(request, self.settings)
        refusal = self.signatures.refusal(
            request.headers.get(TIMESTAMP_HEADER),
            request.headers.get(SIGNATURE_HEADER),
            body,
            self.clock(),
        )
        if refusal:
            raise Refused(401, refusal)
        try:
            data = json.loads(body)
        except (ValueError, RecursionError) as error:  # RecursionError: absurd nesting
            raise Refused(400, "JSON illisible") from error
        change, problems = parse_request(data, require_requester=True, verified=True)
        if change is None:
            return self._refused_json(problems)
        assert change.requester is not None
        self._limit(self.api_rate, change.requester.email)
        change = self._bound(change, await self._background(self.backend.tip))
        proposal: Proposal = await self._background(
            lambda: self.backend.submit(change), exclusive=True
        )
        if proposal.outcome is Outcome.REFUSED:
            return self._refused_json(list(proposal.diagnostics))
        return JSONResponse(
            {
                "outcome": str(proposal.outcome),
                "message": proposal.message,
                "url": proposal.url,
                "number": proposal.number,
                "path": proposal.path,
                "diagnostics": _diagnostics_json(proposal.diagnostics),
            },
            201 if proposal.outcome is Outcome.CREATED else 200,
        )

    @staticmethod
    def _refused_json(diagnostics: list[Diagnostic]) -> Response:
        return JSONResponse(
            {
                "outcome": str(Outcome.REFUSED),
                "message": "Demande refusée : rien n'a été écrit. Corrigez les points indiqués.",
                "diagnostics": _diagnostics_json(diagnostics),
            },
            422,
        )


def _policy(backend: Backend) -> Any:
    return backend.policy  # type: ignore[attr-defined]


def _agent(request: Request) -> Agent | None:
    data = request.session.get("agent")
    if not isinstance(data, dict) or not isinstance(data.get("email"), str):
        return None
    keys = ("sub", "email", "given_name", "usual_name", "siret", "idp_id")
    return Agent(**{k: str(data.get(k, "")) for k in keys})


def _contacts(data: dict[str, Any]) -> set[str]:
    contacts = data.get("contacts")
    if not isinstance(contacts, list):
        return set()
    return {c.lower() for c in contacts if isinstance(c, str)}


def _fields(kind: str) -> list[tuple[str, str, str]]:
    return [(name, FIELD_FR[name], HINT_FR[name]) for name in FILE_KEY_BY_KIND[kind]]


def _provider_view(doc: Any, email: str) -> dict[str, Any]:
    data = doc.data or {}
    key = "client_id" if doc.kind == SERVICE_PROVIDER else "uid"
    network = str(data.get("network", ""))
    identifier = str(data.get(key, ""))
    query = {
        "kind": CODE_BY_KIND[doc.kind],
        "environment": doc.environment,
        "network": network,
        "identifier": identifier,
    }
    return {
        "name": str(data.get("title") or data.get("name") or doc.slug),
        "kind_fr": KIND_FR[doc.kind],
        "kind_code": CODE_BY_KIND[doc.kind],
        "environment": doc.environment,
        "environment_fr": ENVIRONMENT_FR.get(doc.environment, doc.environment),
        "network": network,
        "network_fr": NETWORK_FR.get(network, network),
        "identifier": identifier,
        "is_contact": email in _contacts(data),
        "form_url": "/formulaire?" + urlencode(query),
        "lists": [
            (FIELD_FR[name], [v for v in data.get(file_key) or [] if isinstance(v, str)])
            for name, file_key in FILE_KEY_BY_KIND[doc.kind].items()
        ],
    }


def _shown(diagnostic: Diagnostic, doc: Any) -> ShownError:
    """A diagnostic at the form's field (and line within a list): the request's own field, or
    the file key the rule points at, mapped back to the form's list."""
    by_file_key = {v: k for k, v in FILE_KEY_BY_KIND.get(doc.kind, {}).items()}
    name, _, index = diagnostic.field.partition("[")
    field = by_file_key.get(name, name)
    label = FIELD_FR.get(field)
    if label is None:
        return ShownError("contenu", "Demande", diagnostic.message, diagnostic.hint, field)
    line = f", ligne {int(index.split(']')[0]) + 1}" if index[:1].isdigit() else ""
    return ShownError(field, f"{label}{line}", diagnostic.message, diagnostic.hint, field)


def build_app(
    backend: Backend,
    api_secret: bytes,
    settings: ServeSettings | None = None,
    *,
    oidc: OidcClient | None = None,
    session_secret: str = "",
    secure_cookies: bool = True,
    clock: Callable[[], float] = time.time,
    trust: IdentityTrust | None = None,
) -> Starlette:
    settings = settings or ServeSettings()
    form = FormApp(backend, oidc, api_secret, settings, clock, trust)
    return Starlette(
        routes=[
            Route("/", form.home, methods=["GET"]),
            Route("/connexion", form.signin, methods=["GET"]),
            Route("/connexion/retour", form.callback, methods=["GET"]),
            Route("/deconnexion", form.signout, methods=["POST"]),
            Route("/confidentialite", form.privacy, methods=["GET"]),
            Route("/formulaire", form.form, methods=["GET"]),
            Route("/formulaire", form.check, methods=["POST"]),
            Route("/demandes", form.send, methods=["POST"]),
            Route("/demandes/{number:int}", form.status, methods=["GET"]),
            Route("/api/demandes", form.api, methods=["POST"]),
            Mount("/static", StaticAssets(directory=STATIC), name="static"),
        ],
        middleware=[
            Middleware(HeaderGuard),
            Middleware(
                SessionMiddleware,
                secret_key=session_secret or secrets.token_urlsafe(32),
                session_cookie="fedreg_session",
                max_age=settings.session_max_age,
                same_site="lax",
                https_only=secure_cookies,
            ),
        ],
    )
