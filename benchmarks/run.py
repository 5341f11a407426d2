"""Benchmarks: print a table of timings and ratios to the YAML-parsing floor.

    python benchmarks/run.py [--corpus DIR] [--repeat N] [--count N] [--peers] [--no-memory]

Measured as a user sees it: each ``sidecarlint check`` is a whole process (start-up
included), and the floor is a whole process too, PyYAML's libyaml ``compose_all`` over the
same files. On a shared machine the speed of the CPU drifts from second to second, so runs
alternate with floor runs of the same input, ``--repeat`` times over (default 7), and the
ratio shown is the median of those paired ratios (the seconds shown are the median too).
A few in-process rows (paired with the in-process floor) show where the time goes. Peers
(checkov, kubernetes-validate) are installed into a throwaway virtualenv with ``--peers``.
A last section prints the peak memory of hostile and very large inputs within the default
limits (``benchmarks/memory.py``; several minutes, skipped with ``--no-memory``).

Subprocesses run with bytecode caching allowed, as an installed copy does.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from generate import generate, generate_flow  # noqa: E402

from sidecarlint.pipeline import Settings, _Engine  # noqa: E402
from sidecarlint.sources import discover, read_source  # noqa: E402


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def best(fn: Callable[[], object], repeat: int) -> float:
    return min(timed(fn) for _ in range(repeat))


def paired(
    fn: Callable[[], object], base: Callable[[], object], repeat: int
) -> tuple[float, float]:
    """Median seconds of ``fn`` and median of its ratios to ``base`` timed just before."""
    seconds, ratios = [], []
    for _ in range(repeat):
        floor_seconds = timed(base)
        spent = timed(fn)
        seconds.append(spent)
        ratios.append(spent / floor_seconds)
    return statistics.median(seconds), statistics.median(ratios)


#: Subprocess environment: bytecode is cached, as it is for an installed copy.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def texts(paths: list[str]) -> list[str]:
    out = []
    for source in discover(paths):
        text = read_source(source, 1 << 30)
        if isinstance(text, str):
            out.append(text)
    return out


def floor(all_texts: list[str]) -> None:
    import yaml

    for text in all_texts:
        try:
            for _ in yaml.compose_all(text, Loader=yaml.CSafeLoader):
                pass
        except yaml.YAMLError:
            pass


def parse_only(all_texts: list[str]) -> None:
    from sidecarlint.parse import iter_documents

    for text in all_texts:
        for _ in iter_documents(text, "x", max_nodes=10**9):
            pass


def cold_caches() -> None:
    """Forget what an earlier repeat parsed, so repeats measure the same work."""
    from sidecarlint import activity, images, resources, shell

    shell._commands.cache_clear()
    shell._file_access.cache_clear()
    shell._runs_forever.cache_clear()
    activity._argv_facts.cache_clear()
    images.lookup.cache_clear()
    images._lookup_name.cache_clear()
    resources._parse_text.cache_clear()


def engine_run(all_texts: list[str], settings: Settings) -> None:
    cold_caches()
    engine = _Engine(settings)
    for text in all_texts:
        engine.lint_text(text, "bench.yaml")


def validation_share(all_texts: list[str], settings: Settings) -> tuple[float, float]:
    """Seconds spent validating, and in the whole in-process run (one run, timed inside)."""
    cold_caches()
    engine = _Engine(settings)
    validator = engine.validator
    assert validator is not None
    validator.quick_left = 0
    validate = validator.validate
    spent = 0.0

    def timed_validate(obj: Any, *, partial: bool = False) -> Iterator[Any]:
        nonlocal spent
        start = time.perf_counter()
        found = list(validate(obj, partial=partial))
        spent += time.perf_counter() - start
        return iter(found)

    validator.validate = timed_validate  # type: ignore[method-assign]
    start = time.perf_counter()
    for text in all_texts:
        engine.lint_text(text, "bench.yaml")
    return spent, time.perf_counter() - start


def command() -> list[str]:
    """The installed ``sidecarlint`` command (what users and pre-commit run), else ``-m``."""
    script = Path(sys.executable).with_name("sidecarlint")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sidecarlint"]


def cli(args: list[str]) -> Callable[[], object]:
    cmd = [*command(), *args]
    return lambda: subprocess.run(cmd, capture_output=True, check=False, env=ENV)


def peak_rss_mb(args: list[str]) -> float:
    """Peak RSS of the whole process tree (children included) in MB."""
    code = (
        "import resource, subprocess, sys;"
        f"subprocess.run({[*command(), *args]!r}, capture_output=True);"
        "print(max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,0))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV)
    return int(out.stdout.strip() or 0) / 1024


def cold_start(path: Path, repeat: int) -> tuple[float, float]:
    """Median wall time of ``python -c pass`` and of checking one file, interleaved.

    Both run in the file's directory, outside any repository and without a config file,
    like a pre-commit hook in a repository of manifests.
    """

    def once(cmd: list[str]) -> float:
        return timed(
            lambda: subprocess.run(cmd, capture_output=True, check=False, env=ENV, cwd=path.parent)
        )

    ours_cmd = [*command(), "check", path.name]
    once(ours_cmd)  # caches bytecode
    bare, ours = [], []
    for _ in range(repeat):
        bare.append(once([sys.executable, "-c", "pass"]))
        ours.append(once(ours_cmd))
    return statistics.median(bare), statistics.median(ours)


def peers(corpus: Path, repeat: int) -> dict[str, float]:
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = venv / "bin" / "pip"
        subprocess.run(
            [str(pip), "install", "-q", "checkov", "kubernetes-validate"],
            capture_output=True,
            check=False,
        )
        checkov = venv / "bin" / "checkov"
        if checkov.exists():
            results["checkov --framework kubernetes"] = best(
                lambda: subprocess.run(
                    [str(checkov), "-d", str(corpus), "--framework", "kubernetes", "--quiet"],
                    capture_output=True,
                    check=False,
                ),
                1,
            )
        kv = venv / "bin" / "kubernetes-validate"
        if kv.exists():
            files = [s.path for s in discover([str(corpus)]) if s.path]
            results["kubernetes-validate --strict"] = best(
                lambda: subprocess.run(
                    [str(kv), "--strict", "--quiet", *files], capture_output=True, check=False
                ),
                1,
            )
    return results


FLOOR = """\
import os, sys, yaml
paths = []
for arg in sys.argv[1:]:
    if os.path.isdir(arg):
        for root, dirs, files in os.walk(arg):
            dirs.sort()
            paths += [os.path.join(root, f) for f in sorted(files)
                      if f.endswith((".yaml", ".yml", ".json"))]
    else:
        paths.append(arg)
