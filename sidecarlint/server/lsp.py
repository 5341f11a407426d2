"""The Language Server Protocol side of ``sidecarlint server`` (pygls).

Diagnostics are published for YAML and JSON documents on open and save, and after a short
pause in typing (:data:`DEBOUNCE`), from the text held in the editor; closing a document
clears them. Checks run one at a time on a worker thread, so the server keeps reading
messages while a large file is checked, and a result that a newer edit has overtaken is
dropped. Every handler contains its own failures: an unexpected error is logged and the
server goes on serving.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import sys
import traceback
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from sidecarlint import __version__
from sidecarlint.config import CONFIG_FILES
from sidecarlint.docs import help_uri
from sidecarlint.finding import Finding, Severity
from sidecarlint.pipeline import KUSTOMIZATION_FILES
from sidecarlint.server.analysis import FIX_ALL, QUICKFIX, Action, Checked, plain_text
from sidecarlint.server.folders import FolderConfig, Folders
from sidecarlint.server.text import UTF16, line_edits

#: Seconds of quiet after an edit before the document is checked again.
DEBOUNCE = 0.03
SECTION = "sidecarlint"
SOURCE = "sidecarlint"
LANGUAGES = ("yaml", "json", "jsonc")
EXTENSIONS = (".yaml", ".yml", ".json")
#: Files whose change can change what is reported for other files.
WATCHED = (*CONFIG_FILES, "pyproject.toml", *KUSTOMIZATION_FILES)

_SEVERITIES = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.INFO: lsp.DiagnosticSeverity.Information,
}

_T = TypeVar("_T")


def _contained(handler: Callable[..., Awaitable[_T]]) -> Callable[..., Awaitable[_T | None]]:
    """Log a handler's unexpected failure and answer nothing: the server lives on."""

    @functools.wraps(handler)
    async def run(self: Server, params: Any) -> _T | None:
        try:
            return await handler(self, params)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.internal_error(f"in {handler.__name__}", exc)
            return None

    return run


