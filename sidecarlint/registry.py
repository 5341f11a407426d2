"""The rule registry: stable codes, kebab-case names, default severities, version ranges.

Rules live one per module in :mod:`sidecarlint.checks`, which lists them explicitly.
Codes are never reused: a retired code stays in :data:`RETIRED`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from sidecarlint.finding import Severity, YPath
from sidecarlint.records import FrozenRecord
from sidecarlint.versions import minor

if TYPE_CHECKING:
    from sidecarlint.locate import Container, Pod


class Options(FrozenRecord):
    """Rule options from the configuration (helper detection patterns)."""

    sidecar_images: tuple[str, ...]
    sidecar_names: tuple[str, ...]

    def __init__(
        self,
        sidecar_images: tuple[str, ...] = (),
        sidecar_names: tuple[str, ...] = (),
    ) -> None:
        self.sidecar_images = sidecar_images
        self.sidecar_names = sidecar_names


class RuleContext(FrozenRecord):
    """What a rule knows besides the pod: the target version, feature gates and options."""

    version: str
    gates: Mapping[str, bool]
    options: Options

    def __init__(
        self,
        version: str,
        gates: Mapping[str, bool],
        options: Options | None = None,
    ) -> None:
        self.version = version
        self.gates = gates
        self.options = Options() if options is None else options

    @property
    def minor(self) -> int:
        return minor(self.version)

    def gate(self, name: str) -> bool:
        return bool(self.gates.get(name, False))

    @property
    def native_sidecars(self) -> bool:
        """Native sidecars work on the target (1.29+, or 1.28 with the gate on)."""
        return self.minor >= 28 and self.gate("SidecarContainers")


class Hit(FrozenRecord):
    """What a rule reports; the engine turns it into a positioned :class:`Finding`."""

    path: YPath
    message: str
    #: Point at the mapping key of ``path`` rather than its value.
    key: bool
    #: Overrides the rule's default severity (version-dependent rules).
    severity: Severity | None
    container: Container | None
    fix: str | None
    fixable: bool
    #: Other places involved (the container that writes the file, the later sidecar): a
    #: document path and what is there.
    related: tuple[tuple[YPath, str], ...]

    def __init__(
        self,
        path: YPath,
        message: str,
        key: bool = False,
        severity: Severity | None = None,
        container: Container | None = None,
        fix: str | None = None,
        fixable: bool = False,
        related: tuple[tuple[YPath, str], ...] = (),
    ) -> None:
        self.path = path
        self.message = message
        self.key = key
        self.severity = severity
        self.container = container
        self.fix = fix
        self.fixable = fixable
        self.related = related


Check = Callable[["Pod", RuleContext], Iterable[Hit]]


class Rule(FrozenRecord):
    """A rule's identity and metadata. ``check`` is None for rules raised by a stage."""

    code: str
    name: str
    severity: Severity
    summary: str
    check: Check | None
    #: Oldest and newest target versions the rule runs on (inclusive).
    min_version: str | None
    max_version: str | None
    fixable: bool
    default_enabled: bool
    tags: tuple[str, ...]
    #: How often a finding is right (SARIF ``precision``): ``very-high`` for rules that
    #: restate what the API server or the YAML reader decides, ``medium`` for rules that
    #: infer a container's role or behaviour (known images, names, commands, scripts).
    precision: str

    def __init__(
        self,
        code: str,
        name: str,
        severity: Severity,
        summary: str,
        check: Check | None = None,
        min_version: str | None = None,
        max_version: str | None = None,
        fixable: bool = False,
        default_enabled: bool = True,
        tags: tuple[str, ...] = ("kubernetes",),
        precision: str = "very-high",
    ) -> None:
        self.code = code
        self.name = name
        self.severity = severity
        self.summary = summary
        self.check = check
        self.min_version = min_version
        self.max_version = max_version
        self.fixable = fixable
        self.default_enabled = default_enabled
        self.tags = tags
        self.precision = precision

    def applies_to(self, version: str) -> bool:
        m = minor(version)
        if self.min_version is not None and m < minor(self.min_version):
            return False
        return not (self.max_version is not None and m > minor(self.max_version))

    @property
    def versions(self) -> str:
        """Human-readable version range (``all``, ``1.29+``, ``1.28-1.33``)."""
        if self.min_version and self.max_version:
            return f"{self.min_version}-{self.max_version}"
        if self.min_version:
            return f"{self.min_version}+"
        if self.max_version:
            return f"<={self.max_version}"
        return "all"


#: Codes that once existed and must never be reused: code -> former name.
RETIRED: dict[str, str] = {}

#: Rules that no selection turns off: a file that cannot be read (SCL006), a document that
#: cannot be parsed (SCL001) or a kustomization or chart that cannot be rendered (SCL007) is
#: never passed over silently, as linters always report syntax errors.
ALWAYS_REPORTED = frozenset({"SCL001", "SCL006", "SCL007"})


class Registry:
    """Rules by code and by name."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules: tuple[Rule, ...] = tuple(sorted(rules, key=lambda r: r.code))
        self.by_code = {r.code: r for r in self.rules}
        self.by_name = {r.name: r for r in self.rules}
        if len(self.by_code) != len(self.rules) or len(self.by_name) != len(self.rules):
            raise ValueError("duplicate rule code or name in the registry")
        reused = set(self.by_code) & set(RETIRED)
        if reused:
            raise ValueError(f"retired rule codes reused: {sorted(reused)}")

    def lookup(self, text: str) -> Rule | None:
        """A rule by code (case-insensitive) or name."""
        return self.by_code.get(text.strip().upper()) or self.by_name.get(text.strip().lower())

    def resolve(self, items: Iterable[str], what: str) -> set[str]:
        """Codes for codes, names or prefixes (``SCL1`` selects SCL1xx); ValueError if unknown."""
        codes: set[str] = set()
        for item in items:
            item = item.strip()
            if not item:
                continue
            if item.upper() == "ALL":
                codes.update(self.by_code)
                continue
            rule = self.lookup(item)
            if rule is not None:
                codes.add(rule.code)
                continue
            prefix = item.upper()
            matched = (
                {c for c in self.by_code if c.startswith(prefix)}
                if prefix.startswith("SCL")
                else set()
            )
            if not matched:
                raise UnknownRule(item, what, self.suggest(item))
            codes.update(matched)
        return codes

    def suggest(self, text: str) -> str | None:
        """The code or name closest to a misspelt one, if any is close."""
        import difflib

        text = text.strip()
        if text[:3].upper() == "SCL":
            pool, probe = list(self.by_code), text.upper()
        else:
            pool, probe = list(self.by_name), text.lower()
        close = difflib.get_close_matches(probe, pool, n=1)
        return close[0] if close else None


class UnknownRule(ValueError):
    """A rule code, name or prefix that matches no rule."""

    def __init__(self, item: str, what: str, suggestion: str | None) -> None:
        self.item = item
        self.what = what
        self.hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
        super().__init__(f"unknown rule {item!r} in {what}{self.hint}")


_REGISTRY: Registry | None = None


def registry() -> Registry:
    """The registry of every built-in rule (imported on first use)."""
    global _REGISTRY
    if _REGISTRY is None:
        from sidecarlint.checks import RULES

        _REGISTRY = Registry(RULES)
    return _REGISTRY
