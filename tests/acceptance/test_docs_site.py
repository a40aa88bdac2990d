"""The documentation site (mkdocs.yml): it builds with --strict, every rule of `fedreg rules`
has its page, and a broken link fails the build."""

from __future__ import annotations

import html
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO_ROOT
from fedreg.validation.rules import RULES_BY_CODE


def _build(project: Path, site: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )


def _copy_of_the_site_sources(destination: Path) -> Path:
    shutil.copytree(REPO_ROOT / "docs", destination / "docs")
    shutil.copytree(REPO_ROOT / "tools/docs", destination / "tools/docs")
    shutil.copy(REPO_ROOT / "mkdocs.yml", destination / "mkdocs.yml")
    return destination


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("site")
    process = _build(REPO_ROOT, site)
    assert process.returncode == 0, process.stdout + process.stderr
    return site


def test_the_site_has_the_french_home_and_the_partner_guides(site: Path) -> None:
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Guide du fournisseur de service" in home
    for page in ("guide-fs", "guide-fi", "formulaire", "recette", "rules", "development"):
        assert (site / page / "index.html").is_file(), page


def test_every_rule_has_its_page(site: Path) -> None:
    for code, rule in RULES_BY_CODE.items():
        page = html.unescape((site / "regles" / code / "index.html").read_text(encoding="utf-8"))
        assert f"{code} — {rule.title}" in page, code
        family = (site / "regles" / code[0] / "index.html").read_text(encoding="utf-8")
        assert f'href="../{code}/"' in family, code


@pytest.mark.parametrize(
    ("page", "link", "named"),
    [
        ("guide-fs.md", "[voir](nulle-part.md)", "nulle-part.md"),
        ("guide-fi.md", "[U999](rules.md#u999)", "#u999"),
    ],
    ids=["page", "anchor"],
)
def test_a_broken_link_fails_the_build(tmp_path: Path, page: str, link: str, named: str) -> None:
    project = _copy_of_the_site_sources(tmp_path / "project")
    guide = project / "docs" / page
    guide.write_text(guide.read_text(encoding="utf-8") + f"\n{link}\n", "utf-8")
    process = _build(project, tmp_path / "site")
    assert process.returncode != 0
    assert named in process.stderr


def test_a_page_left_out_of_the_nav_fails_the_build(tmp_path: Path) -> None:
    project = _copy_of_the_site_sources(tmp_path / "project")
    (project / "docs/oubliee.md").write_text("# Page oubliée\n", encoding="utf-8")
    process = _build(project, tmp_path / "site")
    assert process.returncode != 0
    assert "oubliee.md" in process.stderr
