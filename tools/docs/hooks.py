"""MkDocs hooks (mkdocs.yml): every rule of `fedreg rules` becomes a page of the site at build
time, from the rules catalogue itself, so that the site never lags behind the code."""

from __future__ import annotations

from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

from fedreg.validation.rulesdoc import render_rule_pages, rule_families_nav

RULES_SECTION = "Règles"


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    nav: list[Any] = config.nav or []
    for entry in nav:
        if isinstance(entry, dict) and RULES_SECTION in entry:
            entry[RULES_SECTION] = [*entry[RULES_SECTION], *rule_families_nav()]
            return config
    raise ValueError(f"mkdocs.yml: the nav has no {RULES_SECTION!r} section for the rule pages")


def on_files(files: Files, config: MkDocsConfig) -> Files:
    for path, text in render_rule_pages().items():
        files.append(File.generated(config, path, content=text))
    return files
