"""SCL201 file-not-on-shared-volume: a file one container writes and another reads is not
on a volume both mount at the same place."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from sidecarlint.checks._pod import argv_path, covering_mount
from sidecarlint.finding import Severity
from sidecarlint.locate import Container, Pod
from sidecarlint.registry import Hit, Rule, RuleContext
from sidecarlint.shell import file_access


def _same_file(written: str, read: str) -> bool:
    """``read`` names ``written``, literally or as a glob (``/var/log/*.log``)."""
    if written == read:
        return True
    return ("*" in read or "?" in read or "[" in read) and fnmatch.fnmatchcase(written, read)


def _sees(reader: Container, path: str, volume: str, rel: str, sub_path: object) -> bool:
    """``reader`` sees ``path`` through ``volume`` where the writer put it."""
    found = covering_mount(reader, path)
    if found is None:
        return False
    _, mount = found
    mount_path = str(mount["mountPath"]).rstrip("/")  # covering_mount saw it is a string
    return (
        mount.get("name") == volume
        and path[len(mount_path) :] == rel
        and mount.get("subPath") == sub_path
    )


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
                found = covering_mount(writer, path)
                if found is None:
                    yield Hit(
                        argv_path(reader, matches[0]),
                        f"{reader.label} reads {path}, which {writer.label} writes to its own "
                        "filesystem: containers share only volumes. Mount a shared volume "
                        f"(e.g. an emptyDir) at the directory of {path} in both",
                        container=reader,
                    )
                    continue
                _, mount = found
                volume = str(mount.get("name"))
                mount_path = str(mount.get("mountPath", "")).rstrip("/")
                rel = path[len(mount_path) :]
                if not _sees(reader, path, volume, rel, mount.get("subPath")):
                    yield Hit(
                        argv_path(reader, matches[0]),
                        f"{reader.label} reads {path}, which {writer.label} writes on volume "
                        f"'{volume}' mounted at {mount_path or '/'}; {reader.label} does not see "
                        f"it there. Mount volume '{volume}' at {mount_path or '/'} in "
                        f"{reader.label}",
                        container=reader,
                    )


RULE = Rule(
    code="SCL201",
    name="file-not-on-shared-volume",
    severity=Severity.ERROR,
    summary="A file passed between containers is not on a volume both mount at that path",
    check=check,
)
