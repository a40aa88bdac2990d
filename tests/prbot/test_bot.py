"""The pull-request bot end to end: real git repositories, real HTTP to a GitHub-compatible
server that checks every call against GitHub's OpenAPI description, events valid against
GitHub's webhook schemas, and the real `fedreg bot pr` and `fedreg bot publish` commands.

The current directory is the default branch's checkout (trusted code and policy); the pull
request's files are fetched as git data from the fake's bare repository (`refs/pull/N/head`).
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from joserfc.jwk import OKPKey

from conftest import BASE_IDENTITY_PROVIDER, BASE_SERVICE_PROVIDER, REPO_ROOT, edited
from fakegithub import FakeGitHub
from payloads import event

SP_INTEG = "registry/integration/service-providers/demo.yaml"
SP_PROD = "registry/production/service-providers/demo.yaml"
IDP = "registry/production/identity-providers/fi-demo.yaml"
ALICE = [('  - "@demo-org/equipe"', '  - "@alice"')]
OTHER_CLIENT = [('client_id: "9f86', 'client_id: "1f86')]
CALLBACK = "  - https://demo.gouv.fr/callback\n"


class Scenario:
    """A registry repository on `main`, a fake GitHub serving its pull requests, and the bot."""

    def __init__(self, repo, github: FakeGitHub, cli, tmp: Path) -> None:
        self.repo, self.github, self.cli, self.tmp = repo, github, cli, tmp
        repo.write(SP_INTEG, edited(BASE_SERVICE_PROVIDER, [*ALICE, *OTHER_CLIENT]))
        repo.write(SP_PROD, edited(BASE_SERVICE_PROVIDER, ALICE))
        repo.write(IDP, BASE_IDENTITY_PROVIDER.replace("@demo-org/identite", "@ministere/identite"))
        repo.write("policy.yaml", (REPO_ROOT / "policy.yaml").read_text())
        repo.write(".github/workflows/ci.yml", "name: ci\non: pull_request\n")
        repo.write("bot/fedreg/__init__.py", '__version__ = "0.1.0"\n')
        repo.commit("registry")
        self.branch_count = 0
        self.publish_stderr = ""

    def propose(
        self,
        files: dict[str, str | None],
        author: str = "alice",
        number: int = 1,
        fork_owner: str | None = None,
    ) -> str:
        """Commit `files` (None deletes) on a new branch off the current head of the pull
        request (or main), open or update pull request `number`; return the head commit."""
        start = self.github.pulls[number].head_sha if number in self.github.pulls else "main"
        self.branch_count += 1
        branch = f"change-{self.branch_count}"
        self.repo.git("checkout", "-q", "-b", branch, start)
        for path, content in files.items():
            if content is None:
                self.repo.git("rm", "-q", path)
            else:
                self.repo.write(path, content)
        head = self.repo.commit(f"change {self.branch_count}")
        self.repo.git("checkout", "-q", "main")
        if number in self.github.pulls:
            self.github.push(number, head)
        else:
            self.github.open_pull(number, "main", head, author, head_owner=fork_owner)
        return head

    def pull_request_event(self, number: int = 1) -> dict:  # type: ignore[type-arg]
        pull = self.github.pulls[number]
        return event(
            "pull_request$opened",
            number=number,
            repository={"full_name": self.github.full_name},
            sender={"login": pull.author},
            pull_request={
                "number": number,
                "user": {"login": pull.author},
                "head": {"sha": pull.head_sha, "ref": pull.head_ref},
                "base": {"sha": pull.base_sha, "ref": "main"},
            },
        )

    def run(self, payload: dict | None = None) -> tuple[int, int, dict]:  # type: ignore[type-arg]
        """`fedreg bot pr` then `fedreg bot publish`: (exit codes, the computed result)."""
        event_path = self.tmp / "event.json"
        event_path.write_text(json.dumps(payload or self.pull_request_event()))
        result_path = self.tmp / "result.json"
        computed = self.cli("bot", "pr", "--event", str(event_path), "--out", str(result_path))
        if computed.exit_code != 0:
            assert "erreur interne" not in computed.stderr, computed.stderr
            return computed.exit_code, -1, {"stderr": computed.stderr}
        published = self.cli("bot", "publish", str(result_path))
        assert "erreur interne" not in published.stderr, published.stderr
        self.publish_stderr = published.stderr
        return computed.exit_code, published.exit_code, json.loads(result_path.read_text())

    def check(self) -> dict:  # type: ignore[type-arg]
        return list(self.github.check_runs.values())[-1]

    def comments(self, number: int = 1) -> list[str]:
        return [c["body"] for c in self.github.pulls[number].comments]


@pytest.fixture
def github(repo) -> Iterator[FakeGitHub]:
    server = FakeGitHub(repo.root)
    server.start()
    yield server
    server.stop()
    assert server.violations == [], "calls outside GitHub's published contract"


@pytest.fixture
def scenario(repo, github, cli, tmp_path_factory, monkeypatch) -> Scenario:
    monkeypatch.setenv("GITHUB_TOKEN", "bot-token")
    monkeypatch.setenv("GITHUB_API_URL", github.base_url)
    monkeypatch.setenv("GITHUB_REPOSITORY", github.full_name)
    monkeypatch.setenv("FEDREG_GITHUB_BACKOFF", "0.01")
    monkeypatch.setenv("FEDREG_GITHUB_REQUEST_INTERVAL", "0")
    monkeypatch.setenv("FEDREG_GITHUB_WRITE_INTERVAL", "0")
    # The pull request's git data comes from the fake's bare repository (refs/pull/N/head),
    # and the bot's cache lives in the test's own folder.
    monkeypatch.setenv("FEDREG_GIT_REMOTE", github.remote_url)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    return Scenario(repo, github, cli, tmp_path_factory.mktemp("bot"))


def _integration_edit(text: str = "  - https://demo.gouv.fr/v2/callback\n") -> str:
    return edited(BASE_SERVICE_PROVIDER, [*ALICE, *OTHER_CLIENT, (CALLBACK, CALLBACK + text)])


def test_valid_integration_change_by_an_owner_is_self_service(scenario) -> None:
    scenario.propose({SP_INTEG: _integration_edit()})
    assert scenario.run()[:2] == (0, 0)
    check = scenario.check()
    assert (check["status"], check["conclusion"], check["output"]["title"]) == (
        "completed",
        "success",
        "Valide — libre-service",
    )
    pull = scenario.github.pulls[1]
    assert pull.labels == ["env:integration", "libre-service", "risque:faible", "réseau:internet"]
    assert [r["event"] for r in pull.reviews] == ["APPROVE"]
    assert pull.requested_teams == []
    [comment] = scenario.comments()
    assert "✅ fedreg : modification valide, en libre-service" in comment
    assert f"`{SP_INTEG}` : ✓ propriétaire (@alice)" in comment
    assert "| redirect_uris | `https://demo.gouv.fr/v2/callback` |" in comment


def test_production_change_by_an_owner_needs_the_federation(scenario) -> None:
    scenario.propose(
        {
            SP_PROD: edited(BASE_SERVICE_PROVIDER, [*ALICE, (CALLBACK, "")]).replace(
                "redirect_uris:\n", "redirect_uris:\n  - https://demo.gouv.fr/cb\n"
            )
        }
    )
    assert scenario.run()[:2] == (0, 0)
    assert scenario.check()["conclusion"] == "success"
    pull = scenario.github.pulls[1]
    assert "revue-fédération-requise" in pull.labels and "libre-service" not in pull.labels
    assert "risque:élevé" in pull.labels  # a redirect URI was removed in production
    assert pull.reviews == []
    assert pull.requested_teams == ["federation"]
    assert "- changement en production" in scenario.comments()[0]


def test_change_by_a_non_owner_is_refused(scenario) -> None:
    scenario.propose({SP_INTEG: _integration_edit()}, author="mallory")
    assert scenario.run()[:2] == (0, 0)
    assert (scenario.check()["conclusion"], scenario.check()["output"]["title"]) == (
        "failure",
        "Refusé : fichiers d'autres propriétaires",
    )
    comment = scenario.comments()[0]
    assert "⛔ fedreg : modification refusée" in comment
    assert f"- `{SP_INTEG}` — propriétaires : @alice" in comment
    assert "support.partenaires@mail.proconnect.gouv.fr" in comment
    assert scenario.github.pulls[1].reviews == []


def test_owner_adding_a_co_owner_counts_only_base_owners(scenario) -> None:
    with_bob = _integration_edit().replace('  - "@alice"\n', '  - "@alice"\n  - "@bob"\n')
    scenario.propose({SP_INTEG: with_bob}, author="alice")
    scenario.run()
    assert scenario.check()["conclusion"] == "success"
    scenario.propose({SP_INTEG: with_bob}, author="bob", number=2)
    scenario.run(scenario.pull_request_event(2))
    assert scenario.check()["conclusion"] == "failure"  # bob is not an owner on main yet
    assert "@bob, vous n'êtes pas propriétaire" in scenario.comments(2)[0]


def test_team_owner_membership_is_checked_through_the_api(scenario) -> None:
    scenario.github.add_member("ministere", "identite", "carole")
    scenario.propose(
        {
            IDP: BASE_IDENTITY_PROVIDER.replace(
                "@demo-org/identite", "@ministere/identite"
            ).replace("mfa_compliant: true", "mfa_compliant: false")
        },
        author="carole",
    )
    scenario.run()
    assert scenario.check()["conclusion"] == "success"
    assert f"`{IDP}` : ✓ propriétaire (@ministere/identite)" in scenario.comments()[0]
    assert ("get", "/orgs/ministere/teams/identite/memberships/carole", 200) in (
        scenario.github.calls
    )


def test_new_provider_needs_the_federation(scenario) -> None:
    scenario.propose(
        {
            "registry/integration/service-providers/nouveau.yaml": edited(
                BASE_SERVICE_PROVIDER,
                [
                    *ALICE,
                    ('client_id: "9f86', 'client_id: "2f86'),
                    ("name: Service de", "name: Nouveau service de"),
                ],
            )
            # what deploy requires of a new service provider (I010 otherwise)
            + "secret_recipients:\n"
            "  - age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n"
        }
    )
    scenario.run()
    pull = scenario.github.pulls[1]
    assert scenario.check()["conclusion"] == "success"
    assert "revue-fédération-requise" in pull.labels
    assert "- nouveau fournisseur" in scenario.comments()[0]
    assert pull.reviews == []


def test_pull_request_touching_a_workflow_needs_the_federation(scenario) -> None:
    scenario.propose(
        {
            SP_INTEG: _integration_edit(),
            ".github/workflows/ci.yml": "name: ci\non: [pull_request, push]\n",
        }
    )
    scenario.run()
    pull = scenario.github.pulls[1]
    assert "revue-fédération-requise" in pull.labels
    assert "libre-service" not in pull.labels and pull.reviews == []
    assert "- changement hors du registre" in scenario.comments()[0]


def test_rewriting_the_bot_and_the_policy_changes_nothing(scenario) -> None:
    """The PR makes production self-service in its policy and replaces the bot's code; the
    verdict still comes from the default branch's code and policy."""
    policy = (
        (REPO_ROOT / "policy.yaml")
        .read_text()
        .replace("production_change: federation", "production_change: self_service")
        .replace("outside_registry: federation", "outside_registry: self_service")
    )
    scenario.propose(
        {
            SP_PROD: edited(BASE_SERVICE_PROVIDER, [*ALICE, ("active: true", "active: false")]),
            "policy.yaml": policy,
            "bot/fedreg/__init__.py": "raise SystemExit('approve everything')\n",
            ".github/workflows/pr.yml": "on: pull_request_target\n",
        }
    )
    assert scenario.run()[:2] == (0, 0)
    pull = scenario.github.pulls[1]
    assert pull.reviews == [] and "libre-service" not in pull.labels
    assert "revue-fédération-requise" in pull.labels
    comment = scenario.comments()[0]
    assert "- changement en production" in comment
    assert "- changement hors du registre" in comment


