"""`fedreg serve`: the modification form over HTTP (an ASGI app), for the partner space and a page.

- `POST /api/demandes`: the form's fields as JSON, signed by the partner space (requestauth),
  whose requester e-mail is verified by its ProConnect login. Answers with the pull request's
  URL or the located diagnostics, in French; described by `docs/openapi.yaml`.
- `GET /` and `POST /formulaire`: a plain HTML page for partners without the partner space
  (their e-mail is declared, not verified: the federation reviews what they ask).

Limits: body size, requests per requester (per address for the page), and a time limit on
reading the body and on opening the pull request. Proposals run one at a time, so that the
same request sent twice at once still opens one pull request.
"""

from __future__ import annotations

import html
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import anyio
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from ..diagnostics import Diagnostic
from ..errors import FedregError
from .editing import ChangeRequest, parse_request
from .proposal import Outcome, Proposal
from .requestauth import SIGNATURE_HEADER, TIMESTAMP_HEADER, RateLimiter, SignatureChecker

Submit = Callable[[ChangeRequest], Proposal]
# The page needs nothing but itself: no script, no outside resource, no framing by others.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
STATUS_BY_OUTCOME = {Outcome.CREATED: 201, Outcome.UPDATED: 200, Outcome.EXISTS: 200}


@dataclass(frozen=True)
class ServeSettings:
    max_body: int = 64 * 1024  # bytes
    rate_limit: int = 10  # requests per requester (or address) per window
    rate_window: float = 600.0  # seconds
    read_timeout: float = 10.0  # seconds to receive the body
    submit_timeout: float = 60.0  # seconds to open the pull request
    tolerance: float = 300.0  # seconds between the partner space's clock and ours


