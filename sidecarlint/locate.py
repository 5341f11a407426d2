"""Stage 2: locate. Kubernetes objects in documents, and the pod spec inside each workload.

This is the only module that knows where each kind keeps its pod template.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Generic, TypeVar, overload

from sidecarlint.finding import ObjectRef, YPath, excerpt
from sidecarlint.parse import Document
from sidecarlint.records import FrozenRecord, Record

_T = TypeVar("_T")


class cached_property(Generic[_T]):
    """``functools.cached_property`` without its lock.

    Before Python 3.12 the standard one takes a lock on every first access; rules read a
    few derived lists of every container of every pod, so that lock showed up in profiles.
    """

    # Built when the classes are defined, before any test runs: not mutated.
    def __init__(self, func: Callable[[Any], _T]) -> None:
        self.func = func  # pragma: no mutate
        self.name = func.__name__  # pragma: no mutate
        self.__doc__ = func.__doc__  # pragma: no mutate

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name  # pragma: no mutate

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> cached_property[_T]: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> _T: ...

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.func(instance)
        return value


class Workload(FrozenRecord):
    """What a kind of object is, as far as its pod is concerned."""

    kind: str
    #: API groups the kind belongs to (``""`` is the core group); empty = any group.
    groups: tuple[str, ...]
    pod_path: YPath
    #: Pod restartPolicy values the workload accepts (``None``: any).
    restart_policies: tuple[str, ...] | None
    #: Runs to completion (a Job's pod): app containers must exit.
    batch: bool
    #: Its pod template is validated as a PodSpec by the API server.
    server_validated: bool
    #: Built into Kubernetes (schema-validated), as opposed to a CRD.
    builtin: bool

    def __init__(
        self,
        kind: str,
        groups: tuple[str, ...],
        pod_path: YPath,
        restart_policies: tuple[str, ...] | None = None,
        batch: bool = False,
        server_validated: bool = True,
        builtin: bool = True,
    ) -> None:
        self.kind = kind
        self.groups = groups
        self.pod_path = pod_path
        self.restart_policies = restart_policies
        self.batch = batch
        self.server_validated = server_validated
        self.builtin = builtin


_SPEC_TEMPLATE = ("spec", "template", "spec")
_ALWAYS = ("Always",)

#: Every pod-bearing kind sidecarlint knows, keyed by kind.
WORKLOADS: dict[str, Workload] = {
    w.kind: w
    for w in (
        Workload("Pod", ("",), ("spec",)),
        Workload("PodTemplate", ("",), ("template", "spec")),
        Workload("ReplicationController", ("",), _SPEC_TEMPLATE, _ALWAYS),
        Workload("Deployment", ("apps", "extensions"), _SPEC_TEMPLATE, _ALWAYS),
        Workload("ReplicaSet", ("apps", "extensions"), _SPEC_TEMPLATE, _ALWAYS),
        Workload("DaemonSet", ("apps", "extensions"), _SPEC_TEMPLATE, _ALWAYS),
        # apps validation never validates a StatefulSet's pod template (semantics §4).
        Workload("StatefulSet", ("apps",), _SPEC_TEMPLATE, _ALWAYS, server_validated=False),
        Workload("Job", ("batch",), _SPEC_TEMPLATE, ("OnFailure", "Never"), batch=True),
        Workload(
            "CronJob",
            ("batch",),
            ("spec", "jobTemplate", "spec", "template", "spec"),
            ("OnFailure", "Never"),
            batch=True,
        ),
        # Well-known CRDs with pod templates.
        Workload("Rollout", ("argoproj.io",), _SPEC_TEMPLATE, _ALWAYS, builtin=False),
        Workload("CloneSet", ("apps.kruise.io",), _SPEC_TEMPLATE, _ALWAYS, builtin=False),
        Workload(
            "ScaledJob",
            ("keda.sh",),
            ("spec", "jobTargetRef", "template", "spec"),
            ("OnFailure", "Never"),
            batch=True,
            builtin=False,
        ),
    )
}
#: Kinds whose name is shared by several groups are matched on group too.
_KNATIVE = ("serving.knative.dev",)
_KNATIVE_KINDS = {
    "Service": Workload("Service", _KNATIVE, _SPEC_TEMPLATE, builtin=False),
    "Configuration": Workload("Configuration", _KNATIVE, _SPEC_TEMPLATE, builtin=False),
}


class CustomPodPath(FrozenRecord):
    """A user-configured kind (optionally restricted to an apiVersion) and its pod spec path."""

    kind: str
    path: YPath
    api_version: str | None
    batch: bool

    def __init__(
        self,
        kind: str,
        path: YPath,
        api_version: str | None = None,
        batch: bool = False,
    ) -> None:
        self.kind = kind
        self.path = path
        self.api_version = api_version
        self.batch = batch


def parse_dotted_path(text: str) -> YPath:
    """``spec.template.spec`` or ``spec.jobs[0].template.spec`` → a path tuple."""
    out: list[str | int] = []
    for part in text.split("."):
        if not part:
            raise ValueError(f"invalid path {text!r}: empty segment")
        name, _, rest = part.partition("[")
        if name:
            out.append(name)
        while rest:
            index, _, rest = rest.partition("]")
            if not index.isdigit():
                raise ValueError(f"invalid path {text!r}: bad index [{index}]")
            out.append(int(index))
            rest = rest.removeprefix("[")
    return tuple(out)


class Role(str, enum.Enum):
    APP = "app"
    INIT = "init"
    SIDECAR = "sidecar"
    EPHEMERAL = "ephemeral"


_LISTS = {
    Role.APP: "containers",
    Role.INIT: "initContainers",
    Role.EPHEMERAL: "ephemeralContainers",
}


def text_at(mapping: Mapping[str, Any], key: str) -> str | None:
    """``mapping[key]`` when it is a string, else None.

    A field can hold any type in a manifest: the schema stage reports a wrong one, and rules
    read such fields through this and the typed views below, so a list where a name belongs
    is skipped rather than compared, hashed or printed.
    """
    value = mapping.get(key)
    return value if isinstance(value, str) else None


def int_at(mapping: Mapping[str, Any], key: str) -> int | None:
    """``mapping[key]`` when it is an integer (not a boolean), else None."""
    value = mapping.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class Mount(Record):
    """One ``volumeMounts`` (or ``volumeDevices``) entry, its fields read with their types.

    A field that is missing or of the wrong type reads as None (``read_only`` as False).
    """

    index: int
    name: str | None
    #: ``mountPath`` (``devicePath`` for a device).
    path: str | None
    sub_path: str | None
    read_only: bool

    def __init__(
        self,
        index: int,
        name: str | None,
        path: str | None,
        sub_path: str | None = None,
        read_only: bool = False,
    ) -> None:
        self.index = index
        self.name = name
        self.path = path
        self.sub_path = sub_path
        self.read_only = read_only


class Port(Record):
    """One ``ports`` entry of a container, its fields read with their types."""

    index: int
    name: str | None
    container_port: int | None
    host_port: int | None
    #: ``TCP`` when absent or empty (the API default); None when of the wrong type.
    protocol: str | None
    #: ``hostIP``: empty when absent (the API default); None when of the wrong type.
    host_ip: str | None

    def __init__(
        self,
        index: int,
        name: str | None,
        container_port: int | None,
        host_port: int | None,
        protocol: str | None,
        host_ip: str | None,
    ) -> None:
        self.index = index
        self.name = name
        self.container_port = container_port
        self.host_port = host_port
        self.protocol = protocol
        self.host_ip = host_ip


class Container(Record):
    """One container of a pod, with its role and where it is."""

    data: dict[str, Any]
    role: Role
    index: int
    path: YPath

    def __init__(self, data: dict[str, Any], role: Role, index: int, path: YPath) -> None:
        self.data = data
        self.role = role
        self.index = index
        self.path = path
        self._items: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        self._derived: dict[Callable[[Container], Any], Any] = {}

    def derived(self, compute: Callable[[Container], _T]) -> _T:
        """``compute(self)``, computed once per container.

        Helpers that several rules call on the same container (its requests, the ports it
        listens on) go through here, so each is worked out once per container.
        """
        try:
            return self._derived[compute]  # type: ignore[no-any-return]
        except KeyError:
            value = self._derived[compute] = compute(self)
            return value

    @cached_property
    def name(self) -> str | None:
        name = self.data.get("name")
        return name if isinstance(name, str) else None

    @property
    def label(self) -> str:
        """How messages name the container."""
        if self.name:
            return f"'{excerpt(self.name)}'"
        return f"{_LISTS[self._list_role]}[{self.index}]"

    @property
    def _list_role(self) -> Role:
        return Role.INIT if self.role is Role.SIDECAR else self.role

    @property
    def list_name(self) -> str:
        """``containers``, ``initContainers`` or ``ephemeralContainers``."""
        return _LISTS[self._list_role]

    @cached_property
    def image(self) -> str:
        image = self.data.get("image")
        return image if isinstance(image, str) else ""

    @cached_property
    def command(self) -> list[str]:
        return _strings(self.data.get("command"))

    @cached_property
    def args(self) -> list[str]:
        return _strings(self.data.get("args"))

    @cached_property
    def argv(self) -> tuple[str, ...]:
        """``command`` followed by ``args`` (what the container runs, image defaults aside);
        a tuple, as the shell reader's caches key on it."""
        return (*self.command, *self.args)

    @property
    def is_sidecar(self) -> bool:
        return self.role is Role.SIDECAR

    @cached_property
    def mounts(self) -> list[Mount]:
        """``volumeMounts`` entries that are mappings."""
        return [
            Mount(
                i,
                text_at(m, "name"),
                text_at(m, "mountPath"),
                text_at(m, "subPath"),
                m.get("readOnly") is True,
            )
            for i, m in self.items("volumeMounts")
        ]

    @cached_property
    def devices(self) -> list[Mount]:
        """``volumeDevices`` entries that are mappings."""
        return [
            Mount(i, text_at(d, "name"), text_at(d, "devicePath"))
            for i, d in self.items("volumeDevices")
        ]

    @cached_property
    def ports(self) -> list[Port]:
        """``ports`` entries that are mappings."""
        return [
            Port(
                i,
                text_at(p, "name"),
                int_at(p, "containerPort"),
                int_at(p, "hostPort"),
                "TCP" if p.get("protocol") in (None, "") else text_at(p, "protocol"),
                "" if p.get("hostIP") is None else text_at(p, "hostIP"),
            )
            for i, p in self.items("ports")
        ]

    def items(self, key: str) -> list[tuple[int, dict[str, Any]]]:
        """The mapping entries of a list field, with their indexes (skipping junk).

        Many rules read the same lists of the same container: each is built once.
        """
        found = self._items.get(key)
        if found is None:
            value = self.data.get(key)
            found = self._items[key] = (
                [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]
                if isinstance(value, list)
                else []
            )
        return found


