"""A self-contained repository and its guides: links stay inside the repository, nothing refers
to reference material beside it, the guides answer a new partner's questions with commands
that fedreg really accepts, and `fedreg new` points to them."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest

from conftest import REPO_ROOT, _outside_repository
from fedreg.authoring.scaffold import GUIDE_BY_KIND, NewProvider, render_skeleton
from fedreg.cli import build_parser
from fedreg.registry.models import IDENTITY_PROVIDER, SERVICE_PROVIDER
from fedreg.registry.policy import DEFAULT_POLICY

GUIDES = {
    "fs": REPO_ROOT / "docs/guide-fs.md",
    "fi": REPO_ROOT / "docs/guide-fi.md",
    "operators": REPO_ROOT / "docs/guide-operateurs.md",
    "migration": REPO_ROOT / "docs/migration.md",
}
# Written by another branch (the live checks of an identity provider); linked from here.
PENDING_FROM_OTHER_BRANCHES = {REPO_ROOT / "docs/recette.md"}


def _tracked_text_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    files = []
    for name in filter(None, listed):
        path = REPO_ROOT / name
        if path.suffix in {".py", ".md", ".yml", ".yaml", ".toml", ".txt", ""} and path.is_file():
            files.append(path)
    return files


def test_nothing_refers_to_material_beside_the_repository() -> None:
    beside = re.compile(r"\.\./" + "shared" + "|/work/" + "shared")  # split: not a hit here
    offenders = [
        str(path.relative_to(REPO_ROOT))
        for path in _tracked_text_files()
        if beside.search(path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert offenders == []


def test_the_read_guard_tells_inside_from_beside() -> None:
    assert _outside_repository(str(REPO_ROOT.parent / "shared" / "reference" / "partners.md"))
    assert _outside_repository("/srv/shared/github-api/rest-subset.json")
    assert not _outside_repository(str(REPO_ROOT / "tests/data/github-api/rest-subset.json"))


def _markdown_files() -> list[Path]:
    return [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").rglob("*.md"))]


def test_every_markdown_link_is_a_file_of_the_repository() -> None:
    broken = []
    for page in _markdown_files():
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if re.match(r"^[a-z]+:", target):
                continue  # an external address
            resolved = (page.parent / target).resolve()
            inside = resolved.is_relative_to(REPO_ROOT.resolve())
            if not inside or not (resolved.exists() or resolved in PENDING_FROM_OTHER_BRANCHES):
                broken.append(f"{page.name}: {target}")
    assert broken == []


def _commands(text: str) -> list[str]:
    """Every `fedreg …` command of a page's code blocks, continuation lines joined."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split(" # ")[0].strip()
            if line.startswith("fedreg "):
                commands.append(line)
    return commands


@pytest.mark.parametrize("guide", sorted(GUIDES))
def test_guide_commands_are_accepted_by_fedreg(guide: str) -> None:
    commands = _commands(GUIDES[guide].read_text(encoding="utf-8"))
    assert commands
    parser = build_parser()
    for command in commands:
        words = shlex.split(command)
        if words[1:] == ["--version"]:
            continue
        # The shell expands "$MONGODB_URI" and the like before fedreg sees them.
        expanded = ["mongodb://exemple:27017/base" if w.startswith("$") else w for w in words]
        parser.parse_args(expanded[1:])  # exits (fails the test) on an unknown command or option


@pytest.mark.parametrize("guide", ["fs", "fi"])
def test_partner_guides_give_the_journey_commands(guide: str) -> None:
    text = GUIDES[guide].read_text(encoding="utf-8")
    commands = " | ".join(_commands(text))
    kind = "service-provider" if guide == "fs" else "identity-provider"
    for expected in (
        f"fedreg new {kind}",
        "fedreg validate",
        "fedreg diff --base origin/main",
        "fedreg bot pr --dry-run",
    ):
        assert expected in commands, expected
    assert "--env integration" in commands and "--env production" in commands


