"""Generate ``schemas/`` from the strict schemas shipped in the ``kubernetes-validate`` package.

For every bundled Kubernetes minor and every pod-bearing kind, keep the object schema and
the definitions reachable from it, drop what does not affect validation (descriptions,
``x-kubernetes-*`` annotations), and store each distinct definition once across versions.

Layout written:

- ``definitions.json``: content hash -> definition, one per line, shared by all versions;
- ``v1.NN.json``: per version, ``kinds`` ("apiVersion/Kind" -> root schema whose ``$ref``s
  point at ``#/$defs/<name>``, plus the names it reaches) and ``defs`` (name -> hash);
- ``field-history.json``: definition short name -> property -> first version that has it;
- ``manifest.json``: source package and version, versions, and a sha256 per file.

Usage: ``python scripts/generate_schemas.py [--output DIR] [--check]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

MINORS = range(27, 38)
KINDS = {
    "Pod",
    "PodTemplate",
    "ReplicationController",
    "Deployment",
    "ReplicaSet",
    "DaemonSet",
    "StatefulSet",
    "Job",
    "CronJob",
}
_REF_PREFIX = "/api/_definitions.json#/$defs/"
_DROP_KEYS = {"description", "$id", "$comment", "default", "example", "examples"}


def source_root() -> tuple[Path, str]:
    """The kubernetes-validate schema tree and the package version."""
    import kubernetes_validate
    from kubernetes_validate.version import __version__

    return Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema", __version__


def clean(node: Any) -> Any:
    """A copy of a schema node without annotations that do not affect validation."""
    if isinstance(node, list):
        return [clean(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: clean(sub) for name, sub in value.items()}
        elif key in _DROP_KEYS or key.startswith("x-kubernetes-"):
            continue
        elif key == "$ref" and isinstance(value, str):
            out[key] = "#/$defs/" + value.removeprefix(_REF_PREFIX).rsplit("/", 1)[-1]
        else:
            out[key] = clean(value)
    return out


def refs(node: Any) -> set[str]:
    """Definition names referenced anywhere in ``node``."""
    found: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            ref = current.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                found.add(ref[len("#/$defs/") :])
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return found


def reachable(roots: set[str], defs: dict[str, Any]) -> set[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen or name not in defs:
            continue
        seen.add(name)
        todo.extend(refs(defs[name]))
    return seen


def dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def digest(value: Any) -> str:
    return hashlib.sha256(dump(value).encode()).hexdigest()[:16]


def short(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def generate() -> dict[str, str]:
    """Every output file's name and text."""
    root, package_version = source_root()
    store: dict[str, Any] = {}
    versions: dict[str, Any] = {}
    history: dict[str, dict[str, str]] = {}
    for minor in MINORS:
        version = f"1.{minor}"
        tree = root / f"v1.{minor}.0-local-strict"
        raw_defs = json.loads((tree / "_definitions.json").read_text())["$defs"]
        defs = {name: clean(schema) for name, schema in raw_defs.items()}
        kinds: dict[str, Any] = {}
        used: set[str] = set()
        for path in sorted(tree.glob("*.json")):
            if path.name.startswith("_") or "-" not in path.name:
                continue
            if path.name.split("-", 1)[0] not in {k.lower() for k in KINDS}:
                continue
            data = json.loads(path.read_text())
            gvks = data.get("x-kubernetes-group-version-kind") or []
            for gvk in gvks:
                if gvk.get("kind") not in KINDS:
                    continue
                group, api, kind = gvk.get("group", ""), gvk["version"], gvk["kind"]
                api_version = f"{group}/{api}" if group else api
                schema = clean(data)
                schema["$schema"] = data.get(
                    "$schema", "https://json-schema.org/draft/2020-12/schema"
                )
                names = sorted(reachable(refs(schema), defs))
                used.update(names)
                kinds[f"{api_version}/{kind}"] = {"schema": schema, "defs": names}
        table: dict[str, str] = {}
        for name in sorted(used):
            key = digest(defs[name])
            store[key] = defs[name]
            table[name] = key
            for prop in defs[name].get("properties", {}):
                history.setdefault(short(name), {}).setdefault(prop, version)
        versions[version] = {"kinds": dict(sorted(kinds.items())), "defs": table}

    files: dict[str, str] = {}
    lines = [f"{json.dumps(key)}:{dump(store[key])}" for key in sorted(store)]
    files["definitions.json"] = "{\n" + ",\n".join(lines) + "\n}\n"
    for version, data in versions.items():
        files[f"v{version}.json"] = json.dumps(data, sort_keys=True, indent=1) + "\n"
    files["field-history.json"] = json.dumps(history, sort_keys=True, indent=1) + "\n"
    manifest = {
        "source": {"package": "kubernetes-validate", "version": package_version},
        "versions": list(versions),
        "files": {
            name: hashlib.sha256(text.encode()).hexdigest() for name, text in sorted(files.items())
        },
    }
    files["manifest.json"] = json.dumps(manifest, sort_keys=True, indent=1) + "\n"
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=Path(__file__).parent.parent / "schemas")
    parser.add_argument("--check", action="store_true", help="fail if the output would change")
    args = parser.parse_args(argv)
    files = generate()
    if args.check:
        stale = [
            name
            for name, text in files.items()
            if not (args.output / name).is_file()
            or (args.output / name).read_text(encoding="utf-8") != text
        ]
        extra = sorted(p.name for p in args.output.glob("*.json") if p.name not in files)
        for name in stale + extra:
            print(f"{args.output / name}: out of date", file=sys.stderr)
        return 1 if stale or extra else 0
    args.output.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (args.output / name).write_text(text, encoding="utf-8", newline="\n")
    total = sum(len(t.encode()) for t in files.values())
    print(f"wrote {len(files)} files, {total:,} bytes, to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