def _strings(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [item if isinstance(item, str) else str(item) for item in value if item is not None]


class KubeObject(Record):
    """A Kubernetes object: a document, or an item of a ``List``."""

    doc: Document
    path: YPath
    data: dict[str, Any]

    def __init__(self, doc: Document, path: YPath, data: dict[str, Any]) -> None:
        self.doc = doc
        self.path = path
        self.data = data

    @property
    def api_version(self) -> str | None:
        value = self.data.get("apiVersion")
        return value if isinstance(value, str) else None

    @property
    def kind(self) -> str | None:
        value = self.data.get("kind")
        return value if isinstance(value, str) else None

    @property
    def group(self) -> str:
        api_version = self.api_version or ""
        return api_version.rpartition("/")[0] if "/" in api_version else ""

    @property
    def metadata(self) -> dict[str, Any]:
        value = self.data.get("metadata")
        return value if isinstance(value, dict) else {}

    @property
    def ref(self) -> ObjectRef:
        meta = self.metadata
        name = meta.get("name") or meta.get("generateName")
        namespace = meta.get("namespace")
        return ObjectRef(
            self.api_version,
            self.kind,
            name if isinstance(name, str) else None,
            namespace if isinstance(namespace, str) else None,
        )


class ConfigMaps:
    """The ConfigMaps of the input being checked (one file, or one rendered stream), by
    name: what containers mounting them read (the file-and-port model reads a log
    shipper's inputs or an Envoy bootstrap there).

    Only their ``data`` strings are kept, up to :data:`MAX_TEXT` characters in all.
    """

    #: Characters of ConfigMap data kept for one input.
    MAX_TEXT = 1 << 22

    def __init__(self) -> None:
        self._maps: dict[str, list[tuple[str | None, dict[str, str]]]] = {}
        self._size = 0

    def add(self, obj: KubeObject) -> None:
        """Keep a ConfigMap object's data."""
        name = obj.ref.name
        raw = obj.data.get("data")
        if name is None or not isinstance(raw, dict):
            return
        data = {k: v for k, v in raw.items() if isinstance(k, str) and isinstance(v, str)}
        size = sum(len(v) for v in data.values())
        if self._size + size > self.MAX_TEXT:
            return
        self._size += size
        self._maps.setdefault(name, []).append((obj.ref.namespace, data))

    def __len__(self) -> int:
        return len(self._maps)

    def get(self, name: str, namespace: str | None) -> dict[str, str] | None:
        """The data of ConfigMap ``name`` as a Pod in ``namespace`` sees it (a missing
        namespace on either side matches any: it is the namespace applied to)."""
        for other, data in self._maps.get(name, ()):
            if other is None or namespace is None or other == namespace:
                return data
        return None

    def missing(self, pod: Pod) -> bool:
        """``pod`` mounts a ConfigMap this input has not defined yet."""
        volumes = pod.spec.get("volumes")
        if not isinstance(volumes, list):
            return False
        for volume in volumes:
            source = volume.get("configMap") if isinstance(volume, dict) else None
            name = text_at(source, "name") if isinstance(source, dict) else None
            if name is not None:
                namespace = pod.obj.metadata.get("namespace")
                namespace = namespace if isinstance(namespace, str) else None
                if self.get(name, namespace) is None:
                    return True
        return False


class Pod(Record):
    """A located pod spec and the model of its containers that every rule shares."""

    obj: KubeObject
    workload: Workload
    #: Path of the pod spec in the document.
    path: YPath
    spec: dict[str, Any]
    containers: list[Container]
    #: Init containers in declaration order: sidecars and regular ones interleaved.
    init_containers: list[Container]
    ephemeral_containers: list[Container]
    #: The ConfigMaps of the same input (set by the pipeline; None when unknown).
    config_maps: ConfigMaps | None

    _uncompared = frozenset({"config_maps"})
    _unshown = frozenset({"config_maps"})

    def __init__(
        self,
        obj: KubeObject,
        workload: Workload,
        path: YPath,
        spec: dict[str, Any],
        containers: list[Container],
        init_containers: list[Container],
        ephemeral_containers: list[Container],
        config_maps: ConfigMaps | None = None,
    ) -> None:
        self.obj = obj
        self.workload = workload
        self.path = path
        self.spec = spec
        self.containers = containers
        self.init_containers = init_containers
        self.ephemeral_containers = ephemeral_containers
        self.config_maps = config_maps

    @property
    def doc(self) -> Document:
        return self.obj.doc

    @cached_property
    def sidecars(self) -> list[Container]:
        return [c for c in self.init_containers if c.role is Role.SIDECAR]

    @cached_property
    def regular_init_containers(self) -> list[Container]:
        return [c for c in self.init_containers if c.role is Role.INIT]

    @cached_property
    def all_containers(self) -> list[Container]:
        """Init containers (in order), then app containers, then ephemeral ones."""
        return [*self.init_containers, *self.containers, *self.ephemeral_containers]

    @property
    def restart_policy(self) -> str | None:
        """The pod's ``restartPolicy`` as written (``None`` when absent)."""
        value = self.spec.get("restartPolicy")
        return value if isinstance(value, str) else None

    @property
    def effective_restart_policy(self) -> str:
        """The policy the pod runs with: the written one, else the API default ``Always``."""
        return self.restart_policy or "Always"

    @property
    def runs_to_completion(self) -> bool:
        """A Job's pod, or a bare Pod whose restartPolicy lets it succeed."""
        return self.workload.batch or self.effective_restart_policy in ("Never", "OnFailure")

    @property
    def template_path(self) -> YPath:
        """Path of the pod template (the mapping holding ``metadata`` and ``spec``)."""
        return self.path[:-1]

    @cached_property
    def template_metadata(self) -> dict[str, Any]:
        if self.workload.kind == "Pod":
            return self.obj.metadata
        meta = self.obj.doc.get((*self.template_path, "metadata"))
        return meta if isinstance(meta, dict) else {}

    @cached_property
    def volumes(self) -> dict[str, tuple[int, dict[str, Any]]]:
        """Volumes by name, with their index in ``spec.volumes``."""
        out: dict[str, tuple[int, dict[str, Any]]] = {}
        value = self.spec.get("volumes")
        if isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict) and isinstance(item.get("name"), str):
                    out.setdefault(item["name"], (i, item))
        return out


