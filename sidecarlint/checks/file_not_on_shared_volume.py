"""SCL201 file-not-on-shared-volume: a file one container writes and another reads is not
on a volume both mount at the same place (or the writer mounts that volume read-only)."""

from __future__ import annotations

from collections.abc import Iterator

from sidecarlint.activity import FileUse, Flow, activity, covering_mount, flows
from sidecarlint.finding import Severity, YPath, excerpt
from sidecarlint.locate import Container, Mount, Pod
from sidecarlint.registry import Hit, Rule, RuleContext

#: Directories every container has of its own: a volume mounted there by one container
#: says nothing about a file another one reads there.
_PRIVATE = ("/tmp", "/var/tmp", "/dev/shm")


def _relative(path: str, mount: Mount) -> str:
    assert mount.path is not None
    return path[len(mount.path.rstrip("/")) :]


def _unseen(reader: Container, path: str, written: Mount) -> str | None:
    """Why ``reader`` does not see ``path`` where the writer put it (on ``written``), or
    None when it does."""
    mount = covering_mount(reader, path)
    if mount is None or mount.path is None:
        return f"{reader.label} has no volume there"
    if mount.name != written.name:
        return f"{reader.label} mounts volume '{excerpt(str(mount.name))}' there instead"
    if mount.sub_path != written.sub_path:
        theirs = (
            f"subPath '{excerpt(written.sub_path)}'" if written.sub_path else "the whole volume"
        )
        mine = f"subPath '{excerpt(mount.sub_path)}'" if mount.sub_path else "the whole volume"
        return f"{reader.label} mounts {mine} of it, the writer {theirs}"
    if _relative(path, mount) != _relative(path, written):
        return f"{reader.label} mounts it at {excerpt(mount.path.rstrip('/') or '/')}"
    return None


def _writes(writer: Container, use: FileUse, path: str) -> tuple[tuple[YPath, str], ...]:
    return ((use.where, f"{writer.label} writes {excerpt(path)} here ({use.evidence})"),)


def _flow_hit(flow: Flow, mount: Mount | None) -> Hit | None:
    """The reader of a flow does not see the file: ``mount`` is the writer's mount of it."""
    writer, write, reader, read, full = flow
    path = excerpt(full)
    if mount is not None:
        volume, mount_path = mount.name, mount.path
        if volume is None or mount_path is None:
            return None  # the schema finding reports the mount
        why = _unseen(reader, full, mount)
        if why is None:
            return None
        shown = excerpt(mount_path.rstrip("/") or "/")
        volume = excerpt(volume)
        return Hit(
            read.where,
            f"{reader.label} reads {path} ({read.evidence}), which {writer.label} writes "
            f"({write.evidence}) on volume '{volume}' mounted at {shown}; {reader.label} does "
            f"not see it there: {why}. Mount volume '{volume}' at {shown} in {reader.label}",
            container=reader,
            related=_writes(writer, write, full),
        )
    reads = f"{reader.label} reads {path} ({read.evidence})"
    if write.linked is not None:
        message = (
            f"{reads}, which {writer.label} writes to its stdout or stderr: {write.evidence} "
            f"links {path} there unless a volume is mounted at {write.linked}. Mount a "
            f"shared volume (e.g. an emptyDir) at {write.linked} in both"
        )
    else:
        message = (
            f"{reads}, which {writer.label} writes to its own filesystem "
            f"({write.evidence}): containers share only volumes. Mount a shared volume "
            f"(e.g. an emptyDir) at the directory of {path} in both"
        )
    return Hit(read.where, message, container=reader, related=_writes(writer, write, full))


def _read_only(flow: Flow, mount: Mount | None) -> Hit | None:
    """The writer of a shared file mounts its volume (``mount``) read-only: the write
    fails."""
    writer, path = flow.writer, excerpt(flow.path)
    if mount is None or not mount.read_only or mount.name is None:
        return None
    return Hit(
        (*writer.path, "volumeMounts", mount.index, "readOnly"),
        f"{writer.label} writes {path} ({flow.write.evidence}), which {flow.reader.label} "
        f"reads, on volume '{excerpt(mount.name)}', but mounts that volume read-only: the "
        f"write fails. Remove readOnly from this mount of {writer.label}",
        key=True,
        container=writer,
        related=((flow.read.where, f"{flow.reader.label} reads {path} here"),),
    )


def _mounted_elsewhere(pod: Pod, known: set[tuple[int, str]]) -> Iterator[Hit]:
    """A container follows a file under a directory where another container mounts a
    writable emptyDir volume, and has no volume there itself: the file is written there,
    and it follows a directory of its own filesystem."""
    for reader in pod.all_containers:
        for read in activity(pod, reader).reads:
            if not read.follows or (id(reader), read.path) in known:
                continue
            if covering_mount(reader, read.path) is not None:
                continue  # it reads a volume of its own there
            for other in pod.all_containers:
                mount = covering_mount(other, read.path)
                if (
                    other is reader
                    or mount is None
                    or mount.read_only
                    or mount.name is None
                    or mount.path is None
                    or mount.path.rstrip("/") in ("", *_PRIVATE)
                    or "emptyDir" not in pod.volumes.get(mount.name, (0, {}))[1]
                ):
                    continue
                why = _unseen(reader, read.path, mount)
                if why is None:
                    break
                shown, volume = excerpt(mount.path.rstrip("/")), excerpt(mount.name)
                yield Hit(
                    read.where,
                    f"{reader.label} follows {excerpt(read.path)} ({read.evidence}), under "
                    f"{shown}, where {other.label} mounts emptyDir volume '{volume}' for it; "
                    f"{reader.label} does not see that volume there: {why}. Mount volume "
                    f"'{volume}' at {shown} in {reader.label}",
                    container=reader,
                    related=(
                        (
                            (*other.path, "volumeMounts", mount.index),
                            f"{other.label} mounts volume '{volume}' here",
                        ),
                    ),
                )
                break


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    found = flows(pod)
    known: set[tuple[int, str]] = set()
    if found:
        seen: set[tuple[int, str, int]] = set()
        writers: set[tuple[int, str]] = set()
        for flow in found:
            writer, reader, read = flow.writer, flow.reader, flow.read
            known.add((id(reader), read.path))
            key = (id(reader), read.path, id(writer))
            if key in seen:
                continue
            seen.add(key)
            mount = covering_mount(writer, flow.path)
            hit = _flow_hit(flow, mount)
            if hit is not None:
                yield hit
            if (id(writer), flow.path) not in writers:
                writers.add((id(writer), flow.path))
                hit = _read_only(flow, mount)
                if hit is not None:
                    yield hit
    yield from _mounted_elsewhere(pod, known)


RULE = Rule(
    code="SCL201",
    name="file-not-on-shared-volume",
    severity=Severity.ERROR,
    summary="A file passed between containers is not on a volume both mount at that path",
    check=check,
    precision="medium",
)