# What a new partner had to ask the federation team (issue #13, point 6), and the facts of the
# answer each guide must hold.
FS_ANSWERS = {
    "where the secret arrives and how to make an age key": [
        "age-keygen -o",
        "secret_recipients:",
        "secrets-<déploiement>-<commit>",
        "age -d -i",
    ],
    "outbound IPs per deployment": [
        "145.242.17.174, 185.24.185.31",
        "145.242.17.167, 185.24.185.30",
        "100.67.22.110, 100.67.23.114",
        "100.67.22.39, 100.67.23.118",
    ],
    "whether to generate the client_id": ["un **`client_id` neuf**", "ne le\n  modifiez jamais"],
    "DataPass timing": ["DataPass", "5 jours ouvrés"],
}
FI_ANSWERS = {
    "the federation's age key": [
        "federation_age_recipients",
        "age -a -r",
        "client_secret_age:",
        "client_secret_age_recipient:",
    ],
    "who turns the flags on": [
        "`active: true`",
        "`routing_enabled: true`",
        "`mfa_compliant: true`",
    ],
    "callback URLs": ["/api/v2/oidc-callback", "/api/v2/client/logout-callback"],
    "inbound IPs per deployment": [
        "145.242.17.166, 185.24.185.245",
        "145.242.17.181, 185.24.185.32",
        "100.67.22.47, 100.67.23.109",
        "100.67.22.95, 100.67.23.13",
    ],
    "Hybridge: two files": ["**deux fichiers**", "uses_hybridge: true"],
    "whether to generate the uid": ["**ne le générez pas vous-même et ne le changez jamais**"],
    "DataPass and acceptance timing": [
        "DataPass",
        "visio de recettage",
        "[recette.md](recette.md)",
    ],
}


@pytest.mark.parametrize(
    ("guide", "question", "facts"),
    [("fs", q, f) for q, f in FS_ANSWERS.items()] + [("fi", q, f) for q, f in FI_ANSWERS.items()],
)
def test_partner_guides_answer_the_questions(guide: str, question: str, facts: list[str]) -> None:
    text = GUIDES[guide].read_text(encoding="utf-8")
    for fact in facts:
        assert fact in text, f"{guide}: {question}: {fact!r}"


@pytest.mark.parametrize("guide", ["fs", "fi"])
def test_partner_guides_name_every_federation_host_of_the_policy(guide: str) -> None:
    text = GUIDES[guide].read_text(encoding="utf-8")
    for host in DEFAULT_POLICY.federation_hosts:
        assert host in text, host


def test_readme_links_the_guides() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    for path in GUIDES.values():
        assert f"({path.relative_to(REPO_ROOT).as_posix()})" in readme


@pytest.mark.parametrize("kind", [SERVICE_PROVIDER, IDENTITY_PROVIDER])
def test_new_skeletons_point_to_their_guide(kind: str) -> None:
    spec = NewProvider(kind, "integration", "internet", "demo", "Démo", ("@o/t",), ("a@b.fr",))
    text = render_skeleton(spec)
    assert GUIDE_BY_KIND[kind] in text.split("\n")[1]
    assert (REPO_ROOT / GUIDE_BY_KIND[kind]).is_file()


def test_the_fi_guides_secret_step_works_as_written(workspace, cli) -> None:
    """Section 5 of the FI guide, followed literally: the environment's key from policy.yaml
    (found with the guide's grep), the secret sealed with age, the key named in the file."""
    import pyrage
    from pyrage import x25519

    from conftest import BASE_IDENTITY_PROVIDER

    keys = {env: x25519.Identity.generate().to_public() for env in ("integration", "production")}
    policy = (REPO_ROOT / "policy.yaml").read_text(encoding="utf-8")
    policy = policy.replace("  integration: null", f"  integration: {keys['integration']}")
    policy = policy.replace("  production: null", f"  production: {keys['production']}")
    workspace.write("policy.yaml", policy)
    [grep] = [c for c in re.findall(r"^grep .*$", GUIDES["fi"].read_text(), re.M)]
    found = subprocess.run(
        shlex.split(grep.split("  #")[0]), cwd=workspace.root, capture_output=True, text=True
    ).stdout
    [line] = [line for line in found.splitlines() if line.strip().startswith("integration:")]
    recipient = line.split(":", 1)[1].strip()
    assert recipient == str(keys["integration"])
    sealed = pyrage.encrypt(b"secret-du-fi", [x25519.Recipient.from_str(recipient)], armored=True)
    block = "".join(f"  {row}\n" for row in sealed.decode().splitlines())
    path = "registry/integration/identity-providers/fi-demo.yaml"
    for declared, expected in ((recipient, set()), (str(keys["production"]), {"I015"})):
        workspace.write(
            path,
            BASE_IDENTITY_PROVIDER
            + f"client_secret_age_recipient: {declared}\nclient_secret_age: |\n{block}",
        )
        report = cli("validate", "--format", "json").json()
        assert {d["code"] for d in report["diagnostics"]} == expected, report