def iter_objects(doc: Document) -> Iterator[KubeObject]:
    """Kubernetes objects of a document; ``List`` objects are unrolled (recursively)."""
    stack: list[tuple[YPath, Any]] = [((), doc.data)]
    while stack:
        path, data = stack.pop()
        if not isinstance(data, dict):
            continue
        items = data.get("items")
        kind = data.get("kind")
        if isinstance(items, list) and isinstance(kind, str) and kind.endswith("List"):
            stack.extend(
                ((*path, "items", i), item) for i, item in reversed(list(enumerate(items)))
            )
            continue
        yield KubeObject(doc, path, data)


def is_kubernetes(data: Any) -> bool:
    """A document that names an ``apiVersion`` and a ``kind``."""
    return isinstance(data, dict) and "apiVersion" in data and "kind" in data


def workload_for(obj: KubeObject, custom: tuple[CustomPodPath, ...] = ()) -> Workload | None:
    """The workload description for an object, or None when it carries no pod."""
    kind = obj.kind
    if kind is None:
        return None
    for entry in custom:
        if entry.kind == kind and entry.api_version in (None, obj.api_version):
            return Workload(
                kind,
                (),
                entry.path,
                ("OnFailure", "Never") if entry.batch else None,
                batch=entry.batch,
                builtin=False,
            )
    workload = WORKLOADS.get(kind) or _KNATIVE_KINDS.get(kind)
    if workload is None:
        return None
    if workload.groups and obj.group not in workload.groups:
        return None
    return workload


