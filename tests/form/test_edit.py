"""Round-trip edits and the modification form's semantics: `fedreg edit` on real files.

Every byte outside the changed keys is kept, on every file of the example registry; a list
given replaces the old one, an empty one leaves it unchanged, a wildcard is refused; an
invalid result writes nothing and is reported at its position in the new content.
"""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from conftest import BASE_IDENTITY_PROVIDER, BASE_SERVICE_PROVIDER, EXAMPLES, REPO_ROOT, edited
from fedreg.authoring.roundtrip import NotRoundTrippable, dump_new, load_roundtrip, replace_lists
from fedreg.form.editing import FILE_KEY_BY_KIND, INSERT_AFTER
from fedreg.registry.yamlload import load_fast, load_located

SP = "registry/production/service-providers/demo.yaml"
IDP = "registry/production/identity-providers/fi-demo.yaml"
CLIENT_ID = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
UID = "5f0c3b9e-2b8e-4a57-9a3e-0d6f1c2b7a11"
EXAMPLE_FILES = sorted((EXAMPLES / "registry").rglob("*.yaml"))
COMMENTED_SP = edited(
    BASE_SERVICE_PROVIDER,
    [
        (
            "kind: ServiceProvider\n",
            "# yaml-language-server: $schema=x.json\nkind: ServiceProvider\n",
        ),
        ("  - https://demo.gouv.fr/callback\n", "  - https://demo.gouv.fr/callback  # v1\n"),
        ("post_logout_redirect_uris:\n", "\n# après déconnexion\npost_logout_redirect_uris:\n"),
        ('siret: "13002526500013"', "siret: '13002526500013'  # Insee"),
    ],
)


def _block(lines: list[str], key: str) -> range:
    """Line indexes of `key` and its value (a block list or a flow list)."""
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
    end = start + 1
    while end < len(lines) and lines[end].startswith((" ", "-")):
        end += 1
    return range(start, end)