def test_invalid_yaml_fails_with_an_annotation(scenario) -> None:
    scenario.propose(
        {SP_INTEG: _integration_edit().replace("network: internet", "network: [internet")}
    )
    scenario.run()
    check = scenario.check()
    assert check["conclusion"] == "failure"
    assert [(a["path"], a["title"], a["annotation_level"]) for a in check["annotations"]] == [
        (SP_INTEG, "P001", "failure")
    ]
    assert "❌ fedreg : 1 erreur à corriger" in scenario.comments()[0]
    assert scenario.github.pulls[1].reviews == []


def test_120_diagnostics_are_sent_in_three_batches(scenario) -> None:
    uris = "".join(f"  - http://demo-{i}.gouv.fr/cb\n" for i in range(120))
    scenario.propose(
        {
            SP_INTEG: _integration_edit(uris).replace(
                "post_logout_redirect_uris:\n  - https://demo.gouv.fr/\n", ""
            )
        }
    )
    scenario.run()
    check = scenario.check()
    assert check["output"]["annotations_count"] == 120
    assert scenario.github.annotation_batches[-3:] == [50, 50, 20]
    assert check["conclusion"] == "failure"
    assert "… et 90 autre(s)" in scenario.comments()[0]


def test_second_push_edits_the_same_comment(scenario) -> None:
    scenario.propose({SP_INTEG: _integration_edit()})
    scenario.run()
    scenario.propose({SP_INTEG: _integration_edit("  - https://demo.gouv.fr/v3/callback\n")})
    scenario.run()
    [comment] = scenario.comments()
    assert "v3/callback" in comment
    assert len(scenario.github.check_runs) == 2