for path in paths:
    with open(path, encoding="utf-8", errors="replace") as handle:
        text = handle.read()
    try:
        for _ in yaml.compose_all(text, Loader=yaml.CSafeLoader):
            pass
    except yaml.YAMLError:
        pass
"""


def floor_process(paths: list[str]) -> Callable[[], object]:
    """The floor as a whole process: PyYAML's libyaml ``compose_all`` over the same files,
    start-up included, as a user would see it."""
    cmd = [sys.executable, "-c", FLOOR, *paths]
    return lambda: subprocess.run(cmd, capture_output=True, check=False, env=ENV)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=HERE.parent.parent / "shared/corpus/real")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument(
        "--peers", action="store_true", help="also time checkov and kubernetes-validate"
    )
    parser.add_argument(
        "--no-memory", action="store_true", help="leave out the peak memory of large inputs"
    )
    args = parser.parse_args()

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    work = Path(tempfile.mkdtemp(prefix="sidecarlint-bench-"))
    single, many = generate(work / "gen", args.count, 500)
    flow = generate_flow(work / "gen", args.count)
    size_mb = single.stat().st_size / 1e6
    repeat = args.repeat
    rows: list[tuple[str, float, float]] = []

    def whole(name: str, command: list[str], inputs: list[str]) -> None:
        """A ``sidecarlint`` run as a process, paired run by run with the floor process."""
        rows.append((name, *paired(cli([*command, *inputs]), floor_process(inputs), repeat)))

    many_floor = floor_process([str(many)])
    rows.append((f"floor (a process): 500 files, {size_mb:.1f} MB", best(many_floor, 3), 1.0))
    whole("sidecarlint check --jobs 1, 500 files", ["check", "--jobs", "1"], [str(many)])
    whole("sidecarlint check (default --jobs), 500 files", ["check"], [str(many)])
    whole(
        "sidecarlint check --jobs 1 --format json -k 1.33, 500 files",
        ["check", "--jobs", "1", "--format", "json", "-k", "1.33"],
        [str(many)],
    )
    whole("sidecarlint check --jobs 1, one file", ["check", "--jobs", "1"], [str(single)])
    whole(
        f"sidecarlint check --jobs 1, flow style ({flow.stat().st_size / 1e6:.1f} MB)",
        ["check", "--jobs", "1"],
        [str(flow)],
    )
    if args.corpus.is_dir():
        corpus = [str(args.corpus)]
        whole("sidecarlint check --jobs 1, real corpus", ["check", "--jobs", "1"], corpus)
        whole("sidecarlint check (default --jobs), real corpus", ["check"], corpus)

    # In one process, for where the time goes (floor: the same composing, in-process).
    gen_texts = texts([str(single)])

    def gen_floor() -> None:
        floor(gen_texts)

    rows.append(
        ("in-process: parse only", *paired(lambda: parse_only(gen_texts), gen_floor, repeat))
    )
    full = Settings(max_file_size=1 << 30)
    rows.append(
        (
            "in-process: parse + validation + rules",
            *paired(lambda: engine_run(gen_texts, full), gen_floor, repeat),
        )
    )
    spent, whole_run = validation_share(gen_texts, full)
    print(f"schema validation: {100 * spent / whole_run:.0f}% of parse + validation + rules")

    width = max(len(r[0]) for r in rows)
    print(f"{'what':<{width}}  {'seconds':>8}  {'x floor':>7}")
    for name, seconds, ratio in rows:
        print(f"{name:<{width}}  {seconds:8.3f}  {ratio:7.2f}")

    if args.corpus.is_dir():
        rss = peak_rss_mb(["check", str(args.corpus)])
        print(f"peak RSS, real corpus, default --jobs (process tree): {rss:.0f} MB")
    one = work / "one-deployment.yaml"
    one.write_text(gen_texts[0].split("---\n")[0], encoding="utf-8")
    bare, ours = cold_start(one, 21)
    print(
        f"cold start: python -c pass {bare * 1000:.0f} ms; sidecarlint check one file "
        f"{ours * 1000:.0f} ms (target <= {3 * bare * 1000 + 100:.0f} ms)"
    )

    print("scaling (parse + validation + rules, single process):")
    for mb in (1, 10, 50):
        count = int(args.count * mb / size_mb)
        path, _ = generate(work / f"scale{mb}", count, 1)
        scale_texts = texts([str(path)])
        t = best(lambda st=scale_texts: engine_run(st, full), 1)  # type: ignore[misc]
        print(f"  {mb:>3} MB: {t:7.2f} s, {t / mb:.3f} s/MB")

    if not args.no_memory:
        # In a process of its own: a child's peak RSS (wait4) starts at what the process that
        # forked it held, and this one holds the generated sets by now.
        print("peak memory, hostile and large inputs: the whole process tree, its largest process")
        sys.stdout.flush()
        subprocess.run([sys.executable, str(Path(__file__).with_name("memory.py"))], check=False)

    if args.peers and args.corpus.is_dir():
        for name, seconds in peers(many, args.repeat).items():
            ours_many = timed(cli(["check", str(many)]))
            print(f"peer {name}: {seconds:.2f} s ({seconds / ours_many:.0f}x slower than us)")


if __name__ == "__main__":
    main()
