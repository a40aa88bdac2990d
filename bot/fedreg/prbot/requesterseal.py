"""The requester seal: who asked for a partner-space pull request, bound to its exact commit (pure).

The partner space signs `{"repository", "commit", "email", "idp_id"}` with its Ed25519 key (a
compact JWS, joserfc) once the commit exists, and writes it as the first line of the pull
request's body; `idp_id` is the identity provider (FI) that asserted the e-mail, which the
partner space found bound to it (form.identity). The bot honours it only when it verifies with
the public key of `policy.yaml`, names the repository and the very commit it judges, and names
the FI: a later push (another head), a body edited by anyone (no key), a marker written by hand
(no signature) or a seal without a bound FI voids it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

from ..registry.keys import ed25519_public_key

ALGORITHM = "Ed25519"
SEAL_MARKER = "<!-- fedreg:demandeur={token} -->"
# The seal's line: a compact JWS only (base64url and dots), nothing a reader could click.
SEAL_LINE = re.compile(r"\A<!-- fedreg:demandeur=(?P<token>[A-Za-z0-9_.=-]{1,4000}) -->\r?\n")
# Anything that looks like a seal, anywhere: shown as ignored, never trusted.
ANY_MARKER = re.compile(r"<!--\s*fedreg:demandeur", re.IGNORECASE)


@dataclass(frozen=True)
class SealCheck:
    email: str = ""  # the verified requester, when the seal holds
    idp_id: str = ""  # the FI their e-mail is bound to
    problem: str = ""  # why a seal present does not hold (French); "" when none or valid


def seal(private_pem: bytes, repository: str, commit: str, email: str, idp_id: str) -> str:
    """The body's first line vouching that `email`, bound to the FI `idp_id`, asked for `commit`
    of `repository`."""
    key = OKPKey.import_key(private_pem)
    payload = json.dumps(
        {"repository": repository, "commit": commit, "email": email, "idp_id": idp_id},
        sort_keys=True,
    ).encode()
    token = jws.serialize_compact({"alg": ALGORITHM}, payload, key, algorithms=[ALGORITHM])
    return SEAL_MARKER.format(token=token)


def check_seal(body: str, public_pem: str | None, repository: str, commit: str) -> SealCheck:
    """Whether `body` carries a valid seal for `commit` of `repository`."""
    match = SEAL_LINE.match(body or "")
    if match is None:
        if ANY_MARKER.search(body or ""):
            return SealCheck(problem="marqueur de demandeur sans signature valable, ignoré")
        return SealCheck()
    if not public_pem:
        return SealCheck(problem="aucune clé de l'espace partenaires dans policy.yaml")
    try:
        key = OKPKey.import_key(ed25519_public_key(public_pem))
        data = jws.deserialize_compact(match["token"], key, algorithms=[ALGORITHM]).payload
        claims = json.loads(data)
    except (JoseError, ValueError, TypeError):
        return SealCheck(problem="signature du demandeur invalide")
    if not isinstance(claims, dict) or not isinstance(claims.get("email"), str):
        return SealCheck(problem="signature du demandeur invalide")
    if claims.get("repository") != repository:
        return SealCheck(problem="signature du demandeur émise pour un autre dépôt")
    if claims.get("commit") != commit:
        return SealCheck(
            problem="signature du demandeur émise pour un autre commit : la branche a changé "
            "depuis la demande"
        )
    idp_id = claims.get("idp_id")
    if not isinstance(idp_id, str) or not idp_id:
        return SealCheck(
            problem="signature du demandeur sans fournisseur d'identité lié à son adresse"
        )
    return SealCheck(email=claims["email"].lower(), idp_id=idp_id)