def test_verdict_change_posts_a_fresh_comment(scenario) -> None:
    scenario.propose({SP_INTEG: _integration_edit("  - http://demo.gouv.fr/bad\n")})
    scenario.run()
    scenario.propose({SP_INTEG: _integration_edit()})
    scenario.run()
    old, new = scenario.comments()
    assert "Commentaire obsolète" in old and "❌" in old
    assert "✅" in new and "obsolète" not in new
    scenario.propose({SP_INTEG: _integration_edit("  - https://demo.gouv.fr/v4\n")})
    scenario.run()
    assert len(scenario.comments()) == 2  # same verdict again: the fresh comment is edited
    assert "v4" in scenario.comments()[1]


def test_partner_comment_with_the_marker_is_not_hijacked(scenario) -> None:
    scenario.propose({SP_INTEG: _integration_edit()})
    scenario.github.pulls[1].comments.append(
        {
            "id": 1,
            "body": "<!-- fedreg:pr-bot -->\n<!-- fedreg:verdict=passed -->\nfaux",
            "user": {"login": "mallory", "type": "User"},
        }
    )
    scenario.run()
    comments = scenario.comments()
    assert comments[0].endswith("faux") and len(comments) == 2


def test_fork_pull_request_found_from_a_workflow_run(scenario) -> None:
    head = scenario.propose({SP_INTEG: _integration_edit()}, fork_owner="alice-fork")
    payload = event(
        "workflow_run$completed",
        repository={"full_name": scenario.github.full_name},
        workflow_run={
            "pull_requests": [],
            "head_sha": head,
            "head_branch": "partner-change",
            "event": "pull_request",
            "head_repository": {"owner": {"login": "alice-fork"}},
            "actor": {"login": "alice"},
            "triggering_actor": {"login": "alice"},
        },
    )
    assert scenario.run(payload)[:2] == (0, 0)
    assert scenario.check()["conclusion"] == "success"
    assert scenario.github.pulls[1].reviews  # self-service, approved


