"""sidecarlint: a static linter for Kubernetes manifests that use sidecar containers."""

__version__ = "0.1.0"

__all__ = ["__version__"]
