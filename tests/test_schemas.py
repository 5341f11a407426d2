"""The bundled schemas: generated, pinned, complete, shipped in the wheel."""

from __future__ import annotations

import hashlib
import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from sidecarlint import schemas
from sidecarlint.versions import SUPPORTED
from tests.conftest import REPO

KINDS = {
    "v1/Pod",
    "v1/PodTemplate",
    "v1/ReplicationController",
    "apps/v1/Deployment",
    "apps/v1/ReplicaSet",
    "apps/v1/DaemonSet",
    "apps/v1/StatefulSet",
    "batch/v1/Job",
    "batch/v1/CronJob",
}


@pytest.mark.skipif(
    importlib.util.find_spec("kubernetes_validate") is None,
    reason="kubernetes-validate (the schema source, a test dependency) is not installed",
)
def test_regeneration_matches_committed_schemas() -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "generate_schemas.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr


def test_manifest_hashes_match_files() -> None:
    manifest = schemas.manifest()
    assert manifest["source"]["package"] == "kubernetes-validate"
    assert manifest["versions"] == list(SUPPORTED)
    for name, digest in manifest["files"].items():
        data = (Path(schemas.data_dir()) / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, name


@pytest.mark.parametrize("version", SUPPORTED)
def test_every_version_has_every_kind(version: str) -> None:
    served = {
        f"{api}/{kind}" for kind, apis in schemas.kinds_served(version).items() for api in apis
    }
    assert served == KINDS


def test_field_history() -> None:
    assert schemas.field_added_in("Container", "restartPolicy") == "1.28"
    assert schemas.field_added_in("Container", "restartPolicyRules") == "1.34"
    assert schemas.field_added_in("LifecycleHandler", "sleep") == "1.29"
    assert schemas.field_added_in("PodSpec", "resources") == "1.32"
    assert schemas.field_added_in("Container", "image") == "1.27"
    assert schemas.field_added_in("Container", "nonsense") is None


def _deployment(init: dict[str, object]) -> dict[str, object]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d"},
        "spec": {
            "selector": {"matchLabels": {"app": "d"}},
            "template": {
                "metadata": {"labels": {"app": "d"}},
                "spec": {
                    "initContainers": [init],
                    "containers": [{"name": "app", "image": "busybox"}],
                },
            },
        },
    }


def test_restart_policy_valid_on_128_not_on_127() -> None:
    doc = _deployment({"name": "proxy", "image": "envoy", "restartPolicy": "Always"})
    assert list(schemas.validator_for("1.28", "apps/v1", "Deployment").iter_errors(doc)) == []
    errors = list(schemas.validator_for("1.27", "apps/v1", "Deployment").iter_errors(doc))
    assert len(errors) == 1
    assert type(errors[0].kind).__name__ == "AdditionalProperties"
    assert list(errors[0].kind.unexpected) == ["restartPolicy"]
    assert list(errors[0].instance_path) == ["spec", "template", "spec", "initContainers", 0]


@pytest.mark.parametrize(
    ("field", "value", "valid"),
    [
        ("env", [{"name": "A", "value": True}], False),
        ("env", [{"name": "A", "value": "yes"}], True),
        ("ports", [{"containerPort": "8080"}], False),
        ("ports", [{"containerPort": 8080}], True),
        ("livenessProbe", {"httpGet": {"port": 8080}}, True),
        ("livenessProbe", {"httpGet": {"port": "http"}}, True),
        ("livenessProbe", {"httpGet": {"port": 1.5}}, False),
    ],
)
def test_types(field: str, value: object, valid: bool) -> None:
    doc = _deployment({"name": "c", "image": "busybox", field: value})
    errors = list(schemas.validator_for("1.33", "apps/v1", "Deployment").iter_errors(doc))
    assert (errors == []) is valid


def test_max_surge_int_or_string() -> None:
    doc = _deployment({"name": "c", "image": "busybox"})
    spec = doc["spec"]
    assert isinstance(spec, dict)
    validator = schemas.validator_for("1.33", "apps/v1", "Deployment")
    for surge in (1, "25%"):
        spec["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": surge}}
        assert list(validator.iter_errors(doc)) == []


def test_removed_api_version_has_no_schema() -> None:
    assert schemas.schema_for("1.33", "batch/v1beta1", "CronJob") is None
    assert schemas.validator_for("1.33", "extensions/v1beta1", "Deployment") is None


@pytest.mark.slow
def test_wheel_ships_schemas_and_rules(dists: tuple[Path, Path]) -> None:
    wheel = dists[0]
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in schemas.manifest()["files"]:
        assert f"sidecarlint/_data/schemas/{name}" in names
    assert "sidecarlint/_data/schemas/manifest.json" in names
    pages = {p.name for p in (REPO / "rules").glob("SCL*.md")}
    assert pages and {f"sidecarlint/_data/rules/{p}" for p in pages} <= names
    assert "sidecarlint/py.typed" in names