def test_stale_workflow_run_is_not_published(scenario) -> None:
    first = scenario.propose({SP_INTEG: _integration_edit()})
    scenario.propose({SP_INTEG: _integration_edit("  - http://demo.gouv.fr/bad\n")})
    payload = event(
        "workflow_run$completed",
        repository={"full_name": scenario.github.full_name},
        workflow_run={
            "pull_requests": [
                {
                    "number": 1,
                    "id": 1,
                    "url": "https://x",
                    "head": {
                        "ref": "x",
                        "sha": first,
                        "repo": {"id": 1, "name": "r", "url": "https://x"},
                    },
                    "base": {
                        "ref": "main",
                        "sha": first,
                        "repo": {"id": 1, "name": "r", "url": "https://x"},
                    },
                }
            ],
            "head_sha": first,
        },
    )
    code, _, result = scenario.run(payload)
    assert code == 1 and "son propre workflow la vérifiera" in result["stderr"]
    assert scenario.github.check_runs == {}


def test_symlink_in_the_registry_is_refused(scenario) -> None:
    scenario.repo.git("checkout", "-q", "-b", "link", "main")
    (scenario.repo.root / "registry/integration/service-providers/lien.yaml").symlink_to(
        "/etc/passwd"
    )
    head = scenario.repo.commit("symlink")
    scenario.repo.git("checkout", "-q", "main")
    scenario.github.open_pull(1, "main", head, "alice")
    scenario.run()
    check = scenario.check()
    assert check["conclusion"] == "failure"
    assert [a["title"] for a in check["annotations"]] == ["L004"]