def _changed_lines(before: str, after: str) -> tuple[set[int], set[int]]:
    old, new = before.splitlines(), after.splitlines()
    removed: set[int] = set()
    added: set[int] = set()
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new).get_opcodes():
        if tag != "equal":
            removed.update(range(i1, i2))
            added.update(range(j1, j2))
    return removed, added


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=[p.name for p in EXAMPLE_FILES])
def test_round_trip_keeps_every_byte_outside_the_changed_keys(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    load_roundtrip(text)  # unchanged, it gives back the same bytes (or raises)
    kind = "ServiceProvider" if "service-providers" in path.parts else "IdentityProvider"
    keys = list(FILE_KEY_BY_KIND[kind].values())
    for key in keys:
        after = replace_lists(text, {key: ["new-value-1", "new-value-2"]}, INSERT_AFTER)
        removed, added = _changed_lines(text, after)
        new_lines = after.splitlines()
        assert added <= set(_block(new_lines, key)), (key, after)
        if f"\n{key}:" in "\n" + text:
            assert removed <= set(_block(text.splitlines(), key))
        else:
            assert removed == set()
        kept = [line for i, line in enumerate(new_lines) if i not in _block(new_lines, key)]
        old_lines = text.splitlines()
        old_kept = (
            [line for i, line in enumerate(old_lines) if i not in _block(old_lines, key)]
            if f"\n{key}:" in "\n" + text
            else old_lines
        )
        assert kept == old_kept
        assert "new-value-1" in after and after.endswith("\n")


def test_round_trip_keeps_indentation_style_comments_and_quotes() -> None:
    text = '# tête\nkey: \'a\'  # garde\nlist:\n- "x"  # premier\n- "y"\n\n# suivant\nnext: b\n'
    after = replace_lists(text, {"list": ["y", "z"]})
    assert after == '# tête\nkey: \'a\'  # garde\nlist:\n- "y"\n- "z"\n\n# suivant\nnext: b\n'


def test_a_file_that_would_be_rewritten_is_refused() -> None:
    with pytest.raises(NotRoundTrippable):
        replace_lists("list: [ a,   b ]\nnext: c\n", {"list": ["d"]})


def _edit(cli, *args: str):
    return cli("edit", "--env", "production", "--network", "internet", *args)


def test_edit_replaces_the_list_wholesale_and_leaves_empty_fields_unchanged(workspace, cli) -> None:
    path = workspace.provider("sp", COMMENTED_SP)
    result = _edit(
        cli,
        "--client-id",
        CLIENT_ID,
        "--redirect-uri",
        "https://demo.gouv.fr/callback",
        "--redirect-uri",
        "https://demo.gouv.fr/v2/callback",
    )
    assert result.exit_code == 0, result.stdout
    assert result.stdout == (
        f"Modifié : {SP} (redirect_uris)\n"
        "  redirect_uris : + https://demo.gouv.fr/v2/callback  (ajouté)\n"
    )
    assert path.read_text() == edited(
        COMMENTED_SP,
        [
            (
                "  - https://demo.gouv.fr/callback  # v1\n",
                "  - https://demo.gouv.fr/callback  # v1\n  - https://demo.gouv.fr/v2/callback\n",
            )
        ],
    )
    assert cli("validate").exit_code == 0


def test_edit_of_the_last_list_keeps_the_comment_that_follows_it(workspace, cli) -> None:
    path = workspace.provider("sp", COMMENTED_SP)
    result = _edit(cli, "--client-id", CLIENT_ID, "--redirect-uri", "https://demo.gouv.fr/cb")
    assert result.exit_code == 0, result.stdout
    text = path.read_text()
    assert "redirect_uris:\n  - https://demo.gouv.fr/cb\n\n# après déconnexion\npost_logout" in text
    assert "siret: '13002526500013'  # Insee" in text


def test_edit_inserts_a_missing_list_after_its_neighbour(workspace, cli) -> None:
    original = edited(BASE_SERVICE_PROVIDER, [("ip_ranges:\n  - 145.242.17.0/28\n", "")])
    path = workspace.provider("sp", original)
    result = _edit(cli, "--client-id", CLIENT_ID, "--ip-range", "145.242.17.0/29")
    assert result.exit_code == 0, result.stdout
    assert path.read_text() == BASE_SERVICE_PROVIDER.replace("/28", "/29")


def test_identity_provider_email_domains_are_replaced(workspace, cli) -> None:
    path = workspace.provider("idp", BASE_IDENTITY_PROVIDER, slug="fi-demo")
    result = _edit(
        cli, "--uid", UID, "--email-domain", "demo.gouv.fr", "--email-domain", "b.gouv.fr"
    )
    assert result.exit_code == 0, result.stdout
    assert path.read_text() == edited(
        BASE_IDENTITY_PROVIDER, [("  - demo.gouv.fr\n", "  - demo.gouv.fr\n  - b.gouv.fr\n")]
    )
    refused = _edit(cli, "--uid", UID, "--redirect-uri", "https://a.gouv.fr/cb", "--format", "json")
    assert [d["code"] for d in refused.json()["diagnostics"]] == ["F007"]


def test_wildcard_is_refused_and_nothing_is_written(workspace, cli) -> None:
    path = workspace.provider("sp", COMMENTED_SP)
    result = _edit(
        cli,
        "--client-id",
        CLIENT_ID,
        "--redirect-uri",
        "https://demo.gouv.fr/cb",
        "--post-logout-uri",
        "https://*.demo.gouv.fr/",
        "--format",
        "json",
    )
    assert result.exit_code == 1
    [diagnostic] = result.json()["diagnostics"]
    assert (diagnostic["code"], diagnostic["field"]) == ("F005", "post_logout_redirect_uris[0]")
    assert "jokers" in diagnostic["message"]
    assert path.read_text() == COMMENTED_SP


def test_invalid_result_writes_nothing_and_is_located_in_the_new_content(workspace, cli) -> None:
    path = workspace.provider("sp", COMMENTED_SP)
    result = _edit(
        cli,
        "--client-id",
        CLIENT_ID,
        "--redirect-uri",
        "https://demo.gouv.fr/a",
        "--redirect-uri",
        "http://demo.gouv.fr/b",
        "--format",
        "json",
    )
    assert result.exit_code == 1
    codes = {(d["code"], d["line"], d["column"]) for d in result.json()["diagnostics"]}
    # the new content: "redirect_uris:" is line 12, its items lines 13 and 14
    assert ("U011", 14, 5) in codes
    assert path.read_text() == COMMENTED_SP


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("--client-id", "0" * 64, "--redirect-uri", "https://a.gouv.fr/cb"), "F004"),
        (("--client-id", CLIENT_ID, "--uid", UID, "--ip-range", "145.242.17.0/28"), "F003"),
        (("--client-id", CLIENT_ID), "F006"),
        (("--client-id", CLIENT_ID, "--redirect-uri", "https://demo.gouv.fr/callback"), "F011"),
        (("--client-id", CLIENT_ID, "--ip-range", "x" * 3000), "F009"),
    ],
)
def test_request_problems_are_reported_with_their_code(workspace, cli, args, code) -> None:
    path = workspace.provider("sp", BASE_SERVICE_PROVIDER)
    result = _edit(cli, *args, "--format", "json")
    assert result.exit_code == 1
    assert [d["code"] for d in result.json()["diagnostics"]] == [code]
    assert path.read_text() == BASE_SERVICE_PROVIDER


def test_unknown_environment_and_network(workspace, cli) -> None:
    workspace.provider("sp", BASE_SERVICE_PROVIDER)
    result = cli(
        "edit",
        "--env",
        "preprod",
        "--network",
        "intranet",
        "--client-id",
        CLIENT_ID,
        "--redirect-uri",
        "https://a.gouv.fr/cb",
        "--format",
        "json",
    )
    assert [d["code"] for d in result.json()["diagnostics"]] == ["F001", "F002"]


