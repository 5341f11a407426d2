"""Properties: every reported position is inside the file and points at the node it names."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sidecarlint.parse import parse_text
from sidecarlint.pipeline import lint_text
from tests.conftest import settings as make_settings

SCALARS = st.one_of(
    st.sampled_from(["yes", "no", "0777", "1:20", "2001-12-14", "~", "", "'q'", '"d"', "x y"]),
    st.text(alphabet="abcé𝄞-_ ", min_size=1, max_size=8).map(lambda s: s.strip() or "s"),
    st.integers(-5, 70000).map(str),
)
KEYS = st.sampled_from(["name", "image", "ports", "containerPort", "restartPolicy", "a", "b"])


@st.composite
def yaml_values(draw: st.DrawFn, depth: int = 0) -> object:
    if depth >= 3 or draw(st.booleans()):
        return draw(SCALARS)
    if draw(st.booleans()):
        return draw(st.lists(yaml_values(depth + 1), min_size=1, max_size=3))
    keys = draw(st.lists(KEYS, min_size=1, max_size=3, unique=True))
    return {k: draw(yaml_values(depth + 1)) for k in keys}


def render(value: object, indent: int, flow: bool) -> list[str]:
    pad = " " * indent
    if isinstance(value, dict):
        if flow:
            inner = ", ".join(f"{k}: {render(v, 0, True)[0]}" for k, v in value.items())
            return [f"{{{inner}}}"]
        lines = []
        for k, v in value.items():
            if isinstance(v, (dict, list)):
                lines.append(f"{pad}{k}:")
                lines += render(v, indent + 2, flow)
            else:
                lines.append(f"{pad}{k}: {v}")
        return lines
    if isinstance(value, list):
        if flow:
            return ["[" + ", ".join(render(v, 0, True)[0] for v in value) + "]"]
        lines = []
        for v in value:
            if isinstance(v, (dict, list)):
                lines.append(f"{pad}-")
                lines += render(v, indent + 2, flow)
            else:
                lines.append(f"{pad}- {v}")
        return lines
    return [f"{pad}{value}"]


def _slice(text: str, line: int, column: int, end_line: int, end_column: int) -> str:
    lines = text.split("\n")
    if line == end_line:
        return lines[line - 1][column - 1 : end_column - 1]
    return lines[line - 1][column - 1 :]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(KEYS, yaml_values(), min_size=1, max_size=4), st.booleans())
def test_positions_point_at_their_nodes(data: dict[str, object], flow: bool) -> None:
    text = "\n".join(render(data, 0, flow)) + "\n"
    parsed = parse_text(text, "f")
    if parsed.problems:
        return
    lines = text.split("\n")
    for doc in parsed.documents:
        for path, (line, col, end_line, end_col, key, plain) in doc.positions.items():
            assert 1 <= line <= end_line <= len(lines)
            assert 1 <= col <= len(lines[line - 1]) + 1
            value = doc.get(path)
            if key is not None:
                assert (
                    _slice(text, *key) == str(path[-1])
                    or not isinstance(path[-1], str)
                    or (
                        _slice(text, *key).strip("'\"")
                        in (str(path[-1]), "y", "n", "yes", "no", "on", "off", "true", "false")
                    )
                )
            if plain and isinstance(value, str) and line == end_line:
                assert _slice(text, line, col, end_line, end_col) == value


JOB = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: j
spec:
  template:
    spec:
      restartPolicy: {policy}
      initContainers:
{inits}
      containers:
{apps}
"""


@st.composite
def jobs(draw: st.DrawFn) -> str:
    def container(i: int, init: bool) -> str:
        name = draw(st.sampled_from(["app", "istio-proxy", "log-sidecar", "db"])) + str(i)
        image = draw(st.sampled_from(["busybox", "envoyproxy/envoy:v1", "fluent/fluent-bit:3"]))
        extra = ""
        if init and draw(st.booleans()):
            extra += "\n          restartPolicy: Always"
        if draw(st.booleans()):
            extra += '\n          command: ["sh", "-c", "tail -F /v/a.log"]'
        if draw(st.booleans()):
            extra += "\n          volumeMounts: [{name: v, mountPath: /v}]"
        if draw(st.booleans()):
            extra += "\n          ports: [{containerPort: 8080}]"
        return f"        - name: {name}\n          image: {image}{extra}"

    inits = "\n".join(container(i, True) for i in range(draw(st.integers(1, 3))))
    apps = "\n".join(container(i + 5, False) for i in range(draw(st.integers(1, 3))))
    policy = draw(st.sampled_from(["Never", "OnFailure", "Always"]))
    return JOB.format(policy=policy, inits=inits, apps=apps)


@settings(max_examples=80, deadline=None)
@given(jobs(), st.sampled_from(["1.27", "1.28", "1.29", "1.33", "1.35", "1.37"]))
def test_findings_stay_inside_the_file(text: str, version: str) -> None:
    lines = text.split("\n")
    for f in lint_text(text, "j.yaml", make_settings(kubernetes_version=version)):
        assert 1 <= f.span.line <= len(lines), f
        assert 1 <= f.span.column <= len(lines[f.span.line - 1]) + 1, f
        assert f.code != "SCL999", f.message