def test_server_error_then_success_is_retried(scenario) -> None:
    scenario.propose({SP_INTEG: _integration_edit()})
    scenario.github.fail("post", r"/issues/1/comments$", 502, "Server Error")
    assert scenario.run()[:2] == (0, 0)
    statuses = [
        s for m, p, s in scenario.github.calls if m == "post" and p.endswith("/issues/1/comments")
    ]
    assert statuses == [502, 201]
    assert len(scenario.comments()) == 1 and scenario.check()["conclusion"] == "success"


def test_secondary_rate_limit_waits_for_retry_after(scenario) -> None:
    scenario.propose({SP_INTEG: _integration_edit()})
    scenario.github.fail(
        "get",
        r"/pulls/1$",
        403,
        "You have exceeded a secondary rate limit.",
        headers={"Retry-After": "1"},
    )
    assert scenario.run()[:2] == (0, 0)
    statuses = [s for m, p, s in scenario.github.calls if p.endswith("/pulls/1")]
    assert statuses[:2] == [403, 200]


def test_persistent_failure_never_leaves_a_misleading_success(scenario) -> None:
    scenario.propose({SP_INTEG: _integration_edit()})
    scenario.github.fail("post", r"/issues/1/labels$", 503, "Unavailable", count=10)
    computed, published, _ = scenario.run()
    assert (computed, published) == (0, 1)
    assert "étiquettes : injoignable ou en erreur après plusieurs essais" in (
        scenario.publish_stderr
    )
    check = scenario.check()
    assert (check["conclusion"], check["output"]["title"]) == ("failure", "Publication incomplète")
    assert scenario.github.pulls[1].reviews == []


def test_bad_token_is_a_clear_error(scenario, monkeypatch) -> None:
    scenario.propose({SP_INTEG: _integration_edit()})
    monkeypatch.setenv("GITHUB_TOKEN", "wrong")
    code, _, result = scenario.run()
    assert code == 1
    assert "jeton refusé (401) : vérifiez GITHUB_TOKEN" in result["stderr"]
    assert "Traceback" not in result["stderr"]


