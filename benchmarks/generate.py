"""Generate the synthetic benchmark corpus: Deployments and Jobs with native sidecars.

Each object has an app container and a native sidecar sharing an emptyDir (about 1.4 KB),
alternating Deployments and Jobs. Written as one multi-document file and as N files.

    python benchmarks/generate.py OUT_DIR [--count 5000] [--files 500]
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  namespace: team-{team}
  labels:
    app: app-{i}
    tier: backend
spec:
  replicas: 2
  selector:
    matchLabels:
      app: app-{i}
  template:
    metadata:
      labels:
        app: app-{i}
        tier: backend
    spec:
      initContainers:
        - name: log-shipper
          image: fluent/fluent-bit:3.1.{patch}
          restartPolicy: Always
          args: ["-i", "tail", "-p", "path=/var/log/app/app.log", "-o", "stdout"]
          resources:
            requests: {{cpu: 50m, memory: 64Mi}}
            limits: {{cpu: 100m, memory: 128Mi}}
          volumeMounts:
            - name: logs
              mountPath: /var/log/app
              readOnly: true
      containers:
        - name: app
          image: registry.example.com/app:{i}
          command: ["sh", "-c", "exec /app/server --log-file=/var/log/app/app.log"]
          ports:
            - containerPort: 8080
              protocol: TCP
          env:
            - name: MODE
              value: "production"
            - name: INDEX
              value: "{i}"
          resources:
            requests: {{cpu: 250m, memory: 256Mi}}
            limits: {{cpu: "1", memory: 512Mi}}
          readinessProbe:
            httpGet: {{path: /healthz, port: 8080}}
            periodSeconds: 5
          volumeMounts:
            - name: logs
              mountPath: /var/log/app
      volumes:
        - name: logs
          emptyDir: {{}}
"""

JOB = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: job-{i}
  namespace: team-{team}
  labels:
    app: job-{i}
spec:
  backoffLimit: 4
  template:
    metadata:
      labels:
        app: job-{i}
    spec:
      restartPolicy: Never
      initContainers:
        - name: log-shipper
          image: fluent/fluent-bit:3.1.{patch}
          restartPolicy: Always
          args: ["-i", "tail", "-p", "path=/var/log/job/job.log", "-o", "stdout"]
          resources:
            requests: {{cpu: 50m, memory: 64Mi}}
            limits: {{cpu: 100m, memory: 128Mi}}
          volumeMounts:
            - name: logs
              mountPath: /var/log/job
              readOnly: true
      containers:
        - name: work
          image: registry.example.com/batch:{i}
          command: ["sh", "-c", "run-batch --output /var/log/job/job.log --shard {i}"]
          env:
            - name: SHARD
              value: "{i}"
            - name: RETRIES
              value: "3"
          resources:
            requests: {{cpu: 500m, memory: 512Mi}}
            limits: {{cpu: "1", memory: 1Gi}}
          volumeMounts:
            - name: logs
              mountPath: /var/log/job
      volumes:
        - name: logs
          emptyDir: {{}}
"""


def document(i: int) -> str:
    template = DEPLOYMENT if i % 2 == 0 else JOB
    return template.format(i=i, team=i % 17, patch=i % 9)


_PLAIN = re.compile(r"[A-Za-z/_][A-Za-z0-9/._:=-]*")


def _flow(value: object) -> str:
    """A value in flow style, scalars unquoted wherever YAML reads them back as text."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, str):
        plain = _PLAIN.fullmatch(value) and value.lower() not in (
            "y",
            "n",
            "yes",
            "no",
            "on",
            "off",
            "true",
            "false",
            "null",
        )
        return value if plain else json.dumps(value)
    return json.dumps(value)


def flow_document(i: int) -> str:
    """The same workload written in compact flow style, as hand-written manifests, docs and
    generators often are: every collection below the top level in brackets, and scalars
    such as ``image: fluent/fluent-bit:3.1.0`` unquoted."""
    import yaml

    data = yaml.safe_load(document(i))
    return "".join(f"{key}: {_flow(value)}\n" for key, value in data.items())


def generate_flow(out: Path, count: int) -> Path:
    """Write ``flow.yaml``: ``count`` workloads in flow style, one multi-document file."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "flow.yaml"
    path.write_text("---\n".join(flow_document(i) for i in range(count)), encoding="utf-8")
    return path


def generate(out: Path, count: int, files: int) -> tuple[Path, Path]:
    """Write ``all.yaml`` (every document) and ``many/`` (``files`` files); return both."""
    out.mkdir(parents=True, exist_ok=True)
    docs = [document(i) for i in range(count)]
    single = out / "all.yaml"
    single.write_text("---\n".join(docs), encoding="utf-8")
    many = out / "many"
    many.mkdir(exist_ok=True)
    per_file = max(1, count // files)
    for n in range(files):
        chunk = docs[n * per_file : (n + 1) * per_file]
        (many / f"m{n:04d}.yaml").write_text("---\n".join(chunk), encoding="utf-8")
    return single, many


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--files", type=int, default=500)
    args = parser.parse_args()
    single, many = generate(args.out, args.count, args.files)
    print(f"{single} ({single.stat().st_size / 1e6:.1f} MB), {many}/ ({args.files} files)")


if __name__ == "__main__":
    main()
