"""Benchmarks: print a table of timings and ratios to the YAML-parsing floor.

    python benchmarks/run.py [--corpus DIR] [--quick] [--peers]

The floor is the time PyYAML's libyaml ``compose_all`` takes to build nodes for the same
bytes, single process. Each figure is the best of ``--repeat`` runs. Peers (checkov,
kubernetes-validate) are installed into a throwaway virtualenv with ``--peers``.
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
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

from sidecarlint.pipeline import Settings, _Engine  # noqa: E402
from sidecarlint.sources import discover, read_source  # noqa: E402


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


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
    from sidecarlint import resources, shell

    shell._commands.cache_clear()
    shell._file_access.cache_clear()
    resources._parse_text.cache_clear()


def engine_run(all_texts: list[str], settings: Settings) -> None:
    cold_caches()
    engine = _Engine(settings)
    for text in all_texts:
        engine.lint_text(text, "bench.yaml")


def cli_time(args: list[str], repeat: int) -> float:
    cmd = [sys.executable, "-m", "sidecarlint", *args]
    return best(lambda: subprocess.run(cmd, capture_output=True, check=False), repeat)


def peak_rss_mb(args: list[str]) -> float:
    """Peak RSS of the whole process tree (children included) in MB."""
    code = (
        "import resource, subprocess, sys;"
        f"subprocess.run({[sys.executable, '-m', 'sidecarlint', *args]!r}, capture_output=True);"
        "print(max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,0))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return int(out.stdout.strip() or 0) / 1024


def cold_start(path: Path, repeat: int) -> tuple[float, float]:
    def once(cmd: list[str]) -> float:
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False)
        return time.perf_counter() - start

    base = statistics.median(once([sys.executable, "-c", "pass"]) for _ in range(repeat))
    ours = statistics.median(
        once([sys.executable, "-m", "sidecarlint", "check", str(path)]) for _ in range(repeat)
    )
    return base, ours


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=HERE.parent.parent / "shared/corpus/real")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument(
        "--peers", action="store_true", help="also time checkov and kubernetes-validate"
    )
    args = parser.parse_args()

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    work = Path(tempfile.mkdtemp(prefix="sidecarlint-bench-"))
    single, many = generate(work / "gen", args.count, 500)
    size_mb = single.stat().st_size / 1e6
    rows: list[tuple[str, float, float]] = []

    gen_texts = texts([str(single)])
    base = best(lambda: floor(gen_texts), args.repeat)
    rows.append((f"floor: libyaml compose_all, generated ({size_mb:.1f} MB)", base, 1.0))
    t = best(lambda: parse_only(gen_texts), args.repeat)
    rows.append(("parse only (ours)", t, t / base))
    no_validate = Settings(validate=False, max_file_size=1 << 30)
    t_rules = best(lambda: engine_run(gen_texts, no_validate), args.repeat)
    rows.append(("parse + rules, no schema validation", t_rules, t_rules / base))
    full = Settings(max_file_size=1 << 30)
    t_full = best(lambda: engine_run(gen_texts, full), args.repeat)
    rows.append(("parse + schema validation + rules", t_full, t_full / base))
    print(f"schema validation adds {100 * (t_full - t_rules) / t_rules:.0f}% to parse + rules")

    big = ["--max-file-size", str(1 << 30)]
    t = cli_time(["check", "--jobs", "1", *big, str(single)], args.repeat)
    rows.append(("CLI check --jobs 1, one file", t, t / base))
    t = cli_time(["check", "--jobs", "1", str(many)], args.repeat)
    rows.append(("CLI check --jobs 1, 500 files", t, t / base))
    t = cli_time(["check", "--jobs", "auto", str(many)], args.repeat)
    rows.append(("CLI check --jobs auto, 500 files", t, t / base))

    if args.corpus.is_dir():
        corpus_texts = texts([str(args.corpus)])
        corpus_mb = sum(len(x.encode()) for x in corpus_texts) / 1e6
        cbase = best(lambda: floor(corpus_texts), args.repeat)
        rows.append((f"floor: real corpus ({corpus_mb:.1f} MB)", cbase, 1.0))
        t = cli_time(["check", "--jobs", "1", str(args.corpus)], args.repeat)
        rows.append(("CLI check --jobs 1, real corpus", t, t / cbase))
        t = cli_time(["check", "--jobs", "auto", str(args.corpus)], args.repeat)
        rows.append(("CLI check --jobs auto, real corpus", t, t / cbase))
        rss = peak_rss_mb(["check", "--jobs", "auto", str(args.corpus)])
        print(f"peak RSS, real corpus, --jobs auto (process tree): {rss:.0f} MB")

    width = max(len(r[0]) for r in rows)
    print(f"{'what':<{width}}  {'seconds':>8}  {'x floor':>7}")
    for name, seconds, ratio in rows:
        print(f"{name:<{width}}  {seconds:8.3f}  {ratio:7.2f}")

    one = work / "one-deployment.yaml"
    one.write_text(gen_texts[0].split("---\n")[0], encoding="utf-8")
    bare, ours = cold_start(one, 11)
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

    if args.peers and args.corpus.is_dir():
        for name, seconds in peers(many, args.repeat).items():
            ours_many = cli_time(["check", "--jobs", "auto", str(many)], 1)
            print(f"peer {name}: {seconds:.2f} s ({seconds / ours_many:.0f}x slower than us)")


if __name__ == "__main__":
    main()