def test_dry_run_without_github(repo, cli) -> None:
    repo.write(SP_INTEG, edited(BASE_SERVICE_PROVIDER, [*ALICE, *OTHER_CLIENT]))
    repo.commit("registry")
    repo.write(SP_INTEG, _integration_edit("  - http://demo.gouv.fr/bad\n"))
    result = cli("bot", "pr", "--dry-run", "--author", "alice")
    assert result.exit_code == 1
    assert result.stdout.startswith("### ❌ fedreg : 1 erreur à corriger")
    assert f"::error file={SP_INTEG},line=13,col=5,title=U011::" in result.stdout
    repo.write(SP_INTEG, _integration_edit())
    result = cli("bot", "pr", "--dry-run", "--author", "alice", "--base", "main")
    assert result.exit_code == 0
    assert "✓ propriétaire (@alice)" in result.stdout
    repo.write(SP_INTEG, _integration_edit().replace('"@alice"', '"@demo-org/equipe"'))
    repo.commit("team owner")
    repo.write(
        SP_INTEG,
        _integration_edit("  - https://demo.gouv.fr/v9\n").replace(
            '"@alice"', '"@demo-org/equipe"'
        ),
    )
    result = cli("bot", "pr", "--dry-run", "--author", "alice", "--base", "main")
    assert "fedreg l'approuvera sur la demande de fusion" in result.stdout
    assert "non vérifié hors ligne (propriétaires : @demo-org/equipe)" in result.stdout


def test_unknown_pull_request_is_a_clear_error(scenario) -> None:
    scenario.propose({SP_INTEG: _integration_edit()})
    payload = scenario.pull_request_event()
    payload["pull_request"]["number"] = payload["number"] = 99
    code, _, result = scenario.run(payload)
    assert code == 1
    assert "introuvable (404) : vérifiez GITHUB_REPOSITORY" in result["stderr"]


def test_forbidden_publication_is_a_clear_error(scenario) -> None:
    scenario.propose({SP_INTEG: _integration_edit()})
    scenario.github.fail("post", r"/check-runs$", 403, "Resource not accessible by integration")
    computed, published, _ = scenario.run()
    assert (computed, published) == (0, 1)
    assert "création du check run : accès interdit (403)" in scenario.publish_stderr
    assert scenario.comments() == [] and scenario.github.pulls[1].reviews == []


IDP_INTEG_HOLDER = "registry/integration/identity-providers/fi-demo.yaml"
IDP_INTEG_ALICE = "registry/integration/identity-providers/fi-alice.yaml"
ALICE_IDP = edited(
    BASE_IDENTITY_PROVIDER,
    [
        ('  - "@demo-org/identite"', '  - "@alice"'),
        ("uid: 5f0c3b9e", "uid: 6f0c3b9e"),
        ("name: fi-demo", "name: fi-alice"),
        ("  - demo.gouv.fr\n", "  - alice.gouv.fr\n"),
    ],
)


@pytest.mark.parametrize(("domain", "shared"), [("demo.gouv.fr", True), ("neuf.gouv.fr", False)])
def test_attaching_a_domain_another_fi_routes_needs_the_federation(
    scenario, domain: str, shared: bool
) -> None:
    """Any new domain needs the federation (a new FI in front of its agents); one that another
    FI already routes says so, naming the other file."""
    scenario.repo.write(IDP_INTEG_HOLDER, BASE_IDENTITY_PROVIDER)
    scenario.repo.write(IDP_INTEG_ALICE, ALICE_IDP)
    scenario.repo.commit("two integration FIs")
    scenario.propose(
        {
            IDP_INTEG_ALICE: ALICE_IDP.replace(
                "  - alice.gouv.fr\n", f"  - alice.gouv.fr\n  - {domain}\n"
            )
        }
    )
    assert scenario.run()[:2] == (0, 0)
    pull = scenario.github.pulls[1]
    [comment] = scenario.comments()
    assert "revue-fédération-requise" in pull.labels and "libre-service" not in pull.labels
    assert pull.reviews == [] and pull.requested_teams == ["federation"]
    assert "nouveau domaine e-mail routé vers un FI" in comment
    if not shared:
        assert "déjà rattaché" not in comment
    else:
        assert (
            "- domaine déjà rattaché à un autre FI : ses agents devront choisir leur "
            "fournisseur d'identité"
        ) in comment
        assert f"demo.gouv.fr ({IDP_INTEG_HOLDER})" in comment


