"""The modification form's semantics, pure: a change request, the provider it names, the edit.

A request names a provider by environment, network and `client_id` (FS) or `uid` (FI), and
gives new lists that replace the old ones wholesale; a list left empty stays unchanged, and a
wildcard is refused. The edited file is written by the round-trip writer (every other byte
kept) and validated with the project's own rules, across the registry, before anyone writes it.
Problems with the request itself carry the F codes, located by the request's field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from email_validator import EmailNotValidError, validate_email

from ..authoring.roundtrip import NotRoundTrippable, replace_lists
from ..diagnostics import Diagnostic, count_errors, format_field_path
from ..registry.layout import RegistryDocument
from ..registry.models import ENVIRONMENTS, IDENTITY_PROVIDER, NETWORKS, SERVICE_PROVIDER
from ..registry.policy import Policy
from ..validation.engine import parse_document, validate_documents
from ..validation.rules import RULES_BY_CODE

REQUEST_PATH = "demande"  # where diagnostics about the request itself point
LIST_FIELDS = ("redirect_uris", "post_logout_redirect_uris", "ip_ranges", "email_domains")
# The request's list fields as the provider file names them, by kind.
FILE_KEY_BY_KIND: dict[str, dict[str, str]] = {
    SERVICE_PROVIDER: {
        "redirect_uris": "redirect_uris",
        "post_logout_redirect_uris": "post_logout_redirect_uris",
        "ip_ranges": "ip_ranges",
    },
    IDENTITY_PROVIDER: {"ip_ranges": "ip_ranges", "email_domains": "attached_email_domains"},
}
# Where a list the file lacks is inserted: after the first of these keys it has.
INSERT_AFTER = {
    "post_logout_redirect_uris": ("redirect_uris",),
    "ip_ranges": (
        "post_logout_redirect_uris",
        "redirect_uris",
        "extra_accepted_email_domains",
        "attached_email_domains",
        "contacts",
    ),
}
KIND_FR = {SERVICE_PROVIDER: "FS (fournisseur de services)", IDENTITY_PROVIDER: "FI"}
REQUEST_KEYS = ("environment", "network", "client_id", "uid", *LIST_FIELDS, "requester")
REQUESTER_KEYS = ("email", "siret", "organisation", "legal_form", "idp_id")
MAX_ITEMS = 100
MAX_LENGTH = 2048


@dataclass(frozen=True)
class Requester:
    """Who asks. `verified`: the e-mail comes from a ProConnect login (the partner space)."""

    email: str
    verified: bool = False
    siret: str = ""
    organisation: str = ""
    legal_form: str = ""
    idp_id: str = ""  # the identity provider (FI) that asserted the verified e-mail
    untrusted: str = ""  # why the verified e-mail is nobody's contact (form.identity), French


@dataclass(frozen=True)
class ChangeRequest:
    environment: str
    network: str
    identifier_key: str  # "client_id" (a service provider) or "uid" (an identity provider)
    identifier: str
    lists: Mapping[str, tuple[str, ...]]  # request field -> new values; only non-empty ones
    requester: Requester | None = None

    @property
    def kind(self) -> str:
        return SERVICE_PROVIDER if self.identifier_key == "client_id" else IDENTITY_PROVIDER


@dataclass(frozen=True)
class Edit:
    """The edited file, or why there is none (`after` empty). `diagnostics` are about the
    request (path `demande`) or the new content of the file (its path, new positions)."""

    path: str = ""
    kind: str = ""
    name: str = ""
    before: str = ""
    after: str = ""
    changed: tuple[str, ...] = ()  # file keys whose value changes
    diagnostics: tuple[Diagnostic, ...] = field(default=())
    # (file key, entries added, entries removed) of each list replaced, in file key order
    list_changes: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = ()

    @property
    def ok(self) -> bool:
        return bool(self.after) and count_errors(self.diagnostics) == 0


def request_diagnostic(code: str, where: tuple[str | int, ...] = (), **params: Any) -> Diagnostic:
    rule = RULES_BY_CODE[code]
    return Diagnostic(
        path=REQUEST_PATH,
        line=1,
        column=1,
        code=code,
        severity=rule.severity,
        message=rule.message.format_map(params),
        hint=rule.hint.format_map(params),
        field=format_field_path(where),
    )


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _list(name: str, value: Any, found: list[Diagnostic]) -> tuple[str, ...]:
    limits = {"max_items": MAX_ITEMS, "max_length": MAX_LENGTH}
    if value is None:
        return ()
    if isinstance(value, str):  # a form's text area: one value per line
        value = value.splitlines()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        found.append(
            request_diagnostic(
                "F009", (name,), field=name, problem="liste de textes attendue", **limits
            )
        )
        return ()
    values = tuple(v.strip() for v in value if v.strip())
    if len(values) > MAX_ITEMS:
        found.append(
            request_diagnostic(
                "F009", (name,), field=name, problem=f"{len(values)} valeurs", **limits
            )
        )
        return ()
    for index, item in enumerate(values):
        if len(item) > MAX_LENGTH:
            problem = f"valeur de {len(item)} caractères"
            found.append(
                request_diagnostic("F009", (name, index), field=name, problem=problem, **limits)
            )
        elif "*" in item:
            found.append(request_diagnostic("F005", (name, index), value=item))
    return values


def _requester(
    value: Any, required: bool, verified: bool, found: list[Diagnostic]
) -> Requester | None:
    if value is None and not required:
        return None
    data = value if isinstance(value, dict) else {}
    for key in data:
        if key not in REQUESTER_KEYS:
            found.append(
                request_diagnostic(
                    "F010",
                    ("requester", key),
                    field=f"requester.{key}",
                    allowed=", ".join(REQUESTER_KEYS),
                )
            )
    email = _text(data.get("email"))
    try:
        normalised = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError:
        found.append(request_diagnostic("F008", ("requester", "email"), value=email))
        return None
    return Requester(
        email=normalised.lower(),
        verified=verified,
        siret=_text(data.get("siret"))[:14],
        organisation=_text(data.get("organisation"))[:200],
        legal_form=_text(data.get("legal_form"))[:200],
        idp_id=_text(data.get("idp_id"))[:100],
    )


def parse_request(
    data: Any, *, require_requester: bool = False, verified: bool = False
) -> tuple[ChangeRequest | None, list[Diagnostic]]:
    """The request in `data` (decoded JSON, or a form's fields), or every problem with it.
    `verified`: the requester's e-mail was vouched for by the caller (the partner space)."""
    if not isinstance(data, dict):
        return None, [
            request_diagnostic(
                "F009",
                field="demande",
                problem="objet JSON attendu",
                max_items=MAX_ITEMS,
                max_length=MAX_LENGTH,
            )
        ]
    found: list[Diagnostic] = []
    for key in data:
        if key not in REQUEST_KEYS:
            found.append(
                request_diagnostic("F010", (str(key),), field=key, allowed=", ".join(REQUEST_KEYS))
            )
    environment, network = _text(data.get("environment")), _text(data.get("network"))
    if environment not in ENVIRONMENTS:
        found.append(request_diagnostic("F001", ("environment",), value=environment))
    if network not in NETWORKS:
        found.append(request_diagnostic("F002", ("network",), value=network))
    given = {k: _text(data.get(k)) for k in ("client_id", "uid") if _text(data.get(k))}
    if len(given) != 1:
        problem = (
            "Ni client_id ni uid : le fournisseur n'est pas désigné"
            if not given
            else "client_id et uid sont donnés ensemble"
        )
        found.append(request_diagnostic("F003", ("client_id",), problem=problem))
    lists = {name: _list(name, data.get(name), found) for name in LIST_FIELDS}
    lists = {name: values for name, values in lists.items() if values}
    if not lists and not any(d.code == "F009" for d in found):
        found.append(request_diagnostic("F006"))
    requester = _requester(data.get("requester"), require_requester, verified, found)
    if found:
        return None, found
    ((key, identifier),) = given.items()
    return ChangeRequest(environment, network, key, identifier, lists, requester), []


def find_provider(
    docs: Sequence[RegistryDocument], request: ChangeRequest, support: str
) -> tuple[RegistryDocument | None, list[Diagnostic]]:
    """The one document the request names."""
    matches = [
        doc
        for doc in docs
        if doc.data is not None
        and doc.kind == request.kind
        and doc.environment == request.environment
        and doc.data.get("network") == request.network
        and doc.data.get(request.identifier_key) == request.identifier
    ]
    if len(matches) == 1:
        return matches[0], []
    if not matches:
        return None, [
            request_diagnostic(
                "F004",
                (request.identifier_key,),
                identifier=request.identifier,
                environment=request.environment,
                network=request.network,
            )
        ]
    paths = ", ".join(sorted(d.display_path for d in matches))
    return None, [
        request_diagnostic(
            "F012",
            (request.identifier_key,),
            identifier=request.identifier,
            paths=paths,
            support=support,
        )
    ]


def _copy(doc: RegistryDocument, text: str) -> RegistryDocument:
    copy = RegistryDocument(doc.path, doc.display_path, doc.environment, doc.kind, doc.slug)
    parse_document(copy, text.encode("utf-8"))
    return copy


def edit_provider(
    docs: Sequence[RegistryDocument],
    request: ChangeRequest,
    policy: Policy,
    current: str | None = None,
) -> Edit:
    """Apply `request` to the provider it names among `docs` (the whole registry, as read),
    and validate the result with every rule, across files. `current`: the file's text to
    edit when it differs from the one read (the default branch's, for a pull request)."""
    target, problems = find_provider(docs, request, policy.support_contact)
    if target is None:
        return Edit(diagnostics=tuple(problems))
    before = current if current is not None else target.text or ""
    name = str((target.data or {}).get("name", ""))
    found = Edit(path=target.display_path, kind=target.kind, name=name, before=before)
    keys = FILE_KEY_BY_KIND[target.kind]
    refused = [
        request_diagnostic("F007", (name,), field=name, kind=KIND_FR[target.kind])
        for name in request.lists
        if name not in keys
    ]
    if refused:
        return replace(found, diagnostics=tuple(refused))
    current_doc = _copy(target, before)
    data = current_doc.data or {}
    changes = {
        keys[name]: list(values)
        for name, values in request.lists.items()
        if data.get(keys[name]) != list(values)
    }
    if not changes:
        return replace(found, diagnostics=(request_diagnostic("F011", path=target.display_path),))
    try:
        after = replace_lists(before, changes, INSERT_AFTER)
    except NotRoundTrippable as error:
        problem = str(error)
        unchanged = request_diagnostic(
            "F013", path=target.display_path, problem=problem, support=policy.support_contact
        )
        return replace(found, diagnostics=(unchanged,))
    edited = _copy(target, after)
    others = [_copy(doc, doc.text) for doc in docs if doc is not target and doc.text is not None]
    diagnostics = validate_documents([*others, edited], policy)
    own = tuple(d for d in diagnostics if d.path == target.display_path)
    old_lists = {key: [str(v) for v in data.get(key) or []] for key in changes}
    list_changes = tuple(
        (
            key,
            tuple(v for v in changes[key] if v not in old_lists[key]),
            tuple(v for v in old_lists[key] if v not in changes[key]),
        )
        for key in sorted(changes)
    )
    return replace(
        found,
        after=after,
        changed=tuple(sorted(changes)),
        diagnostics=own,
        list_changes=list_changes,
    )
