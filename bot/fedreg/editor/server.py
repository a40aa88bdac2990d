"""`fedreg lsp`: the language server (pygls, over stdio). Diagnostics are `fedreg validate`'s,
computed by its engine on the editor's unsaved text; hover, completion and quick fixes come
from `assist`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument

from .. import __version__
from ..diagnostics import Severity
from ..errors import FedregError
from ..registry.layout import classify
from ..registry.workspace import find_root
from . import assist
from .workspace import Checked, RegistryWorkspace

SOURCE = "fedreg"
_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
}
_WATCHER_ID = "fedreg-registry-files"


@dataclass(frozen=True)
class Published:
    """A diagnostic as sent, with its quick fix (kept here: clients need not echo `data`)."""

    diagnostic: types.Diagnostic
    fix: assist.Fix | None


def _lines(text: str) -> list[str]:
    return [line.removesuffix("\r") for line in text.split("\n")]


def _inside(position: types.Position, span: types.Range) -> bool:
    start, end = span.start, span.end
    after_start = (position.line, position.character) >= (start.line, start.character)
    return after_start and (position.line, position.character) <= (end.line, end.character)


def _overlaps(a: types.Range, b: types.Range) -> bool:
    return (a.start.line, a.start.character) <= (b.end.line, b.end.character) and (
        b.start.line,
        b.start.character,
    ) <= (a.end.line, a.end.character)


class FedregLanguageServer(LanguageServer):
    def __init__(self, base: str | None = None) -> None:
        super().__init__(
            SOURCE, __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental
        )
        self.base = base
        self.workspaces: dict[Path, RegistryWorkspace] = {}
        self.published: dict[str, list[Published]] = {}

    # -- where a document belongs ---------------------------------------------------------------
    def workspace_of(self, uri: str) -> tuple[RegistryWorkspace, Path] | None:
        """The workspace a document lies in, and its path; None outside any."""
        fs_path = to_fs_path(uri) if uri.startswith("file:") else None
        if fs_path is None:
            return None
        path = Path(os.path.normpath(fs_path))
        root = find_root(path.parent)
        if root is None:
            return None
        workspace = self.workspaces.get(root)
        if workspace is None:
            workspace = self.workspaces[root] = RegistryWorkspace(root, self.base)
        return workspace, path

    def registry_of(self, uri: str) -> tuple[RegistryWorkspace, Path] | None:
        """The workspace of a registry file, and its path; None for any other document."""
        found = self.workspace_of(uri)
        return found if found is not None and found[0].is_registry_file(found[1]) else None

    def changed_on_disk(self, uri: str) -> None:
        """A registry file or a policy file changed on disk: re-read it where it matters."""
        fs_path = to_fs_path(uri) if uri.startswith("file:") else None
        if fs_path is None:
            return
        path = Path(os.path.normpath(fs_path))
        for workspace in self.workspaces.values():
            if path == workspace.policy_file or workspace.is_registry_file(path):
                workspace.refresh([path])

    # -- diagnostics ----------------------------------------------------------------------------
    def _convert(
        self, document: TextDocument, lines: list[str], kind: str, checked: Checked
    ) -> Published:
        found = checked.diagnostic
        start, end = assist.diagnostic_range(lines, found.line, found.column)
        codec = document.position_codec
        span = codec.range_to_client_units(
            lines,
            types.Range(types.Position(*start), types.Position(*end)),
        )
        message = f"{found.message}\n{found.hint}" if found.hint else found.message
        diagnostic = types.Diagnostic(
            range=span,
            message=message,
            severity=_SEVERITY[found.severity],
            code=found.code,
            source=SOURCE,
            data={"hint": found.hint, "field": found.field},
        )
        fix = None
        if checked.finding is not None:
            fix = assist.quick_fix(checked.finding, kind, lines, start)
        return Published(diagnostic, fix)

    def check(self, uri: str) -> None:
        """Publish the open document's diagnostics (none for a file outside a registry)."""
        document = self.workspace.get_text_document(uri)
        found = self.workspace_of(uri)
        published: list[Published] = []
        if found is not None and found[1] == found[0].policy_file:
            lines = _lines(document.source)
            policy = found[0].check_policy(document.source)
            published = [self._convert(document, lines, "", Checked(d, None)) for d in policy]
        elif found is not None and found[0].is_registry_file(found[1]):
            registry, path = found
            lines = _lines(document.source)
            try:
                checked = registry.check(path, document.source, registry.known())
            except FedregError as error:
                registry.problems.append(str(error))
                checked = []
            for problem in registry.problems:
                self.window_show_message(
                    types.ShowMessageParams(types.MessageType.Warning, f"fedreg : {problem}")
                )
            registry.problems.clear()
            kind = classify(path)[1]
            published = [self._convert(document, lines, kind, item) for item in checked]
        self.published[uri] = published
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri,
                diagnostics=[item.diagnostic for item in published],
                version=document.version,
            )
        )

    def check_open_documents(self) -> None:
        for uri in list(self.published):
            self.check(uri)