class Refused(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


async def _read_body(request: Request, settings: ServeSettings) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > settings.max_body:
        raise Refused(413, f"corps de requête trop gros (au plus {settings.max_body} octets)")
    body = b""
    try:
        with anyio.fail_after(settings.read_timeout):
            async for chunk in request.stream():
                body += chunk
                if len(body) > settings.max_body:
                    raise Refused(
                        413, f"corps de requête trop gros (au plus {settings.max_body} octets)"
                    )
    except TimeoutError as error:
        raise Refused(408, "corps de requête reçu trop lentement") from error
    except ClientDisconnect as error:
        raise Refused(400, "connexion interrompue") from error
    return body


def _diagnostics_json(diagnostics: tuple[Diagnostic, ...] | list[Diagnostic]) -> list[Any]:
    return [d.as_dict() for d in diagnostics]


class FormApp:
    """The endpoints, over a `submit` function that turns a request into a pull request."""

    def __init__(
        self,
        submit: Submit,
        secret: bytes,
        settings: ServeSettings,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.submit, self.settings, self.clock = submit, settings, clock
        self.signatures = SignatureChecker(secret, settings.tolerance)
        self.api_rate = RateLimiter(settings.rate_limit, settings.rate_window)
        self.page_rate = RateLimiter(settings.rate_limit, settings.rate_window)
        self._one_at_a_time = threading.Lock()

    def _limit(self, limiter: RateLimiter, key: str) -> None:
        wait = limiter.retry_after(key, self.clock())
        if wait:
            raise Refused(
                429,
                f"trop de demandes : réessayez dans {wait} secondes",
                {"Retry-After": str(wait)},
            )

    def _propose(self, request: ChangeRequest) -> Proposal:
        with self._one_at_a_time:
            return self.submit(request)

    async def _run(self, request: ChangeRequest) -> Proposal:
        try:
            with anyio.fail_after(self.settings.submit_timeout):
                return await anyio.to_thread.run_sync(self._propose, request)
        except TimeoutError as error:
            raise Refused(504, "GitHub n'a pas répondu à temps : réessayez plus tard") from error
        except FedregError as error:
            raise Refused(502, str(error)) from error

    # -- the partner space's API ------------------------------------------------------------

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
        requester = data.get("requester") if isinstance(data, dict) else None
        email = requester.get("email") if isinstance(requester, dict) else None
        self._limit(self.api_rate, str(email).lower())
        change, problems = parse_request(data, require_requester=True, verified=True)
        if change is None:
            return self._refused_json(problems)
        proposal = await self._run(change)
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
            STATUS_BY_OUTCOME[proposal.outcome],
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

    # -- the page ---------------------------------------------------------------------------

    async def page(self, request: Request) -> Response:
        return HTMLResponse(render_page(), headers=PAGE_HEADERS)

    async def submit_page(self, request: Request) -> Response:
        try:
            if not request.headers.get("content-type", "").startswith(
                "application/x-www-form-urlencoded"
            ):
                raise Refused(415, "formulaire attendu")
            body = await _read_body(request, self.settings)
            self._limit(self.page_rate, request.client.host if request.client else "?")
            fields = dict(parse_qsl(body.decode("utf-8", errors="replace")))
            change, problems = parse_request(page_request(fields), require_requester=True)
            if change is None:
                return HTMLResponse(render_page(fields, diagnostics=problems), 422)
            proposal = await self._run(change)
        except Refused as refusal:
            return HTMLResponse(render_page(error=refusal.message), refusal.status, refusal.headers)
        if proposal.outcome is Outcome.REFUSED:
            return HTMLResponse(render_page(fields, diagnostics=list(proposal.diagnostics)), 422)
        return HTMLResponse(render_page(proposal=proposal), STATUS_BY_OUTCOME[proposal.outcome])


def page_request(fields: dict[str, str]) -> dict[str, Any]:
    """The page's fields as the API's request: text areas hold one value per line."""
    request: dict[str, Any] = {
        "environment": fields.get("environment", ""),
        "network": fields.get("network", ""),
        "client_id": fields.get("client_id", ""),
        "requester": {
            "email": fields.get("email", ""),
            "siret": fields.get("siret", ""),
            "organisation": fields.get("organisation", ""),
            "legal_form": fields.get("legal_form", ""),
        },
    }
    for name in ("redirect_uris", "post_logout_redirect_uris", "ip_ranges"):
        request[name] = fields.get(name, "")
    return request


LABEL_FR = {
    "environment": "Environnement",
    "network": "Réseau",
    "client_id": "CLIENT ID",
    "redirect_uris": "URLs de redirection post connexion",
    "post_logout_redirect_uris": "URLs de redirection post déconnexion",
    "ip_ranges": "Plages / adresses IP",
    "requester.email": "Email",
}


def _where(diagnostic: Diagnostic) -> str:
    """Where a diagnostic points, for a person reading the page."""
    if diagnostic.path != "demande":
        return f"{diagnostic.path}, ligne {diagnostic.line}, colonne {diagnostic.column}"
    name, _, index = diagnostic.field.partition("[")
    label = LABEL_FR.get(name, name or "demande")
    return f"{label}, ligne {int(index.rstrip(']')) + 1}" if index else label


def _radio(name: str, value: str, label: str, chosen: str) -> str:
    checked = " checked" if chosen == value else ""
    return (
        f'<label><input type="radio" name="{name}" value="{value}" required{checked}> '
        f"{label}</label>"
    )


def render_page(
    fields: dict[str, str] | None = None,
    diagnostics: list[Diagnostic] | None = None,
    proposal: Proposal | None = None,
    error: str = "",
) -> str:
    """The page: the form (filled with `fields` again after a refusal), and the answer."""
    values = {k: html.escape(v) for k, v in (fields or {}).items()}

    def text(name: str, label: str, kind: str = "text", required: bool = False) -> str:
        need = " required" if required else ""
        return (
            f'<p><label for="{name}">{label}</label><br>'
            f'<input id="{name}" name="{name}" type="{kind}" value="{values.get(name, "")}"'
            f"{need}></p>"
        )

    def area(name: str, label: str, help_text: str) -> str:
        return (
            f'<p><label for="{name}">{label}</label><br><small>{help_text}</small><br>'
            f'<textarea id="{name}" name="{name}" rows="4" cols="80">{values.get(name, "")}'
            "</textarea></p>"
        )

    answer = ""
    if proposal is not None:
        url = html.escape(proposal.url)
        answer = (
            f'<section id="resultat" role="status"><h2>{html.escape(proposal.message)}</h2>'
            f'<p>Suivez la vérification sur <a id="lien-demande" href="{url}">{url}</a>. '
            "Votre adresse n'étant pas vérifiée par ProConnect, l'équipe de la fédération "
            "relit la demande avant son déploiement.</p></section>"
        )
    elif diagnostics:
        items = "".join(
            f"<li><strong>{html.escape(d.code)}</strong> ({html.escape(_where(d))}) : "
            f"{html.escape(d.message)} <em>{html.escape(d.hint)}</em></li>"
            for d in diagnostics
        )
        answer = (
            '<section id="resultat" role="alert"><h2>Demande refusée : rien n\'a été '
            f'écrit</h2><ul id="diagnostics">{items}</ul></section>'
        )
    elif error:
        answer = f'<section id="resultat" role="alert"><h2>{html.escape(error)}</h2></section>'
    network, environment = values.get("network", ""), values.get("environment", "")
    separator = "une URL par ligne ; la liste remplace l'ancienne en entier ; vide : inchangé"
    return f"""<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><title>Demande de modification d'un fournisseur de services
ProConnect</title></head>
<body>
<main>
<h1>Demande de modification d'un fournisseur de services ProConnect</h1>
{answer}
<p>Cette demande devient une demande de fusion sur le registre de la fédération, vérifiée
par fedreg en moins d'une minute. Les jokers (*) ne sont pas pris en compte.</p>
<form method="post" action="/formulaire">
<fieldset><legend>Identité du demandeur</legend>
{text("email", "Email", "email", required=True)}
{text("siret", "SIRET")}
{text("organisation", "Dénomination")}
{text("legal_form", "Forme juridique")}
</fieldset>
<fieldset><legend>Votre fournisseur de services</legend>
{text("client_id", "CLIENT ID", required=True)}
<p>Réseau : {_radio("network", "rie", "RIE", network)}
{_radio("network", "internet", "Internet", network)}</p>
<p>Environnement : {_radio("environment", "integration", "Intégration", environment)}
{_radio("environment", "production", "Production", environment)}</p>
</fieldset>
<fieldset><legend>Configuration</legend>
{area("redirect_uris", "URLs de redirection post CONNEXION", separator)}
{area("post_logout_redirect_uris", "URLs de redirection post DÉCONNEXION", separator)}
{area("ip_ranges", "Plages / adresses IP (RIE)", "une plage par ligne ; vide : inchangé")}
</fieldset>
<p><button type="submit">Envoyer la demande</button></p>
</form>
</main>
</body>
</html>
"""


def build_app(
    submit: Submit,
    secret: bytes,
    settings: ServeSettings | None = None,
    clock: Callable[[], float] = time.time,
) -> Starlette:
    form = FormApp(submit, secret, settings or ServeSettings(), clock)
    return Starlette(
        routes=[
            Route("/", form.page, methods=["GET"]),
            Route("/formulaire", form.submit_page, methods=["POST"]),
            Route("/api/demandes", form.api, methods=["POST"]),
        ]
    )
