"""Peak memory of hostile and very large inputs within the default limits.

    python benchmarks/memory.py [--case NAME ...] [--keep DIR]

Each case writes its input, runs ``sidecarlint check`` on it as a user would (a whole
process, default options but for those shown) and prints the peak memory of the run: of the
whole process tree (with worker processes, ``--jobs`` on 16 files or more, what they held
at one time, summed: see :func:`peak_mb`) and of its largest process. The bound these
numbers are held to is :data:`LIMIT_MB`. Linux only (``/proc``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: The bound every case is held to, in MB (10^6 bytes).
LIMIT_MB = 250

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: pod-{i}
spec:
  terminationGracePeriodSeconds: {value}
  containers:
    - name: app
      image: registry.example.com/app:1
"""


def _command() -> list[str]:
    script = Path(sys.executable).with_name("sidecarlint")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sidecarlint"]


def _children(pid: int) -> set[int]:
    """Every process below ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        parents[int(entry)] = int(fields[1])
    found: set[int] = set()
    todo = [pid]
    while todo:
        current = todo.pop()
        for child, parent in parents.items():
            if parent == current and child not in found:
                found.add(child)
                todo.append(child)
    return found


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def peak_mb(
    args: list[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> tuple[float, float, int]:
    """Peak memory of one ``sidecarlint`` run in MB: of the whole process tree and of its
    largest process, and the run's exit code; the report goes to /dev/null.

    The largest process's peak is its RSS high-water mark (``wait4``, what ``/usr/bin/time
    -v`` reports). The tree's is the larger of that and the most the processes held at one
    time (their RSS summed, sampled every 20 ms), which counts the pages workers share with
    the process that started them once in each.
    """
    with open(os.devnull, "wb") as sink:
        proc = subprocess.Popen([*_command(), *args], stdout=sink, cwd=cwd, env=env)
        tree = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal tree
            while not done.is_set():
                pids = [proc.pid, *_children(proc.pid)]
                tree = max(tree, sum(_rss_kib(pid) for pid in pids))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        done.set()
        sampler.join()
    largest = usage.ru_maxrss
    return max(tree, largest) * 1024 / 1e6, largest * 1024 / 1e6, os.waitstatus_to_exitcode(status)


# --- inputs ---------------------------------------------------------------------------------


def duplicate_keys(path: Path, size: int = 5 << 20) -> int:
    """Documents of keys written twice (a finding each) up to ``size`` bytes; how many
    findings."""
    findings = 0
    body = "".join(f"k{n}: 0\nk{n}: 1\n" for n in range(1000))
    with path.open("w", encoding="ascii") as out:
        written = 0
        while written < size:
            written += out.write("---\n" + body)
            findings += 1000
    return findings


def big_values(directory: Path, files: int = 100, value: int = 4_000_000) -> None:
    """``files`` Pods, each with a ``value``-character string where a number belongs."""
    directory.mkdir(parents=True, exist_ok=True)
    text = "x" * value
    for i in range(files):
        (directory / f"pod-{i:03d}.yaml").write_text(
            POD.format(i=i, value=json.dumps(text)), encoding="ascii"
        )


def many_documents(path: Path, size: int = 250 << 20) -> None:
    """Example Deployments, one document each, up to ``size`` bytes."""
    from generate import document

    with path.open("w", encoding="ascii") as out:
        written = i = 0
        while written < size:
            written += out.write("---\n" + document(i))
            i += 1


def waiting_pods(path: Path, pods: int = 66, value: int = 3_500_000) -> None:
    """One file of Pods, each with a long annotation and a ConfigMap volume the file never
    defines: each may wait, with its document, for that ConfigMap to come later."""
    text = "x" * value
    with path.open("w", encoding="ascii") as out:
        for i in range(pods):
            out.write(
                f"---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p{i}\n  annotations:\n"
                f'    note: "{text}"\nspec:\n  containers:\n    - name: app\n'
                "      image: busybox\n      volumeMounts: [{name: conf, mountPath: /etc/c}]\n"
                "  volumes:\n    - {name: conf, configMap: {name: later}}\n"
            )


def document_under_cap(path: Path) -> None:
    """One document just under the size cap: a List of Pods with long string values,
    under the node bound too."""
    from sidecarlint.parse import MAX_DOCUMENT_NODES, MAX_DOCUMENT_SIZE

    item = POD.replace("\n", "\n    ").format(i="{i}", value='"' + "v" * 400 + '"')
    items = []
    size = 0
    i = 0
    while True:
        entry = "  - " + item.format(i=i).rstrip() + "\n"
        if size + len(entry) > MAX_DOCUMENT_SIZE - 100 or (i + 1) * 12 > MAX_DOCUMENT_NODES:
            break
        items.append(entry)
        size += len(entry)
        i += 1
    path.write_text("apiVersion: v1\nkind: List\nitems:\n" + "".join(items), encoding="ascii")


def document_of_wide_characters(path: Path) -> None:
    """One document just under the size cap of characters that take four bytes in memory
    (and in UTF-8): a Pod with one such value where a number belongs."""
    from sidecarlint.parse import MAX_DOCUMENT_SIZE

    head = POD.format(i=0, value='"{value}"')
    value = "\U0001f600" * ((MAX_DOCUMENT_SIZE - len(head) - 16) // 4)
    path.write_text(head.replace("{value}", value), encoding="utf-8")


def unknown_fields(path: Path) -> None:
    """A Pod just under the object bound, all unknown fields in its spec (a finding each)."""
    from sidecarlint.pipeline import MAX_OBJECT_NODES

    fields = "".join(f"  field{n}: {n}\n" for n in range(MAX_OBJECT_NODES // 2 - 20))
    path.write_text(POD.format(i=0, value=30) + fields, encoding="ascii")


def _pod_of_wrong_types(i: int, indent: str = "") -> str:
    """A Pod just under the object bound: containers with two values of the wrong type
    each (a finding each)."""
    from sidecarlint.pipeline import MAX_OBJECT_NODES

    head = POD.format(i=i, value=30).split("  containers:")[0] + "  containers:\n"
    containers = "".join(
        f"    - {{name: c{n}, image: i, tty: 'yes', stdin: 'no'}}\n"
        for n in range(MAX_OBJECT_NODES // 9 - 10)
    )
    return "".join(indent + line + "\n" for line in (head + containers).splitlines())


def wrong_types(path: Path) -> None:
    """One Pod just under the object bound, with a wrong-type value in each container."""
    path.write_text(_pod_of_wrong_types(0), encoding="ascii")


def list_of_wrong_types(path: Path) -> None:
    """A List of such Pods, up to the document's node bound."""
    from sidecarlint.parse import MAX_DOCUMENT_NODES
    from sidecarlint.pipeline import MAX_OBJECT_NODES

    items = "".join(
        _pod_of_wrong_types(i, "    ").replace("    apiVersion", "  - apiVersion", 1)
        for i in range(MAX_DOCUMENT_NODES // MAX_OBJECT_NODES)
    )
    path.write_text("apiVersion: v1\nkind: List\nitems:\n" + items, encoding="ascii")


def wide_document(path: Path) -> None:
    """One mapping with keys up to the node bound (each key and value a node)."""
    from sidecarlint.parse import MAX_DOCUMENT_NODES

    keys = (MAX_DOCUMENT_NODES - 1) // 2
    path.write_text("".join(f"k{n}: v\n" for n in range(keys)), encoding="ascii")


def deep_document(path: Path) -> None:
    """Nesting at the depth limit, repeated up to the node bound or the size cap: mappings
    100 levels deep."""
    from sidecarlint.parse import MAX_DEPTH, MAX_DOCUMENT_NODES, MAX_DOCUMENT_SIZE

    chain = "".join("  " * d + f"l{d}:\n" for d in range(MAX_DEPTH - 1))
    chain += "  " * (MAX_DEPTH - 1) + "leaf: x\n"
    copies = min((MAX_DOCUMENT_NODES - 1) // (2 * MAX_DEPTH), MAX_DOCUMENT_SIZE // len(chain) - 1)
    path.write_text(
        "".join(chain.replace("l0:", f"t{n}:", 1) for n in range(copies)), encoding="ascii"
    )


def flow_list(path: Path) -> None:
    """A flow list of numbers up to the node bound (the densest nodes YAML has)."""
    from sidecarlint.parse import MAX_DOCUMENT_NODES

    path.write_text("[" + ",".join("0" for _ in range(MAX_DOCUMENT_NODES - 1)) + "]\n")


def json_dense(path: Path) -> None:
    """A JSON stream of numbers just under the size a JSON stream may have."""
    from sidecarlint.parse import MAX_DOCUMENT_SIZE

    count = (MAX_DOCUMENT_SIZE - 64) // 2
    path.write_text('{"a": [' + ",".join("0" for _ in range(count)) + "]}\n")


def alias_bomb(path: Path) -> None:
    """A List whose items are aliases of one Pod (with a finding), expanding to just under
    the alias-expansion limit (1,000,000 nodes)."""
    from sidecarlint.parse import MAX_NODES

    pod = POD.format(i=0, value='"30s"').replace("\n", "\n    ").rstrip()
    nodes = 21  # the Pod's nodes: its mappings, sequences, keys and values
    count = (MAX_NODES - 10) // (nodes + 0) - 1
    items = ", ".join(["*p"] * count)
    path.write_text(
        f"apiVersion: v1\nkind: List\nspare: &p\n    {pod}\nitems: [{items}]\n",
        encoding="ascii",
    )


# --- cases ----------------------------------------------------------------------------------


class Case:
    def __init__(self, name: str, make: Callable[[Path], list[str]], args: list[str]) -> None:
        self.name = name
        self.make = make
        self.args = args


def _file(maker: Callable[[Path], object], name: str) -> Callable[[Path], list[str]]:
    def make(work: Path) -> list[str]:
        path = work / name
        if not path.exists():
            maker(path)
        return [str(path)]

    return make


def _dup_files(count: int) -> Callable[[Path], list[str]]:
    def make(work: Path) -> list[str]:
        paths = []
        for n in range(count):
            path = work / f"dup-{n}.yaml"
            if not path.exists():
                duplicate_keys(path)
            paths.append(str(path))
        return paths

    return make


def _big_values(work: Path) -> list[str]:
    directory = work / "big-values"
    if not directory.exists():
        big_values(directory)
    return [str(directory)]


JSON = ["--format", "json"]
CASES = [
    Case("duplicate keys, one 5 MiB file, json", _dup_files(1), JSON),
    Case("duplicate keys, three 5 MiB files, json", _dup_files(3), JSON),
    Case("duplicate keys, one 5 MiB file, sarif", _dup_files(1), ["--format", "sarif"]),
    Case("duplicate keys, one 5 MiB file, text --show-source", _dup_files(1), ["--show-source"]),
    Case("100 Pods with a 4 MB value, json", _big_values, JSON),
    Case("100 Pods with a 4 MB value, json, --jobs 1", _big_values, [*JSON, "--jobs", "1"]),
    Case("100 Pods with a 4 MB value, sarif", _big_values, ["--format", "sarif"]),
    Case("250 MiB of Deployments, json", _file(many_documents, "many.yaml"), JSON),
    Case(
        "250 MiB of Deployments, sarif", _file(many_documents, "many.yaml"), ["--format", "sarif"]
    ),
    Case("250 MiB of Deployments, text", _file(many_documents, "many.yaml"), []),
    Case(
        "66 Pods of 3.5 MB waiting for a later ConfigMap, one file, json",
        _file(waiting_pods, "waiting.yaml"),
        JSON,
    ),
    Case("one document just under 8 MiB, json", _file(document_under_cap, "under.yaml"), JSON),
    Case(
        "one document of 4-byte characters under 8 MiB, json",
        _file(document_of_wide_characters, "wide-characters.yaml"),
        JSON,
    ),
    Case(
        "a Pod of 20,000 nodes, all unknown fields, json",
        _file(unknown_fields, "unknown.yaml"),
        JSON,
    ),
    Case(
        "a Pod of 20,000 nodes, two wrong-type values a container, json",
        _file(wrong_types, "types.yaml"),
        JSON,
    ),
    Case(
        "a List of 12 such Pods (240,000 nodes), json",
        _file(list_of_wrong_types, "types-list.yaml"),
        JSON,
    ),
    Case("wide mapping at the node bound, json", _file(wide_document, "wide.yaml"), JSON),
    Case("deep nesting just under 8 MiB, json", _file(deep_document, "deep.yaml"), JSON),
    Case("flow list at the node bound, json", _file(flow_list, "flow.yaml"), JSON),
    Case("JSON stream of numbers under 8 MiB, json", _file(json_dense, "dense.json"), JSON),
    Case("aliases expanding to 1M nodes, json", _file(alias_bomb, "bomb.yaml"), JSON),
]


def run_cases(
    work: Path, names: list[str] | None = None, against: Path | None = None
) -> Iterator[tuple[str, float, float, int, float]]:
    """(case, peak MB of the tree and of its largest process, exit code, seconds) for each
    case (or those named); ``against``: the checkout whose sidecarlint is run (default: the
    one installed)."""
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(HERE.parent))
    for case in CASES:
        if names and not any(n in case.name for n in names):
            continue
        inputs = case.make(work)
        env = None if against is None else {**os.environ, "PYTHONPATH": str(against)}
        start = time.perf_counter()
        tree, largest, code = peak_mb(["check", *case.args, *inputs], cwd=work, env=env)
        yield case.name, tree, largest, code, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", action="append", help="run the cases whose name has this")
    parser.add_argument("--keep", type=Path, help="write (and reuse) the inputs here")
    parser.add_argument("--against", type=Path, help="run the sidecarlint of this checkout")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sidecarlint-memory-") as scratch:
        work = args.keep or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        print(f"{'case':<66} {'tree':>6} {'largest':>7} {'time':>7}")
        for name, tree, largest, code, seconds in run_cases(work, args.case, args.against):
            mark = "" if tree <= LIMIT_MB else f"  over {LIMIT_MB} MB"
            print(
                f"{name:<66} {tree:3.0f} MB {largest:4.0f} MB {seconds:5.1f} s  exit {code}{mark}",
                flush=True,
            )


if __name__ == "__main__":
    main()
