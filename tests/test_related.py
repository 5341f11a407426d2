"""Findings name the other places involved: the container that writes a file, the sidecar
declared later, the first container with a name or a port (the language server shows them
as related information)."""

from __future__ import annotations

from tests.conftest import REPO, lint

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
    - name: fetch
      image: curlimages/curl:8.8.0
      command: ["sh", "-c", "curl -fsS https://example.com/x -o /data/x"]
    - name: istio-proxy
      image: docker.io/istio/proxyv2:1.22.0
      restartPolicy: Always
      ports:
        - containerPort: 15090
      startupProbe:
        httpGet:
          port: 8080
  containers:
    - name: app
      image: example/app:1
      ports:
        - containerPort: 15090
        - containerPort: 8080
    - name: app
      image: example/other:1
"""


def test_findings_point_at_the_other_container() -> None:
    got = {f.code: [(r.line, r.column, r.end_column, m) for r, m in f.related] for f in lint(POD)}
    assert got == {
        "SCL302": [(10, 13, 24, "Istio proxy sidecar 'istio-proxy' is declared here")],
        "SCL503": [],
        "SCL303": [(19, 13, 16, "app container 'app' serves port 8080")],
        "SCL501": [(14, 26, 31, "'istio-proxy' declares containerPort 15090/TCP here")],
        "SCL013": [(19, 13, 16, "containers[0] is named first")],
    }


def test_related_place_of_a_file_writer_and_of_a_later_sidecar() -> None:
    examples = REPO / "examples" / "broken"
    [scl201] = lint((examples / "missing-shared-mount.yaml").read_text(), select="SCL201")
    assert [(r.line, r.column, m) for r, m in scl201.related] == [
        (25, 33, "'web' writes /var/log/app.log here (its command)")
    ]
    [scl301] = lint((examples / "init-waits-for-later-proxy.yaml").read_text(), select="SCL301")
    assert [(r.line, r.column, m) for r, m in scl301.related] == [
        (16, 17, "sidecar 'cloud-sql-proxy' is declared here")
    ]