class Server:
    """The server's state: open documents' latest checks, folders and their settings."""

    def __init__(self) -> None:
        self.ls = LanguageServer(
            "sidecarlint", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental
        )
        self.folders = Folders()
        self.checked: dict[str, Checked] = {}
        self.pending: dict[str, asyncio.Task[None]] = {}
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sidecarlint")
        #: By folder: the last line logged about its configuration, the error last shown.
        self._described: dict[str, str] = {}
        self._shown: dict[str, str] = {}
        self._register()

    def _register(self) -> None:
        def on(method: str, options: Any = None) -> Callable[[Any], None]:
            def register(handler: Callable[[Any], Awaitable[Any]]) -> None:
                # pygls marks the functions it registers: give it a plain one.
                async def handle(params: Any) -> Any:
                    return await handler(params)

                self.ls.feature(method, options)(handle)

            return register

        on(lsp.INITIALIZE)(self.initialize)
        on(lsp.INITIALIZED)(self.initialized)
        on(lsp.SHUTDOWN)(self.shutdown)
        on(lsp.TEXT_DOCUMENT_DID_OPEN)(self.did_open)
        on(lsp.TEXT_DOCUMENT_DID_CHANGE)(self.did_change)
        on(lsp.TEXT_DOCUMENT_DID_SAVE, lsp.SaveOptions(include_text=False))(self.did_save)
        on(lsp.TEXT_DOCUMENT_DID_CLOSE)(self.did_close)
        on(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)(self.did_change_configuration)
        on(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)(self.did_change_watched_files)
        on(lsp.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)(self.did_change_folders)
        on(
            lsp.TEXT_DOCUMENT_CODE_ACTION,
            lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix, FIX_ALL]),
        )(self.code_action)
        on(lsp.TEXT_DOCUMENT_HOVER)(self.hover)

    # messages to the client

    def log(self, message: str, kind: lsp.MessageType = lsp.MessageType.Info) -> None:
        self.ls.window_log_message(lsp.LogMessageParams(type=kind, message=message))

    def internal_error(self, where: str, exc: Exception) -> None:
        """A failure of the server itself: logged with its traceback, never fatal."""
        self.log(
            f"internal error {where}: {type(exc).__name__}: {exc}\n{traceback.format_exc()}",
            lsp.MessageType.Error,
        )

    def show_error(self, message: str) -> None:
        """An error the user must act on (an invalid configuration)."""
        self.log(message, lsp.MessageType.Error)
        self.ls.window_show_message(
            lsp.ShowMessageParams(type=lsp.MessageType.Error, message=f"sidecarlint: {message}")
        )

    # client capabilities

    def _capability(self, *names: str) -> Any:
        value: Any = self.ls.client_capabilities
        for name in names:
            value = getattr(value, name, None)
            if value is None:
                return None
        return value

    @property
    def encoding(self) -> str:
        encoding = self.ls.workspace.position_encoding or UTF16
        return str(getattr(encoding, "value", encoding))

    # life cycle

    @_contained
    async def initialize(self, params: lsp.InitializeParams) -> None:
        roots = [to_fs_path(f.uri) for f in params.workspace_folders or []]
        if not roots:
            root = (params.root_uri and to_fs_path(params.root_uri)) or params.root_path
            roots = [root] if root else []
        self.folders.set_roots([r for r in roots if r])
        options = params.initialization_options
        if isinstance(options, dict):
            section = options.get(SECTION, options)
            if isinstance(section, dict):
                self.folders.editor[""] = section

    @_contained
    async def initialized(self, params: lsp.InitializedParams) -> None:
        self.log(f"sidecarlint {__version__} language server, positions in {self.encoding}")
        registrations = []
        if self._capability("workspace", "did_change_watched_files", "dynamic_registration"):
            registrations.append(
                lsp.Registration(
                    id="sidecarlint-watched-files",
                    method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                    register_options=lsp.DidChangeWatchedFilesRegistrationOptions(
                        watchers=[lsp.FileSystemWatcher(glob_pattern=f"**/{n}") for n in WATCHED]
                    ),
                )
            )
        if self._capability("workspace", "did_change_configuration", "dynamic_registration"):
            registrations.append(
                lsp.Registration(
                    id="sidecarlint-configuration",
                    method=lsp.WORKSPACE_DID_CHANGE_CONFIGURATION,
                    register_options=lsp.DidChangeConfigurationRegistrationOptions(section=SECTION),
                )
            )
        if registrations:
            try:
                await self.ls.client_register_capability_async(
                    lsp.RegistrationParams(registrations=registrations)
                )
            except Exception as exc:  # the client refused: config edits then need a save
                self.log(f"could not watch config files: {exc}", lsp.MessageType.Warning)
        await self._pull_configuration()
        self._describe_all()

    @_contained
    async def shutdown(self, params: None) -> None:
        for task in self.pending.values():
            task.cancel()
        self.executor.shutdown(wait=False, cancel_futures=True)

    # configuration

    async def _pull_configuration(self, pushed: bool = False) -> None:
        """Ask the client for the ``sidecarlint`` settings of each folder, and for the
        global ones unless the client has just ``pushed`` them (if it can say at all)."""
        if not self._capability("workspace", "configuration"):
            return
        keys = [*([] if pushed else [""]), *self.folders.roots]
        items = [
            lsp.ConfigurationItem(scope_uri=from_fs_path(key) if key else None, section=SECTION)
            for key in keys
        ]
        values = await self.ls.workspace_configuration_async(lsp.ConfigurationParams(items=items))
        for key, value in zip(keys, values, strict=False):
            if isinstance(value, dict):
                self.folders.editor[key] = value
            else:
                self.folders.editor.pop(key, None)

    def _describe_all(self) -> None:
        for root in self.folders.roots or [self.folders.fallback]:
            self._describe(self.folders.config_in(root))

    def _describe(self, folder: FolderConfig) -> None:
        """Log a folder's target version when it changes; show a configuration error once
        (until the configuration is valid again)."""
        root = folder.root
        if folder.error is None:
            self._shown.pop(root, None)
            line = folder.describe()
            if self._described.get(root) != line:
                self._described[root] = line
                self.log(line)
        elif self._shown.get(root) != folder.error:
            self._shown[root] = folder.error
            self._described.pop(root, None)
            self.show_error(folder.error)

    @_contained
    async def did_change_configuration(self, params: lsp.DidChangeConfigurationParams) -> None:
        settings = params.settings
        section = settings.get(SECTION) if isinstance(settings, dict) else None
        if isinstance(section, dict):
            self.folders.editor[""] = section
        await self._pull_configuration(pushed=isinstance(section, dict))
        self._check_all()

    @_contained
    async def did_change_watched_files(self, params: lsp.DidChangeWatchedFilesParams) -> None:
        names = {os.path.basename(to_fs_path(c.uri) or "") for c in params.changes}
        if names & set(WATCHED):
            self.folders.forget()
            self._check_all()

    @_contained
    async def did_change_folders(self, params: lsp.DidChangeWorkspaceFoldersParams) -> None:
        roots = [to_fs_path(f.uri) for f in self.ls.workspace.folders.values()]
        self.folders.set_roots([r for r in roots if r])
        await self._pull_configuration()
        self._check_all()

    # documents

    def _wanted(self, uri: str) -> bool:
        doc = self.ls.workspace.text_documents.get(uri)
        if doc is None:
            return False
        language = (doc.language_id or "").lower()
        return (
            language.startswith("yaml")
            or language in LANGUAGES
            or (doc.path.lower().endswith(EXTENSIONS) if doc.path else False)
        )

    @_contained
    async def did_open(self, params: lsp.DidOpenTextDocumentParams) -> None:
        self._schedule(params.text_document.uri, 0)

    @_contained
    async def did_change(self, params: lsp.DidChangeTextDocumentParams) -> None:
        self._schedule(params.text_document.uri, DEBOUNCE)

    @_contained
    async def did_save(self, params: lsp.DidSaveTextDocumentParams) -> None:
        path = to_fs_path(params.text_document.uri)
        if path is not None and os.path.basename(path) in WATCHED:
            # Clients without file watching still see saved config changes.
            self.folders.forget()
            self._check_all()
        else:
            self._schedule(params.text_document.uri, 0)

    @_contained
    async def did_close(self, params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        task = self.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        if self.checked.pop(uri, None) is not None:
            self.ls.text_document_publish_diagnostics(
                lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[])
            )

    def _check_all(self) -> None:
        self._describe_all()
        for uri in list(self.ls.workspace.text_documents):
            self._schedule(uri, 0)

    def _schedule(self, uri: str, delay: float) -> None:
        """Check ``uri`` after ``delay`` seconds unless another edit comes first."""
        task = self.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        if self._wanted(uri):
            self.pending[uri] = asyncio.ensure_future(self._check_later(uri, delay))

    async def _check_later(self, uri: str, delay: float) -> None:
        try:
            if delay:
                await asyncio.sleep(delay)
                if self._fresh(uri) is not None:
                    return  # a request has checked (and published) this version meanwhile
            checked = await self._check(uri)
            if checked is not None:
                self._publish(uri, checked)
        except asyncio.CancelledError:
            pass
        except Exception as exc:
            self.internal_error(f"checking {uri}", exc)
        finally:
            if self.pending.get(uri) is asyncio.current_task():
                del self.pending[uri]

    async def _check(self, uri: str) -> Checked | None:
        """The current version of ``uri`` checked (None when it is closed or changed
        while being checked)."""
        doc = self.ls.workspace.text_documents.get(uri)
        if doc is None:
            return None
        text, version, path = doc.source, doc.version, to_fs_path(uri)
        folder = self.folders.config_for(path)
        self._describe(folder)
        checked = await self._run(Checked, text, path, folder, self.encoding, version)
        current = self.ls.workspace.text_documents.get(uri)
        if current is None or current.version != version:
            return None
        self.checked[uri] = checked
        return checked

    def _fresh(self, uri: str) -> Checked | None:
        """The latest check of ``uri`` if it is of the text now open."""
        doc = self.ls.workspace.text_documents.get(uri)
        checked = self.checked.get(uri)
        if doc is None or checked is None or checked.version != doc.version:
            return None
        return checked if checked.text == doc.source else None

    async def _current(self, uri: str) -> Checked | None:
        """The latest check of ``uri`` if it is of the text now open, else a new one."""
        if not self._wanted(uri):
            return None
        checked = self._fresh(uri)
        if checked is not None:
            return checked
        checked = await self._check(uri)
        if checked is not None:
            self._publish(uri, checked)
        return checked

    async def _run(self, fn: Callable[..., _T], *args: Any) -> _T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, functools.partial(fn, *args))

    def _publish(self, uri: str, checked: Checked) -> None:
        self.ls.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(
                uri=uri,
                diagnostics=[self._diagnostic(uri, checked, f) for f in checked.findings],
                version=checked.version,
            )
        )

    def _range(self, checked: Checked, start: int, end: int) -> lsp.Range:
        first, last = checked.index.position(start), checked.index.position(end)
        return lsp.Range(
            start=lsp.Position(line=first[0], character=first[1]),
            end=lsp.Position(line=last[0], character=last[1]),
        )

    def _diagnostic(self, uri: str, checked: Checked, finding: Finding) -> lsp.Diagnostic:
        related = None
        if finding.related and self._capability(
            "text_document", "publish_diagnostics", "related_information"
        ):
            related = [
                lsp.DiagnosticRelatedInformation(
                    location=lsp.Location(
                        uri=uri, range=self._range(checked, *checked.index.span_offsets(span))
                    ),
                    message=message,
                )
                for span, message in finding.related
            ]
        return lsp.Diagnostic(
            range=self._range(checked, *checked.offsets(finding)),
            severity=_SEVERITIES[finding.severity],
            code=f"{finding.code} {finding.name}",
            code_description=lsp.CodeDescription(href=help_uri(finding.code, finding.name)),
            source=SOURCE,
            message=finding.message,
            related_information=related,
            data={"code": finding.code, "name": finding.name, "fixable": finding.fixable},
        )

    # requests

    @_contained
    async def code_action(self, params: lsp.CodeActionParams) -> list[lsp.CodeAction] | None:
        uri = params.text_document.uri
        checked = await self._current(uri)
        if checked is None:
            return None
        index = checked.index
        start = index.offset_at((params.range.start.line, params.range.start.character))
        end = index.offset_at((params.range.end.line, params.range.end.character))
        findings = checked.findings_at(start, end)
        actions = await self._run(checked.actions, findings)
        only = params.context.only
        out = []
        for action in actions:
            if only and not any(action.kind == k or action.kind.startswith(f"{k}.") for k in only):
                continue
            converted = self._code_action(uri, checked, action)
            if converted is not None:
                out.append(converted)
        return out

    def _code_action(self, uri: str, checked: Checked, action: Action) -> lsp.CodeAction | None:
        diagnostics = [self._diagnostic(uri, checked, f) for f in action.findings]
        if action.new_text is None:
            if not self._capability("text_document", "code_action", "disabled_support"):
                return None
            return lsp.CodeAction(
                title=action.title,
                kind=action.kind,
                diagnostics=diagnostics if action.kind == QUICKFIX else None,
                disabled=lsp.CodeActionDisabled(reason=action.disabled or "not possible here"),
            )
        edits = [
            lsp.TextEdit(range=self._range(checked, start, end), new_text=replacement)
            for start, end, replacement in line_edits(checked.text, action.new_text)
        ]
        edit: lsp.WorkspaceEdit
        if self._capability("workspace", "workspace_edit", "document_changes"):
            edit = lsp.WorkspaceEdit(
                document_changes=[
                    lsp.TextDocumentEdit(
                        text_document=lsp.OptionalVersionedTextDocumentIdentifier(
                            uri=uri, version=checked.version
                        ),
                        edits=list(edits),
                    )
                ]
            )
        else:
            edit = lsp.WorkspaceEdit(changes={uri: list(edits)})
        return lsp.CodeAction(
            title=action.title,
            kind=action.kind,
            diagnostics=diagnostics if action.kind == QUICKFIX else None,
            is_preferred=action.preferred or None,
            edit=edit,
        )

    @_contained
    async def hover(self, params: lsp.HoverParams) -> lsp.Hover | None:
        checked = await self._current(params.text_document.uri)
        if checked is None:
            return None
        offset = checked.index.offset_at((params.position.line, params.position.character))
        found = await self._run(checked.hover, offset)
        if found is None:
            return None
        text, (start, end) = found
        formats: Sequence[Any] = self._capability("text_document", "hover", "content_format") or []
        content = (
            lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=text)
            if lsp.MarkupKind.Markdown in formats
            else lsp.MarkupContent(kind=lsp.MarkupKind.PlainText, value=plain_text(text))
        )
        return lsp.Hover(contents=content, range=self._range(checked, start, end))


class _Brief(logging.Formatter):
    """pygls's own log lines (a malformed message from the client, say) on stderr, where
    editors show a server's output: one line each, with the error but no traceback."""

    def formatException(self, ei: Any) -> str:
        return f"{ei[0].__name__}: {ei[1]}" if ei and ei[0] is not None else ""


def serve() -> None:
    """Run the server on stdin/stdout."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Brief("sidecarlint server: %(levelname)s: %(message)s"))
    log = logging.getLogger("pygls")
    log.addHandler(handler)
    log.setLevel(logging.WARNING)
    log.propagate = False
    Server().ls.start_io()
