"""`fedreg fmt`: one style, comments and key order kept, idempotent, never a change of meaning;
the example registry is already in that style."""

from __future__ import annotations

import os

import pytest

from conftest import BASE_IDENTITY_PROVIDER, BASE_SERVICE_PROVIDER, EXAMPLES
from fedreg.authoring.formatting import NotFormattable, format_text
from fedreg.registry.snapshot import worktree_paths
from fedreg.registry.yamlload import load_fast

MESSY = """\
# yaml-language-server: $schema=../../../schemas/service-provider.production.schema.json
# Notre service (commentaire gardé)
kind:   ServiceProvider
name: 'Service de démonstration'   # le nom affiché
network: "internet"
client_id: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
owners: ['@demo-org/equipe']
contacts:
- equipe@demo.gouv.fr

siret: 13002526500013
redirect_uris:
    -   https://demo.gouv.fr/callback   # la principale
    - 'https://demo.gouv.fr/autre'
scopes:
  - openid
  - email
id_token_signed_response_alg: ES256  \t
userinfo_signed_response_alg: ES256
accepts_private_sector: false
name_en_chiffres: '2024'
"""

TIDY = """\
# yaml-language-server: $schema=../../../schemas/service-provider.production.schema.json
# Notre service (commentaire gardé)
kind: ServiceProvider
name: Service de démonstration     # le nom affiché
network: internet
client_id: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
owners:
  - "@demo-org/equipe"
contacts:
  - equipe@demo.gouv.fr

siret: "13002526500013"
redirect_uris:
  - https://demo.gouv.fr/callback       # la principale
  - https://demo.gouv.fr/autre
scopes: [openid, email]
id_token_signed_response_alg: ES256
userinfo_signed_response_alg: ES256
accepts_private_sector: false
name_en_chiffres: "2024"
"""


def test_a_messy_file_takes_the_registry_style() -> None:
    assert format_text(MESSY) == TIDY
    assert load_fast(TIDY) == load_fast(MESSY)  # what fedreg reads is unchanged


def test_formatting_twice_changes_nothing() -> None:
    for text in (MESSY, BASE_SERVICE_PROVIDER, BASE_IDENTITY_PROVIDER):
        once = format_text(text)
        assert format_text(once) == once


def test_every_example_registry_file_is_already_formatted() -> None:
    paths = worktree_paths([EXAMPLES / "registry"])
    assert len(paths) == 17
    unformatted = [p.name for p in paths if format_text(p.read_text("utf-8")) != p.read_text()]
    assert unformatted == []


def test_text_that_reads_as_another_type_stays_quoted() -> None:
    text = 'kind: ServiceProvider\nactive: "true"\nname: "null"\nsiret: "00012"\nx: "1.5"\n'
    assert format_text(text) == text


def test_item_comments_keep_a_list_on_several_lines() -> None:
    text = "kind: ServiceProvider\nscopes:\n  - openid # toujours\n  - email\n"
    assert format_text(text) == text


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("kind: ServiceProvider\nname: a\nname: b\n", "P002"),
        ("kind: ServiceProvider\nredirect_uris:\n\t- https://a.fr/cb\n", "P001"),
        ("kind: !!str ServiceProvider\n", "P003"),
        ("a: &x 1\nb: *x\n", "P004"),
    ],
)
def test_a_file_fedreg_cannot_read_is_refused_with_its_diagnostic(text, code) -> None:
    with pytest.raises(NotFormattable) as refused:
        format_text(text)
    assert code in {finding.code for finding in refused.value.findings}


def test_fmt_check_reports_and_writes_nothing(workspace, cli) -> None:
    messy = workspace.provider("sp", MESSY)
    tidy = workspace.provider("idp", BASE_IDENTITY_PROVIDER)
    result = cli("fmt", "--check")
    assert result.exit_code == 1
    assert result.stdout == "à reformater : registry/production/service-providers/demo.yaml\n"
    assert "1 fichier à reformater, 1 déjà au format." in result.stderr
    assert messy.read_text(encoding="utf-8") == MESSY
    assert tidy.read_text(encoding="utf-8") == BASE_IDENTITY_PROVIDER


def test_fmt_rewrites_then_check_passes(workspace, cli) -> None:
    messy = workspace.provider("sp", MESSY)
    result = cli("fmt")
    assert result.exit_code == 0, result.stderr
    assert messy.read_text(encoding="utf-8") == TIDY
    assert cli("fmt", "--check").exit_code == 0
    assert cli("validate").exit_code == 1  # name_en_chiffres: fmt does not validate


def test_fmt_leaves_an_unreadable_file_alone_and_says_where(workspace, cli) -> None:
    broken = "kind: ServiceProvider\nname: a\nname: b\n"
    path = workspace.provider("sp", broken)
    other = workspace.provider("sp", MESSY, slug="autre")
    result = cli("fmt")
    assert result.exit_code == 1
    assert "registry/production/service-providers/demo.yaml:3:1: P002" in result.stdout
    assert path.read_text(encoding="utf-8") == broken
    assert other.read_text(encoding="utf-8") == TIDY


def test_fmt_never_follows_a_link(workspace, cli, tmp_path) -> None:
    outside = tmp_path / "ailleurs.yaml"
    outside.write_text(MESSY, encoding="utf-8")
    link = workspace.root / "registry/production/service-providers/lien.yaml"
    link.parent.mkdir(parents=True)
    os.symlink(outside, link)
    result = cli("fmt")
    assert result.exit_code == 0
    assert outside.read_text(encoding="utf-8") == MESSY and link.is_symlink()


def test_fmt_on_a_missing_path_is_a_usage_error(workspace, cli) -> None:
    assert cli("fmt", "absent.yaml").exit_code == 2


def test_fmt_keeps_a_file_mode(workspace, cli) -> None:
    messy = workspace.provider("sp", MESSY)
    messy.chmod(0o755)
    assert cli("fmt").exit_code == 0
    assert messy.read_text(encoding="utf-8") == TIDY and messy.stat().st_mode & 0o777 == 0o755
