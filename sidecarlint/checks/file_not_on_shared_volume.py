"""SCL201 file-not-on-shared-volume: a file one container writes and another reads is not
on a volume both mount at the same place."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from sidecarlint.checks._pod import argv_path, covering_mount
from sidecarlint.finding import Severity, YPath, excerpt
from sidecarlint.locate import Container, Mount, Pod
from sidecarlint.registry import Hit, Rule, RuleContext
from sidecarlint.shell import file_access


def _same_file(written: str, read: str) -> bool:
    """``read`` names ``written``, literally or as a glob (``/var/log/*.log``)."""
    if written == read:
        return True
    return ("*" in read or "?" in read or "[" in read) and fnmatch.fnmatchcase(written, read)


def _sees(reader: Container, path: str, written: Mount) -> bool:
    """``reader`` sees ``path`` through the volume where the writer put it."""
    mount = covering_mount(reader, path)
    if mount is None or mount.path is None or written.path is None:
        return False
    return (
        mount.name == written.name
        and path[len(mount.path.rstrip("/")) :] == path[len(written.path.rstrip("/")) :]
        and mount.sub_path == written.sub_path
    )


def _writes(writer: Container, path: str) -> tuple[tuple[YPath, str], ...]:
    return ((argv_path(writer, path), f"{writer.label} writes {excerpt(path)} here"),)


def check(pod: Pod, ctx: RuleContext) -> Iterator[Hit]:
    access = [(c, *file_access(c.argv)) for c in pod.all_containers if c.argv]
    readers = [(c, reads) for c, _, reads in access if reads]
    if not readers:
        return
    for writer, writes, _ in access:
        for path in dict.fromkeys(writes):
            for reader, reads in readers:
                if reader is writer:
                    continue
                matches = [r for r in reads if _same_file(path, r)]
                if not matches:
                    continue
                mount = covering_mount(writer, path)
                shown = excerpt(path)
                if mount is None:
                    yield Hit(
                        argv_path(reader, matches[0]),
                        f"{reader.label} reads {shown}, which {writer.label} writes to its own "
                        "filesystem: containers share only volumes. Mount a shared volume "
                        f"(e.g. an emptyDir) at the directory of {shown} in both",
                        container=reader,
                        related=_writes(writer, path),
                    )
                    continue
                volume = mount.name
                if volume is None or mount.path is None:
                    continue  # the schema finding reports the mount
                mount_path = excerpt(mount.path.rstrip("/"))
                volume = excerpt(volume)
                if not _sees(reader, path, mount):
                    yield Hit(
                        argv_path(reader, matches[0]),
                        f"{reader.label} reads {shown}, which {writer.label} writes on volume "
                        f"'{volume}' mounted at {mount_path or '/'}; {reader.label} does not see "
                        f"it there. Mount volume '{volume}' at {mount_path or '/'} in "
                        f"{reader.label}",
                        container=reader,
                        related=_writes(writer, path),
                    )


RULE = Rule(
    code="SCL201",
    name="file-not-on-shared-volume",
    severity=Severity.ERROR,
    summary="A file passed between containers is not on a volume both mount at that path",
    check=check,
    precision="medium",
)
