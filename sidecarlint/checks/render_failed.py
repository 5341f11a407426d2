"""SCL007 render-failed: raised when a kustomization or a Helm chart cannot be rendered."""

from sidecarlint.finding import Severity
from sidecarlint.registry import Rule

RULE = Rule(
    code="SCL007",
    name="render-failed",
    severity=Severity.ERROR,
    summary="A kustomization or Helm chart cannot be rendered, so what it renders is not checked",
    tags=("kubernetes", "kustomize", "helm"),
)