def locate(obj: KubeObject, workload: Workload) -> Pod | None:
    """Build the pod model for a workload object (None when its spec is not a mapping)."""
    spec = obj.data
    for part in workload.pod_path:
        if isinstance(part, int):
            if not isinstance(spec, list) or part >= len(spec):
                return None
        elif not isinstance(spec, dict) or part not in spec:
            return None
        spec = spec[part]
    if not isinstance(spec, dict):
        return None
    path = (*obj.path, *workload.pod_path)
    return Pod(
        obj,
        workload,
        path,
        spec,
        _containers(spec, path, "containers", Role.APP),
        _containers(spec, path, "initContainers", Role.INIT),
        _containers(spec, path, "ephemeralContainers", Role.EPHEMERAL),
    )


def _containers(spec: Mapping[str, Any], path: YPath, key: str, role: Role) -> list[Container]:
    value = spec.get(key)
    if not isinstance(value, list):
        return []
    out: list[Container] = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            continue
        actual = role
        if role is Role.INIT and item.get("restartPolicy") == "Always":
            actual = Role.SIDECAR
        out.append(Container(item, actual, i, (*path, key, i)))
    return out


#: Strategic-merge-patch directives (kustomize overlays, ``kubectl patch``).
PATCH_DIRECTIVES = ("$patch", "$setElementOrder", "$retainKeys", "$deleteFromPrimitiveList")


def is_patch_key(key: str) -> bool:
    return key.startswith(PATCH_DIRECTIVES)


def is_partial(obj: KubeObject, workload: Workload | None, pod: Pod | None) -> bool:
    """A kustomize overlay patch (or a test assertion fragment) rather than a manifest.

    Patches carry strategic-merge directives, have no pod spec at all, or name containers
    only to change them (no container has an ``image``). They are not applied as they are,
    so required fields and cross-references are not checked on them.
    """
    stack: list[Any] = [obj.data] if obj.doc.patch_keys else []
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if any(isinstance(k, str) and is_patch_key(k) for k in node):
                return True
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    if pod is None:
        return workload is not None
    spec = obj.data.get("spec")
    # kustomize's labels/commonLabels transformers add both the selector and the template
    # labels: an apps workload with neither is a kustomize input, not a manifest.
    if (
        workload is not None
        and "apps" in workload.groups
        and isinstance(spec, dict)
        and "selector" not in spec
        and not pod.template_metadata.get("labels")
    ):
        return True
    containers = [*pod.containers, *pod.init_containers]
    return not any(c.image for c in containers)
