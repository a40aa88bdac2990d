"""The deploy plan compares values as the core reads them: what differs only in form is no
change, writes nothing and counts toward no threshold; a real change still shows."""

from __future__ import annotations

from typing import Any

from fedreg.deploy.plan import PROVENANCE_FIELD, ChangeLimits, DeployAction, plan_deploy

DEPLOYMENT = "production-internet"
LIMITS = ChangeLimits(max_updates=10, max_deactivations=3, max_share=0.1, min_records_for_share=10)


def client(index: int, **fields: Any) -> dict[str, Any]:
    return {
        "key": f"{index:064x}",
        "name": f"Service {index}",
        "active": True,
        "redirect_uris": [f"https://s{index}.gouv.fr/a", f"https://s{index}.gouv.fr/b"],
        "post_logout_redirect_uris": [f"https://s{index}.gouv.fr/"],
        "scopes": ["email", "openid", "uid"],
        "id_token_signed_response_alg": "ES256",
        "userinfo_signed_response_alg": "ES256",
        "type": "public",
        "collaborators": [f"equipe{index}@gouv.fr"],
        **fields,
    }


def provider(**fields: Any) -> dict[str, Any]:
    return {
        "uid": "5f0c3b9e-2b8e-4a57-9a3e-0d6f1c2b7a11",
        "name": "fi-demo",
        "title": "FI",
        "active": True,
        "discovery": True,
        "discoveryUrl": "https://auth.demo.gouv.fr/.well-known/openid-configuration",
        "attachedEmailDomains": ["a.gouv.fr", "b.gouv.fr"],
        "id_token_encrypted_response_alg": "",
        "id_token_encrypted_response_enc": "",
        **fields,
    }


def manifest(clients: list[dict[str, Any]], providers: list[dict[str, Any]]) -> Any:
    return {
        "deployment": DEPLOYMENT,
        "client": clients,
        "provider": providers,
        "sealed_secrets": {},
        "secret_recipients": {},
    }


def managed(document: dict[str, Any], **changes: Any) -> dict[str, Any]:
    live = {**document, PROVENANCE_FIELD: DEPLOYMENT, **changes}
    return {k: v for k, v in live.items() if v is not _ABSENT}


_ABSENT = object()


def test_differences_in_form_only_are_no_change_and_no_threshold() -> None:
    clients = [client(i) for i in range(20)]
    live_clients = [
        managed(
            c,
            scopes=list(reversed(c["scopes"])),
            redirect_uris=list(reversed(c["redirect_uris"])),
            introspection_signed_response_alg=None,
            collaborators=_ABSENT,
            email="\n".join(c["collaborators"]) + "\n",
        )
        for c in clients
    ]
    wanted_provider = provider()
    live_provider = managed(
        wanted_provider,
        attachedEmailDomains=["b.gouv.fr", "a.gouv.fr", "a.gouv.fr"],
        id_token_encrypted_response_alg=_ABSENT,
        id_token_encrypted_response_enc=None,
        title="FI",
    )
    plan = plan_deploy(
        manifest(clients, [wanted_provider]),
        {"client": live_clients, "provider": [live_provider]},
    )
    assert plan.effective == ()
    assert plan.summary["unchanged"] == 21
    assert plan.threshold_breaches(LIMITS) == []


def test_a_real_change_shows_and_counts() -> None:
    clients = [client(i) for i in range(20)]
    live = [managed(c, scopes=["openid", "email"]) for c in clients]  # uid missing: real
    plan = plan_deploy(manifest(clients, []), {"client": live, "provider": []})
    assert plan.count(DeployAction.UPDATE) == 20
    assert [f.field for f in plan.effective[0].fields] == ["scopes"]
    assert plan.threshold_breaches(LIMITS)


def test_an_empty_url_is_a_value_to_remove_not_an_absence() -> None:
    """ "" breaks the core's URL check (endSessionURL is @IsOptional @Matches): unlike an
    empty encryption setting, it is removed."""
    wanted = provider()
    live = managed(wanted, endSessionURL="")
    [change] = plan_deploy(manifest([], [wanted]), {"client": [], "provider": [live]}).changes
    assert change.action is DeployAction.UPDATE and change.unset == ("endSessionURL",)
    live = managed(wanted, endSessionURL=None)
    [change] = plan_deploy(manifest([], [wanted]), {"client": [], "provider": [live]}).changes
    assert change.action is DeployAction.UNCHANGED


def test_a_changed_encryption_setting_is_a_change() -> None:
    wanted = provider()
    live = managed(wanted, id_token_encrypted_response_alg="RSA-OAEP")
    [change] = plan_deploy(manifest([], [wanted]), {"client": [], "provider": [live]}).changes
    assert [f.field for f in change.fields] == ["id_token_encrypted_response_alg"]