# -- requests from the partner space (fedreg propose, authored by its GitHub App) ------------

APP = {"login": "proconnect-espace-partenaires[bot]", "type": "Bot"}
INTEG_CLIENT_ID = "1f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def _partner_space_key(scenario, monkeypatch) -> bytes:
    """The partner space's key pair: the public key in main's policy, the private one in the
    environment `fedreg propose` reads."""
    key = OKPKey.generate_key("Ed25519")
    public = textwrap.indent(key.as_pem(private=False).decode(), "  ")
    policy = (REPO_ROOT / "policy.yaml").read_text() + f"partner_space_key: |\n{public}"
    scenario.repo.write("policy.yaml", policy)
    scenario.repo.commit("the partner space's key")
    private = key.as_pem(private=True)
    monkeypatch.setenv("FEDREG_REQUESTER_SIGNING_KEY", private.decode())
    return private


FORM_FI = "5f0c3b9e-2b8e-4a57-9a3e-0d6f1c2b7a11"  # the FI that asserted the requester


def _form_request(scenario, monkeypatch, requester: str, idp_id: str = FORM_FI) -> None:
    """The partner space opens a pull request for `requester`'s verified e-mail, bound to the
    FI `idp_id` ("": to none)."""
    _partner_space_key(scenario, monkeypatch)
    # The partner space reads main's tip from the repository GitHub holds.
    monkeypatch.setenv("FEDREG_GIT_REMOTE", str(scenario.repo.root))
    scenario.github.tokens["app-token"] = APP
    monkeypatch.setenv("GITHUB_TOKEN", "app-token")
    result = scenario.cli(
        "propose",
        "--env",
        "integration",
        "--network",
        "internet",
        "--client-id",
        INTEG_CLIENT_ID,
        "--requester",
        requester,
        "--requester-verified",
        "--requester-idp",
        idp_id,
        "--redirect-uri",
        "https://demo.gouv.fr/callback",
        "--redirect-uri",
        "https://demo.gouv.fr/v2/callback",
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    monkeypatch.setenv("FEDREG_GIT_REMOTE", scenario.github.remote_url)
    monkeypatch.setenv("GITHUB_TOKEN", "bot-token")
    assert scenario.github.pulls[1].author == APP["login"]


def test_partner_space_request_by_a_contact_is_self_service(scenario, monkeypatch) -> None:
    _form_request(scenario, monkeypatch, "Equipe@demo.gouv.fr")
    assert scenario.run()[:2] == (0, 0)
    pull = scenario.github.pulls[1]
    assert "libre-service" in pull.labels and "revue-fédération-requise" not in pull.labels
    assert [r["event"] for r in pull.reviews] == ["APPROVE"]
    [comment] = scenario.comments()
    assert "✅ fedreg : modification valide, en libre-service" in comment
    assert (
        "Demande de l'espace partenaires au nom de equipe@demo.gouv.fr (adresse vérifiée par "
        "ProConnect), contact des fichiers : elle compte comme celle d'un propriétaire."
    ) in comment
    assert f"`{SP_INTEG}` : ✓ contact du fichier (equipe@demo.gouv.fr)" in comment


def test_partner_space_request_without_a_bound_fi_goes_to_the_federation(
    scenario, monkeypatch
) -> None:
    """Issue 23: a contact's e-mail that the partner space did not bind to the FI that asserted
    it is sealed without an FI; the bot refuses it self-service."""
    _form_request(scenario, monkeypatch, "equipe@demo.gouv.fr", idp_id="")
    assert scenario.run()[:2] == (0, 0)
    pull = scenario.github.pulls[1]
    assert "revue-fédération-requise" in pull.labels and "libre-service" not in pull.labels
    assert pull.reviews == []
    [comment] = scenario.comments()
    assert "sans fournisseur d'identité lié" in comment and "✓ contact du fichier" not in comment


def test_partner_space_request_by_someone_else_goes_to_the_federation(
    scenario, monkeypatch
) -> None:
    _form_request(scenario, monkeypatch, "inconnu@demo.gouv.fr")
    assert scenario.run()[:2] == (0, 0)
    pull = scenario.github.pulls[1]
    assert scenario.check()["conclusion"] == "success"
    assert "revue-fédération-requise" in pull.labels and "libre-service" not in pull.labels
    assert pull.reviews == [] and pull.requested_teams == ["federation"]
    [comment] = scenario.comments()
    assert "revue de la fédération requise" in comment
    assert "n'est pas dans les contacts de" in comment and "inconnu@demo.gouv.fr" in comment
    assert "par une personne qui n'est pas contact du fichier" in comment


def test_a_requester_claim_from_any_other_author_is_ignored(scenario) -> None:
    scenario.propose({SP_INTEG: _integration_edit()}, author="mallory")
    scenario.github.pulls[1].body = "<!-- fedreg:demandeur=equipe@demo.gouv.fr -->\nBonjour\n"
    scenario.run()
    pull = scenario.github.pulls[1]
    assert pull.reviews == [] and "libre-service" not in pull.labels
    [comment] = scenario.comments()
    assert "⛔ fedreg : modification refusée" in comment
    assert "Demandeur déclaré ignoré" in comment
    assert "contact du fichier" not in comment


def test_partner_space_request_by_a_contact_in_production_goes_to_the_federation(
    scenario, monkeypatch
) -> None:
    _partner_space_key(scenario, monkeypatch)
    monkeypatch.setenv("FEDREG_GIT_REMOTE", str(scenario.repo.root))
    scenario.github.tokens["app-token"] = APP
    monkeypatch.setenv("GITHUB_TOKEN", "app-token")
    result = scenario.cli(
        "propose",
        "--env",
        "production",
        "--network",
        "internet",
        "--client-id",
        "9f86" + INTEG_CLIENT_ID[4:],
        "--requester",
        "equipe@demo.gouv.fr",
        "--requester-verified",
        "--requester-idp",
        FORM_FI,
        "--ip-range",
        "145.242.17.0/29",
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    monkeypatch.setenv("FEDREG_GIT_REMOTE", scenario.github.remote_url)
    monkeypatch.setenv("GITHUB_TOKEN", "bot-token")
    assert scenario.run()[:2] == (0, 0)
    pull = scenario.github.pulls[1]
    assert pull.reviews == [] and "revue-fédération-requise" in pull.labels
    [comment] = scenario.comments()
    assert f"`{SP_PROD}` : ✓ contact du fichier (equipe@demo.gouv.fr)" in comment
    assert "- changement en production" in comment


def test_a_push_after_the_partner_space_request_voids_its_requester(scenario, monkeypatch) -> None:
    """Issue 23's attack: the branch moves after the partner space sealed its requester; the
    body still carries the seal, which now names another commit."""
    _form_request(scenario, monkeypatch, "equipe@demo.gouv.fr")
    sealed_body = scenario.github.pulls[1].body
    scenario.propose(
        {SP_INTEG: _integration_edit("  - https://mallory.example/cb\n")},
        author=APP["login"],
    )
    assert scenario.github.pulls[1].body == sealed_body
    scenario.run()
    pull = scenario.github.pulls[1]
    assert pull.reviews == [] and "libre-service" not in pull.labels
    [comment] = scenario.comments()
    assert "autre commit" in comment and "✓ contact du fichier" not in comment
    assert "revue de la fédération requise" in comment