def build_server(base: str | None = None) -> FedregLanguageServer:
    """The server with its features; `base`: the git revision whose providers are known (by
    default the repository's default branch, when git can say)."""
    server = FedregLanguageServer(base)

    @server.feature(types.INITIALIZED)
    def initialized(ls: FedregLanguageServer, params: types.InitializedParams) -> None:
        watched = ls.client_capabilities.workspace and (
            ls.client_capabilities.workspace.did_change_watched_files
        )
        if watched and watched.dynamic_registration:
            watchers = [
                types.FileSystemWatcher(glob_pattern="**/registry/**"),
                types.FileSystemWatcher(glob_pattern="**/policy.yaml"),
            ]
            options = types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers)
            registration = types.Registration(
                id=_WATCHER_ID,
                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=options,
            )
            ls.client_register_capability(types.RegistrationParams([registration]))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: FedregLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.check(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: FedregLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.check(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: FedregLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.changed_on_disk(params.text_document.uri)
        ls.check_open_documents()  # the saved file is now one the others clash with

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: FedregLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        if ls.published.pop(uri, None):
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, []))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def files_changed(ls: FedregLanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
        for change in params.changes:
            ls.changed_on_disk(change.uri)
        ls.check_open_documents()

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: FedregLanguageServer, params: types.HoverParams) -> types.Hover | None:
        found = ls.registry_of(params.text_document.uri)
        if found is None:
            return None
        document = ls.workspace.get_text_document(params.text_document.uri)
        lines = _lines(document.source)
        where = document.position_codec.position_from_client_units(lines, params.position)
        parts = [
            assist.rule_markdown(str(item.diagnostic.code))
            for item in ls.published.get(params.text_document.uri, [])
            if _inside(params.position, item.diagnostic.range)
        ]
        parts.append(
            assist.hover_markdown(classify(found[1])[1], lines, (where.line, where.character))
        )
        shown = list(dict.fromkeys(part for part in parts if part))
        if not shown:
            return None
        content = types.MarkupContent(types.MarkupKind.Markdown, "\n\n---\n\n".join(shown))
        return types.Hover(contents=content)

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=[" ", "-"]),
    )
    def completion(
        ls: FedregLanguageServer, params: types.CompletionParams
    ) -> types.CompletionList | None:
        found = ls.registry_of(params.text_document.uri)
        if found is None:
            return None
        registry, path = found
        document = ls.workspace.get_text_document(params.text_document.uri)
        lines = _lines(document.source)
        where = document.position_codec.position_from_client_units(lines, params.position)
        environment, kind, _, _ = classify(path)
        choices = assist.completions(
            kind, environment, lines, (where.line, where.character), registry.policy
        )
        items = [
            types.CompletionItem(
                label=choice.label,
                kind=types.CompletionItemKind.Property
                if choice.is_key
                else types.CompletionItemKind.EnumMember,
                detail=choice.detail,
                documentation=types.MarkupContent(types.MarkupKind.Markdown, choice.documentation)
                if choice.documentation
                else None,
                insert_text=choice.insert_text,
            )
            for choice in choices
        ]
        return types.CompletionList(is_incomplete=False, items=items)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    def code_action(
        ls: FedregLanguageServer, params: types.CodeActionParams
    ) -> list[types.CodeAction] | None:
        uri = params.text_document.uri
        found = ls.registry_of(uri)
        if found is None:
            return None
        document = ls.workspace.get_text_document(uri)
        lines = _lines(document.source)
        actions = [
            _action(document, lines, item.fix, [item.diagnostic])
            for item in ls.published.get(uri, [])
            if item.fix is not None and _overlaps(item.diagnostic.range, params.range)
        ]
        for line in range(params.range.start.line, min(params.range.end.line + 1, len(lines))):
            siret = assist.quote_siret(lines, line)
            if siret is not None:
                actions.append(_action(document, lines, siret, []))
        return actions

    return server


def _action(
    document: TextDocument,
    lines: list[str],
    fix: assist.Fix,
    diagnostics: list[types.Diagnostic],
) -> types.CodeAction:
    codec = document.position_codec
    edits = [
        types.TextEdit(
            range=codec.range_to_client_units(
                lines, types.Range(types.Position(*edit.start), types.Position(*edit.end))
            ),
            new_text=edit.new_text,
        )
        for edit in fix.edits
    ]
    return types.CodeAction(
        title=fix.title,
        kind=types.CodeActionKind.QuickFix,
        diagnostics=diagnostics or None,
        is_preferred=bool(diagnostics),
        edit=types.WorkspaceEdit(changes={document.uri: edits}),
    )