def test_two_files_with_the_same_identifier_are_ambiguous(workspace, cli) -> None:
    workspace.provider("sp", BASE_SERVICE_PROVIDER)
    workspace.provider("sp", BASE_SERVICE_PROVIDER.replace("démonstration", "démo 2"), slug="demo2")
    result = _edit(
        cli, "--client-id", CLIENT_ID, "--redirect-uri", "https://a.gouv.fr/cb", "--format", "json"
    )
    assert [d["code"] for d in result.json()["diagnostics"]] == ["F012"]


def test_an_unusual_file_is_not_rewritten(workspace, cli) -> None:
    odd = BASE_SERVICE_PROVIDER.replace(
        "scopes:\n  - openid\n  - email\n", "scopes: [ openid,   email ]\n"
    )
    path = workspace.provider("sp", odd)
    result = _edit(
        cli,
        "--client-id",
        CLIENT_ID,
        "--redirect-uri",
        "https://demo.gouv.fr/b",
        "--format",
        "json",
    )
    assert [d["code"] for d in result.json()["diagnostics"]] == ["F013"]
    assert path.read_text() == odd


def test_edit_on_a_copy_of_the_example_registry(tmp_path, cli, monkeypatch) -> None:
    shutil.copytree(EXAMPLES / "registry", tmp_path / "registry")
    shutil.copy(REPO_ROOT / "policy.yaml", tmp_path / "policy.yaml")
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "registry/production/service-providers/egapro.yaml"
    before = target.read_text()
    client_id = next(x for x in before.splitlines() if x.startswith("client_id:")).split('"')[1]
    result = _edit(
        cli, "--client-id", client_id, "--redirect-uri", "https://egapro.travail.gouv.fr/cb"
    )
    assert result.exit_code == 0, result.stdout
    removed, added = _changed_lines(before, target.read_text())
    assert len(added) == 1 and len(removed) >= 1
    assert cli("validate").exit_code == 0


def test_request_fields_are_checked_before_any_file_is_read() -> None:
    from fedreg.form.editing import parse_request

    request, problems = parse_request(
        {
            "environment": "integration",
            "network": "internet",
            "client_id": CLIENT_ID,
            "redirect_uris": "https://a.gouv.fr/cb\n\n  https://a.gouv.fr/cb2  \n",
            "scopes": ["openid"],
            "requester": {"email": "prenom.nom"},
        },
        require_requester=True,
    )
    assert request is None
    assert [(d.code, d.field) for d in problems] == [
        ("F010", "scopes"),
        ("F008", "requester.email"),
    ]
    request, problems = parse_request(
        {
            "environment": "integration",
            "network": "internet",
            "client_id": CLIENT_ID,
            "redirect_uris": "https://a.gouv.fr/cb\n\n  https://a.gouv.fr/cb2  \n",
            "requester": {"email": "Prenom.Nom@Ministere.gouv.fr"},
        },
        require_requester=True,
        verified=True,
    )
    assert problems == []
    assert request is not None
    assert request.lists == {"redirect_uris": ("https://a.gouv.fr/cb", "https://a.gouv.fr/cb2")}
    assert request.requester is not None
    assert (request.requester.email, request.requester.verified) == (
        "prenom.nom@ministere.gouv.fr",
        True,
    )


# -- the same writer for new files (fedreg new, fedreg import) ------------------------------

_text_values = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff\u2028\u2029\x85"),
    max_size=40,
)
_plain_values = st.one_of(
    st.none(), st.booleans(), _text_values, st.lists(_text_values, min_size=1, max_size=4)
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.from_regex(r"[a-z_]{1,20}", fullmatch=True), _plain_values, min_size=1, max_size=8
    ),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=60),
)
@example(fields={"_": None}, note="\xa0")  # a no-break space: content for YAML, not for strip()
def test_new_files_read_back_as_written_by_the_registry_loader(fields, note) -> None:
    """Whatever text a database or a partner gives (`:`, `#`, quotes, `yes`, `0x1`, leading
    `-` or `*`, …), the registry's own strict loader reads back exactly the values written."""
    text = dump_new(fields, start_comment=" ".join(note.splitlines()))
    document = load_located(text)
    assert document.findings == [], text
    assert document.data == fields, text
    assert load_fast(text) in (fields, None)  # None: the fast path leaves it to the located one


def test_edit_says_what_each_list_loses(workspace, cli) -> None:
    """The form replaces a whole list: what it removes is printed, not left to be noticed."""
    workspace.provider("sp", COMMENTED_SP)
    result = _edit(cli, "--client-id", CLIENT_ID, "--redirect-uri", "https://demo.gouv.fr/v3/cb")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines()[1:] == [
        "  redirect_uris : + https://demo.gouv.fr/v3/cb  (ajouté)",
        "  redirect_uris : - https://demo.gouv.fr/callback  (retiré)",
    ]
