"""The requester the bot trusts is bound to the commit it judges (issue 23): a later push, an
edited body, a marker written by hand, another key or another repository void the seal."""

from __future__ import annotations

from joserfc.jwk import OKPKey

from fedreg.prbot.requesterseal import check_seal, seal

REPO = "proconnect-gouv/registre"
COMMIT = "a" * 40
KEY = OKPKey.generate_key("Ed25519")
PUBLIC = KEY.as_pem(private=False).decode()
PRIVATE = KEY.as_pem(private=True)
FI = "5f0c3b9e-2b8e-4a57-9a3e-0d6f1c2b7a11"


def _body(line: str) -> str:
    return f"{line}\n<!-- fedreg:formulaire -->\n### Demande\n"


def test_a_seal_for_this_commit_names_the_requester() -> None:
    body = _body(seal(PRIVATE, REPO, COMMIT, "Equipe@demo.gouv.fr", FI))
    check = check_seal(body, PUBLIC, REPO, COMMIT)
    assert (check.email, check.idp_id) == ("equipe@demo.gouv.fr", FI)


def test_a_seal_without_the_fi_bound_to_the_address_is_not_trusted() -> None:
    """Issue 23: the e-mail counts only bound to the FI that asserted it; a seal that names no
    FI (the partner space did not bind it, or an older one) vouches for nobody."""
    check = check_seal(
        _body(seal(PRIVATE, REPO, COMMIT, "e@demo.gouv.fr", "")), PUBLIC, REPO, COMMIT
    )
    assert check.email == "" and "sans fournisseur d'identité" in check.problem


def test_a_later_push_voids_the_seal() -> None:
    body = _body(seal(PRIVATE, REPO, COMMIT, "equipe@demo.gouv.fr", FI))
    check = check_seal(body, PUBLIC, REPO, "b" * 40)
    assert check.email == "" and "autre commit" in check.problem


def test_a_marker_written_by_hand_is_ignored() -> None:
    for line in (
        "<!-- fedreg:demandeur=equipe@demo.gouv.fr -->",
        "<!-- fedreg:demandeur=eyJhbGciOiJFZDI1NTE5In0.e30.c2lnbmF0dXJl -->",
    ):
        check = check_seal(_body(line), PUBLIC, REPO, COMMIT)
        assert check.email == "" and check.problem


def test_an_edited_body_cannot_change_the_requester() -> None:
    """Someone who may edit the body keeps the signature and changes the payload, or moves a
    valid seal below other text: both are refused."""
    line = seal(PRIVATE, REPO, COMMIT, "inconnu@autre.gouv.fr", FI)
    header, _payload, signature = line.removeprefix("<!-- fedreg:demandeur=").split(".")
    other = seal(PRIVATE, REPO, "c" * 40, "equipe@demo.gouv.fr", FI)
    forged_payload = other.removeprefix("<!-- fedreg:demandeur=").split(".")[1]
    forged = f"<!-- fedreg:demandeur={header}.{forged_payload}.{signature}"
    assert check_seal(_body(forged), PUBLIC, REPO, COMMIT).email == ""
    moved = "Bonjour\n" + _body(seal(PRIVATE, REPO, COMMIT, "equipe@demo.gouv.fr", FI))
    assert check_seal(moved, PUBLIC, REPO, COMMIT).email == ""


def test_another_key_or_repository_or_no_key_voids_the_seal() -> None:
    stranger = OKPKey.generate_key("Ed25519").as_pem(private=True)
    assert (
        check_seal(
            _body(seal(stranger, REPO, COMMIT, "e@demo.gouv.fr", FI)), PUBLIC, REPO, COMMIT
        ).problem
        == "signature du demandeur invalide"
    )
    elsewhere = _body(seal(PRIVATE, "mallory/registre", COMMIT, "e@demo.gouv.fr", FI))
    assert "autre dépôt" in check_seal(elsewhere, PUBLIC, REPO, COMMIT).problem
    sealed = _body(seal(PRIVATE, REPO, COMMIT, "e@demo.gouv.fr", FI))
    assert check_seal(sealed, None, REPO, COMMIT).email == ""
