"""Language server latency: from the last keystroke to the diagnostics, for a 2,000-line file.

    python benchmarks/server.py [--lines 2000] [--edits 60] [--pause 0.25]

Starts ``sidecarlint server`` (needs the ``server`` extra) as an editor would, opens a
file of generated Deployments and Jobs with native sidecars, warms up, then types: each
edit changes one character of a value somewhere in the file, as an incremental change.
Two ways of typing are timed: one keystroke at a time with a pause after each (every
keystroke gets its own diagnostics), and bursts of keystrokes 30 ms apart (only the last
one's diagnostics are waited for). The figure is the time from sending the last change to
receiving the diagnostics published for its version: the debounce delay plus the check
plus the protocol. The check alone (in this process) is timed for comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from generate import document  # noqa: E402
from lsprotocol import types as t  # noqa: E402
from pygls.lsp.client import LanguageClient  # noqa: E402

from sidecarlint.pipeline import Linter, Settings  # noqa: E402
from sidecarlint.server.lsp import DEBOUNCE  # noqa: E402


def manifest(lines: int) -> str:
    docs: list[str] = []
    while sum(d.count("\n") for d in docs) < lines:
        docs.append(document(len(docs)))
    return "---\n".join(docs)


class Client(LanguageClient):
    def __init__(self) -> None:
        super().__init__("sidecarlint-benchmark", "1")
        self.arrived: dict[int, float] = {}
        self.events: dict[int, asyncio.Event] = {}

        @self.feature(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: t.PublishDiagnosticsParams) -> None:
            if params.version is not None:
                self.arrived[params.version] = time.perf_counter()
                self.event(params.version).set()

        @self.feature(t.WINDOW_LOG_MESSAGE)
        def log(params: t.LogMessageParams) -> None:
            pass

    def event(self, version: int) -> asyncio.Event:
        return self.events.setdefault(version, asyncio.Event())


async def run(lines: int, edits: int, pause: float) -> dict[str, Any]:
    text = manifest(lines)
    rows = text.splitlines(keepends=True)
    # Places to type: the end of every "tier: backend" and "value:" line.
    targets = [i for i, row in enumerate(rows) if row.strip().startswith(("tier:", "value:"))]
    random.seed(7)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / ".git").mkdir()
        path = root / "manifests.yaml"
        path.write_text(text, encoding="utf-8")
        client = Client()
        await client.start_io(sys.executable, "-m", "sidecarlint", "server")
        await client.initialize_async(
            t.InitializeParams(
                capabilities=t.ClientCapabilities(),
                workspace_folders=[t.WorkspaceFolder(uri=root.as_uri(), name="bench")],
            )
        )
        client.initialized(t.InitializedParams())
        uri = path.as_uri()
        started = time.perf_counter()
        client.text_document_did_open(
            t.DidOpenTextDocumentParams(
                text_document=t.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)
            )
        )
        await client.event(1).wait()
        first = client.arrived[1] - started
        version = 1

        def keystroke() -> float:
            nonlocal version
            version += 1
            line = random.choice(targets)
            end = len(rows[line].rstrip("\n"))
            rows[line] = rows[line].rstrip("\n") + "x\n"
            client.text_document_did_change(
                t.DidChangeTextDocumentParams(
                    text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=version),
                    content_changes=[
                        t.TextDocumentContentChangePartial(
                            range=t.Range(
                                start=t.Position(line=line, character=end),
                                end=t.Position(line=line, character=end),
                            ),
                            text="x",
                        )
                    ],
                )
            )
            return time.perf_counter()

        async def single() -> float:
            sent = keystroke()
            await asyncio.wait_for(client.event(version).wait(), 30)
            await asyncio.sleep(pause)
            return client.arrived[version] - sent

        async def burst(keys: int = 8) -> float:
            for _ in range(keys - 1):
                keystroke()
                await asyncio.sleep(0.03)
            sent = keystroke()
            await asyncio.wait_for(client.event(version).wait(), 30)
            await asyncio.sleep(pause)
            return client.arrived[version] - sent

        for _ in range(20):  # warm-up
            await single()
        singles = [await single() for _ in range(edits)]
        bursts = [await burst() for _ in range(max(5, edits // 4))]
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
    linter = Linter(Settings())
    final = "".join(rows)
    for _ in range(5):
        linter.lint(final, str(path))
    checks = []
    for _ in range(20):
        start = time.perf_counter()
        linter.lint(final, str(path))
        checks.append(time.perf_counter() - start)
    return {
        "lines": final.count("\n"),
        "first": first,
        "singles": singles,
        "bursts": bursts,
        "check": statistics.median(checks),
    }


def describe(values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    p90 = ms[min(len(ms) - 1, int(len(ms) * 0.9))]
    return f"median {statistics.median(ms):.0f} ms, p90 {p90:.0f} ms, max {ms[-1]:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--edits", type=int, default=60)
    parser.add_argument("--pause", type=float, default=0.25)
    args = parser.parse_args()
    result = asyncio.run(run(args.lines, args.edits, args.pause))
    print(
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, {platform.machine()}"
    )
    print(f"file: {result['lines']} lines; debounce {DEBOUNCE * 1000:.0f} ms")
    print(f"first diagnostics after open (cold server): {result['first'] * 1000:.0f} ms")
    print(f"one keystroke, then a pause ({len(result['singles'])}): {describe(result['singles'])}")
    print(f"last keystroke of a burst ({len(result['bursts'])}): {describe(result['bursts'])}")
    print(f"the check alone, in process: {result['check'] * 1000:.1f} ms")


if __name__ == "__main__":
    main()
