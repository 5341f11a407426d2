"""The file-and-port model of a Pod: for each container, the files it writes and reads, the
ports it listens on and the local ports it connects to, each with its evidence.

Evidence is read from the container's command and args as the shell runs them (after the
kubelet has expanded ``$(VAR)`` from its env), its env (``LOG_FILE``, ``DATABASE_URL``,
``DB_HOST`` with ``DB_PORT``; values from ConfigMaps of the same input too), its declared
``ports``, the configuration files it mounts from ConfigMaps of the same input (a log
shipper's inputs, an Envoy bootstrap, a Vault agent's templates), the injector's
annotations, and the catalog of well-known images (:mod:`sidecarlint.images`). Rules that
reason about files or ports read this model; ``explain-pod`` prints it.
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache, partial
from typing import Any, NamedTuple

from sidecarlint import images
from sidecarlint.finding import YPath, excerpt
from sidecarlint.images import Image
from sidecarlint.locate import Container, Mount, Pod, int_at, text_at
from sidecarlint.shell import SHELLS, Command, absolute, file_access, parsed, script_of

#: Hosts that name the Pod itself: its containers share one network namespace.
LOCAL_HOSTS = frozenset(["localhost", "127.0.0.1", "::1", "[::1]", "0.0.0.0"])
_LOCAL = r"(?:localhost|127\.0\.0\.1|\[::1\]|0\.0\.0\.0)"
#: ``localhost:5432``, ``http://127.0.0.1:15021/ready``, ``postgres://u:p@[::1]:5432/db``.
_LOCAL_URL = re.compile(r"(?:^|[/@\s=\"'(])" + _LOCAL + r":(\d{1,5})(?![\d.])")
_HOST_FLAG = re.compile(r"^(?:-h|--host|--hostname|-host|--db-host)(?:=(.*))?$")
_PORT_FLAG = re.compile(r"^(?:-p|--port|-P|-port|--db-port)(?:=(\d{1,5}))?$")
#: A host flag with one of these values makes a command a client of a local server.
_CLIENT_HOSTS = LOCAL_HOSTS - {"0.0.0.0"}
#: Programs whose port flags name the server they connect to.
CLIENTS = frozenset(
    [
        "psql",
        "pg_isready",
        "pg_dump",
        "pg_restore",
        "mysql",
        "mysqladmin",
        "mysqldump",
        "redis-cli",
        "mongosh",
        "mongo",
        "cqlsh",
        "curl",
        "wget",
        "http",
        "grpcurl",
        "grpc_health_probe",
        "kcat",
        "kafkacat",
    ]
)
#: Flags that set a port the container itself listens on (``--port=8080``,
#: ``--web.listen-address=:9113``, ``--grpc-server-port 9090``).
_LISTEN_FLAG = re.compile(
    r"^--?(?:[\w.-]*-)?(?:port|listen|listen-address|listen-addr|address|addr|bind|"
    r"http-address|web\.listen-address|http-bind)$"
)
_BIND_VALUE = re.compile(r"^(?:(?:tcp|https?)://)?(?:([\w.\-]*|\[[0-9a-fA-F:]*\]):)?(\d{1,5})/?$")
#: Port flags that name a port another process listens on, not this one.
_CLIENT_FLAG = re.compile(
    r"^--?(?:[\w.-]*-)?(?:db|database|redis|postgres|pg|mysql|mongo|upstream|target|app|"
    r"backend|remote|peer|master|kafka|broker|proxy)-port$"
)
_NC = frozenset(["nc", "ncat", "netcat", "telnet"])
#: The images' entrypoint scripts, which run the image's program.
_ENTRYPOINTS = frozenset(["docker-entrypoint.sh", "entrypoint.sh", "/docker-entrypoint.sh"])
#: Programs that, given as the first arg to an image's entrypoint, run instead of the
#: image's own program.
_OTHER_PROGRAMS = (
    CLIENTS
    | _NC
    | SHELLS
    | frozenset(
        [
            "sleep",
            "echo",
            "cat",
            "tail",
            "true",
            "false",
            "ls",
            "env",
            "python",
            "python3",
            "node",
            "java",
        ]
    )
)
_SOCAT_LISTEN = re.compile(r"^(?:tcp[46]?-listen|tcp[46]?-l):(\d{1,5})(.*)$", re.I)
_SOCAT_CONNECT = re.compile(r"^(?:tcp[46]?|tcp[46]?-connect):([^:,]+):(\d{1,5})", re.I)
_ENV_LOG_FILE = re.compile(r"(?:^|_)LOG_?(?:FILE|PATH)(?:_?NAME)?$|(?:^|_)LOGFILE$")
_ENV_LOG_DIR = re.compile(r"(?:^|_)LOG_?DIR(?:ECTORY)?$|^LOGGING_FILE_PATH$")
_JAVA_LOG_FILE = re.compile(r"-D(?:logging\.file(?:\.name)?|log\.file)=(/\S+)")
_JAVA_LOG_DIR = re.compile(r"-D(?:logging\.file\.path|log\.dir|LOG_DIR|LOG_PATH)=(/\S+)")
_JAVA_FLAGS = (
    ("-Dlogging.file", _JAVA_LOG_FILE, False),
    ("-Dlogging.file.path", _JAVA_LOG_DIR, True),
)
#: Env variables that hold the JVM's options.
_JAVA_OPTIONS = frozenset(["JAVA_OPTS", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS"])
_VAR = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)|\$\$")
#: Largest configuration file read from a ConfigMap.
MAX_CONFIG = 1 << 18
_NO_PORTS: frozenset[int] = frozenset()


class FileUse(NamedTuple):
    """A file (or directory) a container writes or reads, and how that is known.

    (Named tuples, not records: a Pod has several per container, and they are built for
    every container of every Pod checked.)
    """

    path: str
    #: How it is known, for messages (``its command``, ``env LOG_FILE``).
    evidence: str
    #: Where the evidence is written in the document.
    where: YPath
    #: ``path`` is a directory the container writes files in (``LOG_DIR``, git-sync's root).
    directory: bool = False
    #: Read continuously (``tail -f``, a log shipper's input).
    follows: bool = False
    #: A file the image links to the container's stdout or stderr: it is written as a file
    #: only where a volume is mounted at this directory (the nginx images' logs).
    linked: str | None = None


class PortUse(NamedTuple):
    """A port a container listens on, or a local port it connects to, and how that is
    known."""

    port: int
    evidence: str
    where: YPath
    protocol: str = "TCP"
    #: Listening: on the loopback interface only.
    loopback: bool = False
    #: Connecting: the script retries until it answers (``until nc -z ...``): it waits.
    waits: bool = False
    #: Listening: certain (declared, named in args, env or configuration, or fixed by the
    #: image) rather than one of several possible defaults.
    certain: bool = True
    #: Listening: a ``containerPort`` entry.
    declared: bool = False


#: The list of uses a container has none of (shared: never appended to).
_NONE: list[Any] = []


def _added(uses: list[Any], use: Any) -> list[Any]:
    """``uses`` with ``use`` added, unless one of the same file or port is there (a certain
    reading replaces a guessed default); a new list when ``uses`` is empty."""
    if not uses:
        return [use]
    key = (use.path, use.directory) if isinstance(use, FileUse) else (use.port, use.protocol)
    for i, old in enumerate(uses):
        old_key = (
            (old.path, old.directory) if isinstance(old, FileUse) else (old.port, old.protocol)
        )
        if old_key == key:
            if isinstance(use, PortUse) and use.certain and not old.certain:
                uses[i] = use
            return uses
    uses.append(use)
    return uses


# --- reading values -----------------------------------------------------------------------


def _absolute(word: str) -> str | None:
    """An absolute path (see :func:`shell.absolute`) without its trailing slash."""
    path = absolute(word)
    if path is None:
        return None
    return path.rstrip("/") or None


def _port(text: str | None) -> int | None:
    if text is None or not text.isdigit() or len(text) > 5:
        return None
    port = int(text)
    return port if 0 < port < 65536 else None


def local_urls(text: str) -> list[int]:
    """Local ports named in ``text`` as ``host:port`` (``localhost:5432``, a URL)."""
    return [p for m in _LOCAL_URL.finditer(text) if (p := _port(m.group(1))) is not None]


def _bind(value: str) -> tuple[int, bool] | None:
    """``:8080``, ``0.0.0.0:9090``, ``127.0.0.1:4180``, ``8080`` → port and loopback."""
    match = _BIND_VALUE.match(value.strip())
    if not match:
        return None
    port = _port(match.group(2))
    if port is None:
        return None
    host = (match.group(1) or "").strip("[]")
    return port, host in ("localhost", "127.0.0.1", "::1")


def expand(text: str, env: Mapping[str, str]) -> str:
    """``$(VAR)`` references expanded as the kubelet expands them in command and args
    (``$$`` is a literal ``$``; an unknown variable stays as written)."""
    if "$" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return "$"
        return env.get(name, match.group(0))

    return _VAR.sub(one, text)


def _flag(words: tuple[str, ...] | list[str], names: Iterable[str]) -> str | None:
    """The value of the first of ``names`` in ``words`` (``--x=v`` or ``--x v``)."""
    wanted = set(names)
    for i, word in enumerate(words):
        name, eq, value = word.partition("=")
        if name in wanted:
            if eq:
                return value
            return words[i + 1] if i + 1 < len(words) else ""
    return None


def _has(words: Iterable[str], *flags: str) -> bool:
    return any(w.partition("=")[0] in flags for w in words)


def _true(value: str | None) -> bool:
    return value is not None and value.lower() in ("", "true", "1", "yes", "on")


# --- one container ------------------------------------------------------------------------


class Activity:
    """What one container does with files and ports (built by :func:`activity`).

    What both halves need is read when the activity is made (the command line as the shell
    runs it, the image's own reading); the halves are read on first use: the files it
    writes and reads, and the ports it listens on and connects to (a rule about files
    never pays for ports).
    """

    __slots__ = (
        "_connect_ports",
        "_connects",
        "_entry",
        "_env",
        "_files",
        "_forwards",
        "_items",
        "_listen_ports",
        "_listens",
        "_one_shot",
        "_ports",
        "_reads",
        "_unbound",
        "_writes",
        "arg_ports",
        "argv",
        "c",
        "facts",
        "maps",
        "namespace",
        "pod",
    )

    def __init__(self, pod: Pod, container: Container) -> None:
        # The pod is needed while the activity is made (the image's reading looks at its
        # annotations and ConfigMaps), not after: kept, it would tie the pod in a cycle.
        self.pod: Pod | None = pod
        self.maps = pod.config_maps
        namespace = pod.obj.metadata.get("namespace")
        self.namespace = namespace if isinstance(namespace, str) else None
        self.c = container
        entry = images.lookup(container.image) if container.image else None
        self._entry: Image | None = entry
        self._env: dict[str, tuple[str, tuple[str | int, ...]]] | None = None
        self._items: list[tuple[str, str]] | None = None
        #: Each command and args item as the kubelet passes it, with its key and index
        #: (kept only when ``$(VAR)`` expansion changed one).
        self.argv: list[tuple[str, str, int]] = _NONE
        #: Ports the args name as the ones it listens on.
        self.arg_ports: frozenset[int] | set[int] = _NO_PORTS
        # Lists are made when something is added (most containers add nothing to most).
        self._writes: list[FileUse] = _NONE
        self._reads: list[FileUse] = _NONE
        self._listens: list[PortUse] = _NONE
        self._connects: list[PortUse] = _NONE
        self._forwards: list[PortUse] = _NONE
        self._unbound: list[PortUse] = _NONE
        self._one_shot = False
        self._files = self._ports = False
        self._listen_ports: frozenset[int] = _NO_PORTS
        self._connect_ports: frozenset[int] = _NO_PORTS
        words = self._argv()
        self.facts = _argv_facts(words) if words else None
        if entry is not None:
            cmds = parsed(words)
            main = list(cmds[-1].words) if cmds else []
            if self._runs_image(entry, main):
                # The image's own reading of its args first: it knows what they mean
                # (which port is on loopback, which flag is whose).
                self._image(main)
                if pod.config_maps:
                    self._config_maps(pod)
            else:
                self._entry = None
        self.pod = None

    @property
    def container(self) -> Container:
        return self.c

    @property
    def entry(self) -> Image | None:
        """Its catalog entry (by image), when it runs the image's own program."""
        return self._entry

    @property
    def one_shot(self) -> bool:
        """It runs as a one-shot (an injector's set-up step, ``--one-time``, a subcommand)."""
        return self._one_shot

    @property
    def writes(self) -> list[FileUse]:
        if not self._files:
            self.files()
        return self._writes

    @property
    def reads(self) -> list[FileUse]:
        if not self._files:
            self.files()
        return self._reads

    @property
    def listens(self) -> list[PortUse]:
        if not self._ports:
            self.ports()
        return self._listens

    @property
    def connects(self) -> list[PortUse]:
        if not self._ports:
            self.ports()
        return self._connects

    @property
    def forwards(self) -> list[PortUse]:
        """Local ports it forwards traffic to (a proxy's upstreams)."""
        if not self._ports:
            self.ports()
        return self._forwards

    @property
    def unbound(self) -> list[PortUse]:
        """Declared ports that its args bind elsewhere: the args name the ports it listens
        on, and not these."""
        if not self._ports:
            self.ports()
        return self._unbound

    @property
    def listen_ports(self) -> frozenset[int]:
        if not self._ports:
            self.ports()
        return self._listen_ports

    @property
    def connect_ports(self) -> frozenset[int]:
        if not self._ports:
            self.ports()
        return self._connect_ports

    def listening(self, port: int, protocol: str = "TCP") -> PortUse | None:
        """How it listens on ``port``, if it does."""
        for use in self.listens:
            if use.port == port and use.protocol == protocol:
                return use
        return None

    @property
    def env(self) -> dict[str, tuple[str, tuple[str | int, ...]]]:
        """Literal env values (ConfigMap values too), each with where it is set below the
        container (see :meth:`variable`); read on first use."""
        env = self._env
        if env is None:
            env = self._env = self._read_env()
        return env

    # evidence places
    def argv_where(self, needle: str) -> YPath:
        if self.argv:
            for text, key, index in self.argv:
                if needle in text:
                    return (*self.c.path, key, index)
            return (*self.c.path, "name")
        data = self.c.data
        for key in ("command", "args"):
            items = data.get(key)
            if type(items) is list:
                for index, item in enumerate(items):
                    if type(item) is str and needle in item:
                        return (*self.c.path, key, index)
        return (*self.c.path, "name")

    @property
    def image_where(self) -> YPath:
        return (*self.c.path, "image")

    def files(self) -> None:
        """The files half: what the command line and env show, the image's writes. A log
        shipper follows whatever it reads."""
        self._files = True
        facts = self.facts
        entry = self._entry
        shipper = entry is not None and entry.role == images.SHIPPER
        if facts is not None and (facts.writes or facts.reads):
            where = self.argv_where
            for path, evidence, needle, directory in facts.writes:
                self._writes = _added(
                    self._writes, FileUse(path, evidence, where(needle), directory)
                )
            # A path it writes is not one it reads from another container (Envoy's
            # --log-path is its own log, not a log shipper's input).
            own = {use.path for use in self._writes} if self._writes else ()
            for path, needle, follows in facts.reads:
                if path in own:
                    continue
                use = FileUse(path, "its command", where(needle), follows=follows or shipper)
                self._reads = _added(self._reads, use)
        if "env" in self.c.data:
            self._env_files()
        if shipper and self._reads:
            self._reads = [u if u.follows else u._replace(follows=True) for u in self._reads]

    def ports(self) -> None:
        """The ports half: declared ports (first), what the command line and env show, and
        the declared ports the args bind elsewhere."""
        self._ports = True
        facts = self.facts
        data = self.c.data
        if "ports" in data:
            self._declared()
        if facts is not None and (facts.listens or facts.connects or facts.forwards):
            where = self.argv_where
            for port, evidence, needle, loopback in facts.listens:
                self._listens = _added(
                    self._listens, PortUse(port, evidence, where(needle), loopback=loopback)
                )
            for port, needle, waits in facts.connects:
                self._connects = _added(
                    self._connects, PortUse(port, "its command", where(needle), waits=waits)
                )
            for port, evidence, needle in facts.forwards:
                self._forwards = _added(self._forwards, PortUse(port, evidence, where(needle)))
            if facts.arg_ports:
                self.arg_ports = facts.arg_ports
        if "env" in data or "envFrom" in data:
            self._env_ports()
        if self.arg_ports:
            self._split_unbound()
        if self._listens:
            self._listen_ports = frozenset([use.port for use in self._listens])
        if self._connects:
            self._connect_ports = frozenset([use.port for use in self._connects])

    def _runs_image(self, entry: Image, main: list[str]) -> bool:
        """The container runs the image's own program (so the image's facts apply), not
        another one (``psql`` in a postgres image, a shell loop in an nginx image): ``main``
        is the command it runs last."""
        first = main[0] if main else ""
        if self.c.command:
            program = first.rsplit("/", 1)[-1]
            return program.startswith(entry.binary) or program in _ENTRYPOINTS
        return not first or first.startswith("-") or first not in _OTHER_PROGRAMS

    # env and argv
    def _read_env(self) -> dict[str, tuple[str, tuple[str | int, ...]]]:
        c = self.c
        env: dict[str, tuple[str, tuple[str | int, ...]]] = {}
        for i, item in c.items("envFrom"):
            ref = item.get("configMapRef")
            name = text_at(ref, "name") if isinstance(ref, dict) else None
            data = self._config_map(name)
            prefix = text_at(item, "prefix") or ""
            if data:
                for key, value in data.items():
                    env[prefix + key] = (value, ("envFrom", i))
        for i, item in c.items("env"):
            variable = item.get("name")
            if type(variable) is not str:
                continue
            literal = item.get("value")
            if type(literal) is str:
                env[variable] = (literal, ("env", i, "value"))
                continue
            source = item.get("valueFrom")
            ref = source.get("configMapKeyRef") if isinstance(source, dict) else None
            if isinstance(ref, dict):
                data = self._config_map(text_at(ref, "name"))
                wanted = text_at(ref, "key")
                if data and wanted is not None and wanted in data:
                    env[variable] = (data[wanted], ("env", i))
        return env

    def variable(self, name: str) -> tuple[str, YPath, str] | None:
        """An env variable's value, where it is set, and the evidence it is (``env X``)."""
        found = self.env.get(name)
        if found is None:
            return None
        return found[0], (*self.c.path, *found[1]), f"env {excerpt(name)}"

    def _config_map(self, name: str | None) -> dict[str, str] | None:
        maps = self.maps
        if name is None or maps is None:
            return None
        return maps.get(name, self.namespace)

    def _argv(self) -> tuple[str, ...]:
        """Command and args as the kubelet passes them (``$(VAR)`` expanded)."""
        argv = self.c.argv
        for word in argv:
            if "$" in word:
                break
        else:
            return argv
        values = {name: value for name, (value, _) in self.env.items()}
        expanded: list[str] = []
        self.argv = []
        data = self.c.data
        for key in ("command", "args"):
            items = data.get(key)
            if type(items) is not list:
                continue
            for index, item in enumerate(items):
                if item is not None:
                    text = expand(item if type(item) is str else str(item), values)
                    self.argv.append((text, key, index))
                    expanded.append(text)
        return tuple(expanded)

    def _declared(self) -> None:
        """Declared ports, ahead of what the image's reading found for the same ports."""
        path = self.c.path
        declared: list[PortUse] = _NONE
        for port in self.c.ports:
            number = port.container_port
            if number is None or port.protocol is None:
                continue
            declared = _added(
                declared,
                PortUse(
                    number,
                    "containerPort",
                    (*path, "ports", port.index, "containerPort"),
                    protocol=port.protocol,
                    declared=True,
                ),
            )
        out = self
        if out._listens:
            taken = {(use.port, use.protocol) for use in declared}
            declared = [*declared, *(u for u in out._listens if (u.port, u.protocol) not in taken)]
        out._listens = declared

    # env
    def _env_files(self) -> None:
        """Log files and directories env variables name (``LOG_FILE``, ``LOG_DIR``,
        ``-Dlogging.file`` in ``JAVA_OPTS``)."""
        for name, value in self._env_items():
            if value.startswith("/") and " " not in value:
                upper = name.upper()
                if _ENV_LOG_FILE.search(upper):
                    self._write(value, f"env {excerpt(name)}", self._env_where(name))
                elif _ENV_LOG_DIR.search(upper):
                    self._write(
                        value, f"env {excerpt(name)}", self._env_where(name), directory=True
                    )
            elif "-D" in value and name.upper() in _JAVA_OPTIONS:
                for found in _JAVA_LOG_FILE.findall(value):
                    self._write(found, f"env {excerpt(name)}", self._env_where(name))
                for found in _JAVA_LOG_DIR.findall(value):
                    self._write(
                        found, f"env {excerpt(name)}", self._env_where(name), directory=True
                    )

    def _env_ports(self) -> None:
        """Local servers env variables name (``DATABASE_URL``, ``DB_HOST`` with
        ``DB_PORT``); listen and bind addresses are not connections, nor is what a
        configuration file held in a variable says (``VAULT_CONFIG``)."""
        for name, value in self._env_items():
            if ":" in value:
                upper = name.upper()
                if (
                    "LISTEN" in upper
                    or "BIND" in upper
                    or value.startswith(("0.0.0.0", "{", "["))
                    or "\n" in value
                ):
                    continue
                for port in local_urls(value):
                    self._connect(port, f"env {excerpt(name)}", self._env_where(name), False)
            elif value in _CLIENT_HOSTS and len(name) > 4 and name.upper().endswith("HOST"):
                env = self.env
                prefix = name[: -len("HOST")]
                other = env.get(prefix + "PORT") or env.get(prefix + "port")
                paired = _port(other[0]) if other else None
                if paired is not None:
                    where = self._env_where(name)
                    self._connect(
                        paired, f"env {excerpt(name)} and {excerpt(prefix)}PORT", where, False
                    )

    def _env_items(self) -> list[tuple[str, str]]:
        """Env variables and their literal values (the env list alone, unless values
        come from ConfigMaps: then all of them)."""
        found = self._items
        if found is None:
            found = self._items = self._read_env_items()
        return found

    def _read_env_items(self) -> list[tuple[str, str]]:
        if self._env is not None or "envFrom" in self.c.data:
            return [(name, value) for name, (value, _) in self.env.items()]
        out: list[tuple[str, str]] = []
        for _, item in self.c.items("env"):
            name = item.get("name")
            value = item.get("value")
            if type(name) is str:
                if type(value) is str:
                    out.append((name, value))
                else:
                    source = item.get("valueFrom")
                    if isinstance(source, dict) and "configMapKeyRef" in source:
                        return [(n, v) for n, (v, _) in self.env.items()]
        return out

    def _env_where(self, name: str) -> YPath:
        return (*self.c.path, *self.env[name][1])

    # uses
    def _write(self, path: str, evidence: str, where: YPath, directory: bool = False) -> None:
        absolute = _absolute(path)
        if absolute is not None:
            self._writes = _added(self._writes, FileUse(absolute, evidence, where, directory))

    def _read(self, path: str, evidence: str, where: YPath, follows: bool = True) -> None:
        absolute = _absolute(path)
        if absolute is not None:
            self._reads = _added(self._reads, FileUse(absolute, evidence, where, follows=follows))

    def _listen(
        self,
        port: int,
        evidence: str,
        where: YPath,
        loopback: bool,
        protocol: str = "TCP",
        certain: bool = True,
    ) -> None:
        self._listens = _added(
            self._listens,
            PortUse(port, evidence, where, protocol, loopback=loopback, certain=certain),
        )

    def _connect(self, port: int, evidence: str, where: YPath, waits: bool) -> None:
        self._connects = _added(self._connects, PortUse(port, evidence, where, waits=waits))

    def _forward(self, port: int, evidence: str, where: YPath) -> None:
        self._forwards = _added(self._forwards, PortUse(port, evidence, where))

    # the catalog
    def _image(self, words: list[str]) -> None:
        entry = self._entry
        assert entry is not None
        reader = _IMAGE_READERS.get(entry.label)
        if reader is not None:
            reader(self, words)
            return
        self._defaults()

    def _defaults(self, skip: Iterable[int] = ()) -> None:
        entry = self._entry
        assert entry is not None
        skipped = set(skip)
        for listen in entry.listens:
            if listen.port not in skipped:
                self._listen(
                    listen.port,
                    f"{entry.label}: {listen.what}",
                    self.image_where,
                    listen.loopback,
                    listen.protocol,
                    certain=listen.fixed,
                )
        for path in entry.writes:
            linked = "/var/log/nginx" if path in images.NGINX_LOGS else None
            self._writes = _added(
                self._writes,
                FileUse(path, f"the {entry.label} image", self.image_where, linked=linked),
            )

    def _drop_defaults(self) -> None:
        """Forget the image's default ports (its configuration names others)."""
        prefix = f"{self._entry.label}: " if self._entry else ""
        self._listens = [u for u in self._listens if not u.evidence.startswith(prefix)]

    # ConfigMaps the container mounts
    def _config_maps(self, pod: Pod) -> None:
        if self._entry is None or self._entry.label not in _CONFIG_READERS:
            return
        parse = _CONFIG_READERS[self._entry.label]
        for mount, name, files in _mounted_config_maps(pod, self.c):
            for file_path, key, text in files:
                if len(text) > MAX_CONFIG:
                    continue
                evidence = f"ConfigMap {excerpt(name)}, {excerpt(key)}"
                where = (*self.c.path, "volumeMounts", mount.index)
                parse(self, text, file_path, evidence, where)

    def _split_unbound(self) -> None:
        """Declared ports its args do not bind: when the args name the ports the container
        listens on, a declared port they do not name is not bound (the args win)."""
        out = self
        kept: list[PortUse] = []
        for use in out._listens:
            if use.declared and use.port not in self.arg_ports:
                out._unbound = _added(out._unbound, use)
            else:
                kept.append(use)
        out._listens = kept


class _Facts:
    """What a command line shows, before it is placed in a document (cached by words):
    each use with the word that shows it."""

    __slots__ = ("arg_ports", "connects", "empty", "forwards", "listens", "reads", "writes")

    def __init__(self) -> None:
        #: (path, evidence, word, directory)
        self.writes: list[tuple[str, str, str, bool]] = []
        #: (path, word, follows)
        self.reads: list[tuple[str, str, bool]] = []
        #: (port, evidence, word, loopback)
        self.listens: list[tuple[int, str, str, bool]] = []
        #: (port, word, waits)
        self.connects: list[tuple[int, str, bool]] = []
        #: (port, evidence, word)
        self.forwards: list[tuple[int, str, str]] = []
        #: Ports listen flags name.
        self.arg_ports: set[int] = set()
        #: It shows nothing at all.
        self.empty = False


@lru_cache(maxsize=4096)
def _argv_facts(words: tuple[str, ...]) -> _Facts:
    """Files and ports of a command line, as the shell runs it."""
    facts = _Facts()
    writes, reads = file_access(words)
    cmds = parsed(words)
    if writes:
        facts.writes.extend((path, "its command", path, False) for path in writes)
    if reads:
        follows = {
            a
            for cmd in cmds
            if cmd.program == "tail" and _follows(cmd)
            for a in cmd.args
            if not a.startswith("-")
        }
        facts.reads.extend((path, path, path in follows) for path in reads)
    for word in words:
        if "-D" in word:
            for flag, pattern, directory in _JAVA_FLAGS:
                for value in pattern.findall(word):
                    path = _absolute(value)
                    if path is not None:
                        facts.writes.append((path, flag, value, directory))
    for cmd in cmds:
        _command_facts(facts, cmd)
    facts.empty = not (
        facts.writes or facts.reads or facts.listens or facts.connects or facts.forwards
    )
    return facts


def _command_facts(facts: _Facts, cmd: Command) -> None:
    words = cmd.words
    program = cmd.program
    for word in words:
        if ":" in word and _SOCAT_LISTEN.match(word):
            _socat(facts, cmd)
            return
    if program in _NC:
        _netcat(facts, cmd)
        return
    if not _maybe_ports(words):
        return  # no address, port, listen or host flag: nothing to read
    waits = cmd.retried
    local = False
    for i, word in enumerate(words):
        if word.startswith("-h") or (word.startswith("--") and "host" in word):
            host = _HOST_FLAG.match(word)
            if host:
                value = host.group(1) if host.group(1) is not None else _at(words, i + 1)
                local = local or value in _CLIENT_HOSTS
    client = local or program in CLIENTS
    port: int | None = None
    skip = False
    for i, word in enumerate(words):
        if skip or (i == 0 and not word.startswith("-")):
            skip = False
            continue  # a listen flag's value, or the program (args alone start with a flag)
        if word.startswith("-"):
            name, eq, value = word.partition("=")
            flag = _PORT_FLAG.match(word)
            if flag:
                port = _port(flag.group(1) or _at(words, i + 1)) or port
            if _LISTEN_FLAG.match(name) and not _CLIENT_FLAG.match(name) and not client:
                skip = not eq
                bound = _bind(value if eq else _at(words, i + 1))
                if bound is not None:
                    facts.arg_ports.add(bound[0])
                    facts.listens.append((bound[0], excerpt(name), word, bound[1]))
                continue
        if ":" in word:
            for found in local_urls(word):
                facts.connects.append((found, word, waits))
    if local and port is not None:
        facts.connects.append((port, str(port), waits))


def _maybe_ports(words: tuple[str, ...]) -> bool:
    """A command line that may name a port: an address (``host:port``, a URL) or a
    port, listen, address, bind or host flag."""
    for word in words:
        if ":" in word:
            return True
        if word.startswith("-"):
            if word[1:2] in ("h", "p", "P") and (len(word) == 2 or word[2] == "="):
                return True
            lower = word.lower()
            if (
                "port" in lower
                or "listen" in lower
                or "addr" in lower
                or "bind" in lower
                or "host" in lower
            ):
                return True
    return False


def _netcat(facts: _Facts, cmd: Command) -> None:
    words = cmd.words
    args = [w for w in cmd.args if not w.startswith("-")]
    listen = any(w.startswith("-") and "l" in w[1:] and not w.startswith("--") for w in words)
    if listen:
        port = _port(_flag(words, ("-p",)) or (args[-1] if args else None))
        if port is not None:
            facts.listens.append((port, "nc -l", str(port), False))
        return
    if len(args) >= 2 and args[-2] in LOCAL_HOSTS:
        port = _port(args[-1])
        if port is not None:
            facts.connects.append((port, args[-1], cmd.retried))


def _socat(facts: _Facts, cmd: Command) -> None:
    for word in cmd.words:
        listen = _SOCAT_LISTEN.match(word)
        if listen:
            port = _port(listen.group(1))
            if port is not None:
                loopback = bool(re.search(r"bind=(127\.0\.0\.1|localhost)", listen.group(2)))
                facts.listens.append((port, "socat TCP-LISTEN", word, loopback))
            continue
        target = _SOCAT_CONNECT.match(word)
        if target and target.group(1) in LOCAL_HOSTS:
            port = _port(target.group(2))
            if port is not None:
                facts.forwards.append((port, "socat", word))


def _at(words: tuple[str, ...] | list[str], i: int) -> str:
    return words[i] if i < len(words) else ""


def _follows(cmd: Command) -> bool:
    """``tail -f``, ``-F``, ``-qf``, ``--follow[=name]``: reads what is appended, forever."""
    for a in cmd.args:
        if a.startswith("--"):
            if a.partition("=")[0] == "--follow":
                return True
        elif a.startswith("-") and ("f" in a or "F" in a):
            return True
    return False


def _mounted_config_maps(
    pod: Pod, c: Container
) -> Iterator[tuple[Mount, str, list[tuple[str, str, str]]]]:
    """Each ConfigMap of the input ``c`` mounts: the mount, the ConfigMap's name, and its
    files as (path in the container, key, text)."""
    maps = pod.config_maps
    if maps is None:
        return
    for mount in c.mounts:
        if mount.name is None or mount.path is None or mount.name not in pod.volumes:
            continue
        volume = pod.volumes[mount.name][1]
        source = volume.get("configMap")
        if not isinstance(source, dict):
            continue
        name = text_at(source, "name")
        data = maps.get(name, pod.obj.ref.namespace) if name else None
        if not data:
            continue
        items = source.get("items")
        paths: dict[str, str] = {}
        if isinstance(items, list) and items:
            for item in items:
                if isinstance(item, dict) and text_at(item, "key") and text_at(item, "path"):
                    paths[item["key"]] = item["path"]
        else:
            paths = {key: key for key in data}
        files: list[tuple[str, str, str]] = []
        base = mount.path.rstrip("/")
        for key, relative in paths.items():
            text = data.get(key)
            if text is None:
                continue
            if mount.sub_path is not None:
                if mount.sub_path != relative:
                    continue
                files.append((base, key, text))
            else:
                files.append((f"{base}/{relative}", key, text))
        assert name is not None
        yield mount, name, files


# --- what each well-known image reads from its args and env ---------------------------------


def _istio(r: Activity, words: list[str]) -> None:
    if words and (words[0] == "istio-iptables" or "--run-validation" in words):
        r._one_shot = True
        return
    pod = r.pod
    assert pod is not None  # the image's reading runs while the activity is made
    annotations = pod.template_metadata.get("annotations")
    status = (
        annotations.get("status.sidecar.istio.io/port") if isinstance(annotations, dict) else None
    )
    port = _port(str(status)) if status is not None else None
    if port is not None:
        where = (*pod.template_path, "metadata", "annotations", "status.sidecar.istio.io/port")
        r._listen(port, "annotation status.sidecar.istio.io/port", where, False)
        r._defaults(skip=(15020,))
    else:
        r._defaults()


def _linkerd(r: Activity, words: list[str]) -> None:
    if any("proxy-init" in w for w in words) or _has(words, "--incoming-proxy-port"):
        r._one_shot = True
        return
    moved: set[int] = set()
    for listen, variable in zip(
        r.entry.listens if r.entry else (),
        ("OUTBOUND", "INBOUND", "CONTROL", "ADMIN"),
        strict=False,
    ):
        name = f"LINKERD2_PROXY_{variable}_LISTEN_ADDR"
        value = r.variable(name)
        bound = _bind(value[0]) if value else None
        if value and bound is not None:
            moved.add(listen.port)
            r._listen(bound[0], name, value[1], bound[1])
    r._defaults(skip=moved)


def _envoy(r: Activity, words: list[str]) -> None:
    if _flag(words, ("--mode",)) == "validate":
        r._one_shot = True
        return
    for flag in ("--log-path", "--admin-address-path"):
        value = _flag(words, (flag,))
        if value:
            r._write(value, flag, r.argv_where(value))
    inline = _flag(words, ("--config-yaml",))
    if inline:
        _envoy_config(r, inline, "", "--config-yaml", r.argv_where(inline))
    if not _has(words, "-c", "--config-path", "--config-yaml") and not any(
        w.startswith(("-c ", "--config-path ")) for w in words
    ):
        # The image's own configuration (no -c): admin on 9901, a listener on 10000 (unless
        # a volume replaces that file).
        where = r.image_where
        r._listen(9901, "Envoy admin (the image's configuration)", where, False, certain=False)
        r._listen(10000, "Envoy listener (the image's configuration)", where, False, certain=False)


def _cloud_sql(r: Activity, words: list[str]) -> None:
    if words and words[0].rsplit("/", 1)[-1] == "cloud-sql-proxy":
        words = words[1:]
    if words and words[0] in ("wait", "shutdown", "completion", "help"):
        r._one_shot = True
        return

    def option(*names: str, variable: str) -> tuple[str, YPath, str] | None:
        """A flag's value, where it is written and its evidence (the flag, or the env
        variable the proxy reads instead)."""
        value = _flag(words, names)
        if value is not None:
            return value, r.argv_where(value or names[0]), names[0]
        return r.variable(variable)

    def switch(flags: tuple[str, ...], variables: tuple[str, ...]) -> YPath | None:
        """Where a boolean flag (or its env variable) turns a server on, or None."""
        for flag in flags:
            if flag in words:
                return r.argv_where(flag)
        for variable in variables:
            found = r.variable(variable)
            if found is not None and _true(found[0]):
                return found[1]
        return None

    instances = _instances(words)
    if option("--unix-socket", "-u", variable="CSQL_PROXY_UNIX_SOCKET") is None:
        address = option("--address", "-a", variable="CSQL_PROXY_ADDRESS")
        loopback = address is None or address[0] in ("127.0.0.1", "localhost", "::1")
        first = option("--port", "-p", variable="CSQL_PROXY_PORT")
        start = _port(first[0]) if first else None
        for i, instance in enumerate(instances or ["(instance)"]):
            own = re.search(r"[?&]port=(\d{1,5})", instance)
            if own and _port(own.group(1)):
                r._listen(int(own.group(1)), "?port=", r.argv_where(instance), loopback)
            elif start is not None and first is not None:
                r._listen(start + i, first[2], first[1], loopback)
            else:
                for default in (3306, 5432, 1433):
                    r._listen(
                        default,
                        "the database engine's default port",
                        r.argv_where(instance) if instances else r.image_where,
                        loopback,
                        certain=False,
                    )
    health = switch(
        ("--health-check", "--prometheus"), ("CSQL_PROXY_HEALTH_CHECK", "CSQL_PROXY_PROMETHEUS")
    )
    if health is not None:
        http = option("--http-port", variable="CSQL_PROXY_HTTP_PORT")
        host = option("--http-address", variable="CSQL_PROXY_HTTP_ADDRESS")
        port = _port(http[0]) if http else 9090
        if port is not None:
            r._listen(
                port,
                f"HTTP server ({http[2]})" if http else "HTTP server (default 9090)",
                http[1] if http else health,
                host is None or host[0] in ("localhost", "127.0.0.1"),
            )
    admin_on = switch(
        ("--quitquitquit", "--debug"), ("CSQL_PROXY_QUITQUITQUIT", "CSQL_PROXY_DEBUG")
    )
    if admin_on is not None:
        admin = option("--admin-port", variable="CSQL_PROXY_ADMIN_PORT")
        port = _port(admin[0]) if admin else 9091
        if port is not None:
            r._listen(
                port,
                f"admin server ({admin[2]})" if admin else "admin server (default 9091)",
                admin[1] if admin else admin_on,
                True,
            )


#: Flags of the Cloud SQL Auth Proxy that take a value (every other word is an instance).
_CLOUD_SQL_VALUES = frozenset(  # pragma: no mutate
    [
        "--port",
        "-p",
        "--address",
        "-a",
        "--http-port",
        "--http-address",
        "--admin-port",
        "--credentials-file",
        "-c",
        "--token",
        "-t",
        "--login-token",
        "--unix-socket",
        "-u",
        "--unix-socket-path",
        "--config-file",
        "--max-connections",
        "--max-sigterm-delay",
        "--min-sigterm-delay",
        "--fuse",
        "--fuse-tmp-dir",
        "--impersonate-service-account",
        "--quota-project",
        "--sqladmin-api-endpoint",
        "--telemetry-project",
        "--telemetry-prefix",
        "--telemetry-sample-rate",
        "--universe-domain",
        "--prometheus-namespace",
    ]
)


def _instances(words: list[str]) -> list[str]:
    """The instance connection names among a Cloud SQL Auth Proxy's arguments."""
    out: list[str] = []
    for i, word in enumerate(words):
        if word.startswith("-"):
            continue
        if i > 0 and words[i - 1] in _CLOUD_SQL_VALUES:
            continue
        out.append(word)
    return out


def _gce_proxy(r: Activity, words: list[str]) -> None:
    spec = _flag(words, ("-instances", "--instances"))
    where = r.argv_where(spec) if spec else r.image_where
    found = r.variable("INSTANCES") if spec is None else None
    if found is not None:
        spec, where = found[0], found[1]
    for instance in (spec or "").split(","):
        match = re.search(r"=tcp:(?:([\w.\[\]:]+):)?(\d{1,5})$", instance.strip())
        if match and _port(match.group(2)):
            host = match.group(1)
            r._listen(
                int(match.group(2)), "-instances=...=tcp:", where, host in (None, "127.0.0.1")
            )
    if _has(words, "-use_http_health_check", "--use_http_health_check"):
        value = _flag(words, ("-health_check_port", "--health_check_port"))
        port = _port(value) if value else 8090
        if port is not None:
            r._listen(port, "health check", r.argv_where("health_check"), False)


def _vault(r: Activity, words: list[str]) -> None:
    if "agent" not in words:
        return  # the same image runs the Vault server
    if any(w in ("-exit-after-auth", "--exit-after-auth") for w in words):
        r._one_shot = True
    encoded = r.variable("VAULT_CONFIG")
    if encoded is not None:
        try:
            text = base64.b64decode(encoded[0], validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            text = encoded[0]
        _vault_config(r, text, "", "env VAULT_CONFIG", encoded[1])
    _vault_annotations(r)


def _vault_annotations(r: Activity) -> None:
    """The files the Vault agent injector renders, from the pod template's annotations."""
    pod = r.pod
    assert pod is not None  # the image's reading runs while the activity is made
    annotations = pod.template_metadata.get("annotations")
    if not isinstance(annotations, dict):
        return
    prefix = "vault.hashicorp.com/agent-inject-secret-"
    default_dir = annotations.get("vault.hashicorp.com/secret-volume-path", "/vault/secrets")
    for key in annotations:
        if not isinstance(key, str) or not key.startswith(prefix):
            continue
        name = key[len(prefix) :]
        directory = annotations.get(f"vault.hashicorp.com/secret-volume-path-{name}", default_dir)
        file_name = annotations.get(f"vault.hashicorp.com/agent-inject-file-{name}", name)
        if not isinstance(directory, str) or not isinstance(file_name, str):
            continue
        where = (*pod.template_path, "metadata", "annotations", key)
        r._write(f"{directory.rstrip('/')}/{file_name}", f"annotation {excerpt(key)}", where)


def _oauth2_proxy(r: Activity, words: list[str]) -> None:
    address = _flag(words, ("--http-address", "-http-address"))
    where = r.argv_where(address) if address else r.image_where
    evidence = "--http-address"
    found = r.variable("OAUTH2_PROXY_HTTP_ADDRESS") if address is None else None
    if found is not None:
        address, where, evidence = found
    bound = _bind(address) if address else None
    if bound is not None:
        r._listen(bound[0], evidence, where, bound[1])
    else:
        r._defaults()
    for upstream in _values(words, "--upstream"):
        for port in local_urls(upstream):
            r._forward(port, "--upstream", r.argv_where(upstream))


def _values(words: list[str], flag: str) -> list[str]:
    out: list[str] = []
    for i, word in enumerate(words):
        name, eq, value = word.partition("=")
        if name == flag:
            out.append(value if eq else _at(words, i + 1))
    return out


def _fluent_bit(r: Activity, words: list[str]) -> None:
    # Its tail inputs given as '-i tail -p path=...' are read with the command line.
    for flag in ("-H", "--http"):
        if flag in words:
            port = _port(_flag(words, ("-P", "--port")))
            r._listen(port or 2020, f"HTTP server ({flag})", r.argv_where(flag), False)
            return


def _dapr(r: Activity, words: list[str]) -> None:
    for flag, default, what in (
        ("--dapr-http-port", 3500, "HTTP API"),
        ("--dapr-grpc-port", 50001, "gRPC API"),
        ("--dapr-internal-grpc-port", None, "internal gRPC"),
        ("--dapr-public-port", None, "public health"),
        ("--metrics-port", 9090, "metrics"),
    ):
        value = _flag(words, (flag,))
        port = _port(value) if value else default
        if port is not None:
            where = r.argv_where(value) if value else r.image_where
            r._listen(port, f"{flag}" if value else f"Dapr {what} (default)", where, False)
    app = _flag(words, ("--app-port",))
    if app and _port(app):
        r._forward(int(app), "--app-port", r.argv_where(app))


def _listen_flag(r: Activity, words: list[str], flags: tuple[str, ...]) -> None:
    """An image whose listen address is a flag (defaults when absent), and which connects
    to URLs given by other flags."""
    value = _flag(words, flags)
    bound = _bind(value) if value else None
    if bound is not None and value is not None:
        r._listen(bound[0], flags[0], r.argv_where(value), bound[1])
    else:
        r._defaults()
    for flag in ("--reload-url", "--webhook-url", "--nginx.scrape-uri", "-nginx.scrape-uri"):
        for url in _values(words, flag):
            for port in local_urls(url):
                r._connect(port, flag, r.argv_where(url), False)
    for url in _values(words, "--upstream"):
        for port in local_urls(url):
            r._forward(port, "--upstream", r.argv_where(url))


def _nginx_exporter(r: Activity, words: list[str]) -> None:
    _listen_flag(r, words, ("--web.listen-address", "-web.listen-address"))
    if _flag(words, ("--nginx.scrape-uri", "-nginx.scrape-uri")) is not None:
        return  # read as a flag with the listen address
    found = r.variable("SCRAPE_URI")
    if found is None:
        r._connect(8080, "--nginx.scrape-uri default", r.image_where, False)
        return
    for port in local_urls(found[0]):
        r._connect(port, found[2], found[1], False)


def _config_reloader(r: Activity, words: list[str]) -> None:
    if _flag(words, ("--watch-interval",)) in ("0", "0s"):
        r._one_shot = True
    _listen_flag(r, words, ("--listen-address",))
    if _flag(words, ("--reload-url",)) is None:
        r._connect(9090, "--reload-url default", r.image_where, False)


def _git_sync(r: Activity, words: list[str]) -> None:
    env = {name: value for name, (value, _) in r.env.items()}
    if _has(words, "--one-time") or _true(
        env.get("GITSYNC_ONE_TIME", env.get("GIT_SYNC_ONE_TIME"))
    ):
        r._one_shot = True
    root = _flag(words, ("--root",))
    if root:
        r._write(root, "--root", r.argv_where(root), directory=True)
        return
    for variable in ("GITSYNC_ROOT", "GIT_SYNC_ROOT"):
        found = r.variable(variable)
        if found is not None:
            r._write(found[0], found[2], found[1], directory=True)
            return
    r._write("/git", "the git-sync image's --root", r.image_where, directory=True)


def _server_port(r: Activity, words: list[str], flags: tuple[str, ...]) -> None:
    """A server whose port is a flag (its defaults when absent)."""
    value = _flag(words, flags)
    port = _port(value) if value else None
    if port is not None and value is not None:
        r._listen(port, flags[0], r.argv_where(value), False)
    else:
        r._defaults()


def _pgbouncer(r: Activity, words: list[str]) -> None:
    for variable in ("PGBOUNCER_PORT", "LISTEN_PORT"):
        found = r.variable(variable)
        port = _port(found[0]) if found else None
        if found is not None and port is not None:
            r._listen(port, found[2], found[1], False)
            return
    r._listen(6432, "PgBouncer listen_port (default)", r.image_where, False, certain=False)


_IMAGE_READERS: dict[str, Any] = {  # pragma: no mutate
    images.ISTIO: _istio,
    images.LINKERD: _linkerd,
    images.ENVOY: _envoy,
    images.CLOUD_SQL: _cloud_sql,
    images.GCE_PROXY: _gce_proxy,
    images.VAULT: _vault,
    images.OAUTH2_PROXY: _oauth2_proxy,
    images.FLUENT_BIT: _fluent_bit,
    images.DAPR: _dapr,
    images.CONFIG_RELOADER: _config_reloader,
    images.CONFIGMAP_RELOAD: partial(_listen_flag, flags=("--web.listen-address",)),
    images.NGINX_EXPORTER: _nginx_exporter,
    images.STATSD_EXPORTER: partial(_listen_flag, flags=("--web.listen-address",)),
    images.KUBE_RBAC_PROXY: partial(
        _listen_flag, flags=("--secure-listen-address", "--insecure-listen-address")
    ),
    images.GIT_SYNC: _git_sync,
    images.POSTGRES: partial(_server_port, flags=("-p",)),
    images.REDIS: partial(_server_port, flags=("--port",)),
    images.PGBOUNCER: _pgbouncer,
}


# --- configuration files from ConfigMaps ------------------------------------------------------


def _structured(text: str, file_path: str) -> Any:
    """A configuration file's data: YAML or JSON (read with sidecarlint's own bounded
    reader), TOML for ``.toml`` files; None when it is neither."""
    if file_path.endswith(".toml"):
        try:
            import tomllib  # type: ignore[import-not-found,unused-ignore]
        except ImportError:  # Python 3.10
            import tomli as tomllib  # type: ignore[no-redef,import-not-found,unused-ignore]
        try:
            return tomllib.loads(text)
        except (ValueError, RecursionError):
            return None
    from sidecarlint.parse import ParseProblem, iter_documents

    for doc in iter_documents(text, file_path, max_nodes=100_000):
        return None if isinstance(doc, ParseProblem) else doc.data
    return None


def _walk(data: Any) -> Iterator[dict[str, Any]]:
    """Every mapping in ``data``, depth first."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",")]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _fluent_bit_config(r: Activity, text: str, path: str, evidence: str, where: YPath) -> None:
    if path.endswith((".yaml", ".yml")):
        data = _structured(text, path)
        pipeline = data.get("pipeline") if isinstance(data, dict) else None
        inputs = pipeline.get("inputs") if isinstance(pipeline, dict) else None
        for item in inputs if isinstance(inputs, list) else []:
            if isinstance(item, dict) and str(item.get("name", "")).lower() == "tail":
                for value in _strings(item.get("path")):
                    r._read(value, f"{evidence} (path)", where)
                if isinstance(item.get("db"), str):
                    r._write(item["db"], f"{evidence} (db)", where)
        return
    section = ""
    values: dict[str, str] = {}
    for raw in [*text.splitlines(), "[END]"]:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            _fluent_bit_section(r, section, values, evidence, where)
            section, values = line[1:-1].strip().upper(), {}
            continue
        key, _, value = line.partition(" ")
        values[key.lower()] = value.strip()


def _fluent_bit_section(
    r: Activity, section: str, values: dict[str, str], evidence: str, where: YPath
) -> None:
    name = values.get("name", "").lower()
    if section == "INPUT" and name == "tail":
        for value in _strings(values.get("path", "")):
            r._read(value, f"{evidence} (Path)", where)
        if "db" in values:
            r._write(values["db"], f"{evidence} (DB)", where)
    elif section == "OUTPUT" and name == "file" and "path" in values:
        r._write(values["path"], f"{evidence} (Path)", where, directory=True)
    elif section == "SERVICE" and values.get("http_server", "").lower() in ("on", "true"):
        port = _port(values.get("http_port", "2020"))
        if port is not None:
            r._listen(port, f"{evidence} (HTTP_Port)", where, False)


_FLUENTD_SOURCE = re.compile(r"<source>(.*?)</source>", re.S)
_FLUENTD_MATCH = re.compile(r"<match[^>]*>(.*?)</match>", re.S)


def _fluentd_config(r: Activity, text: str, path: str, evidence: str, where: YPath) -> None:
    for block in _FLUENTD_SOURCE.findall(text):
        options = _fluentd_options(block)
        kind = options.get("@type", options.get("type", ""))
        if kind == "tail":
            for value in _strings(options.get("path", "")):
                r._read(value, f"{evidence} (path)", where)
            if "pos_file" in options:
                r._write(options["pos_file"], f"{evidence} (pos_file)", where)
        elif kind in ("forward", "http", "syslog", "monitor_agent") and "port" in options:
            port = _port(options["port"])
            if port is not None:
                r._listen(port, f"{evidence} ({kind} port)", where, False)
    for block in _FLUENTD_MATCH.findall(text):
        options = _fluentd_options(block)
        if options.get("@type") == "file" and "path" in options:
            r._write(options["path"], f"{evidence} (path)", where, directory=True)


def _fluentd_options(block: str) -> dict[str, str]:
    options: dict[str, str] = {}
    for raw in block.splitlines():
        key, _, value = raw.strip().partition(" ")
        if key and not key.startswith(("#", "<")):
            options.setdefault(key, value.strip().strip("\"'"))
    return options


def _promtail_config(r: Activity, text: str, path: str, evidence: str, where: YPath) -> None:
    data = _structured(text, path)
    for mapping in _walk(data):
        value = mapping.get("__path__")
        for item in _strings(value) if isinstance(value, str) else []:
            r._read(item, f"{evidence} (__path__)", where)
    positions = data.get("positions") if isinstance(data, dict) else None
    if isinstance(positions, dict) and isinstance(positions.get("filename"), str):
        r._write(positions["filename"], f"{evidence} (positions)", where)
    server = data.get("server") if isinstance(data, dict) else None
    port = int_at(server, "http_listen_port") if isinstance(server, dict) else None
    if port:
        r._listen(port, f"{evidence} (http_listen_port)", where, False)


def _vector_config(r: Activity, text: str, path: str, evidence: str, where: YPath) -> None:
    data = _structured(text, path)
    sources = data.get("sources") if isinstance(data, dict) else None
    for source in sources.values() if isinstance(sources, dict) else []:
        if isinstance(source, dict) and source.get("type") == "file":
            for value in _strings(source.get("include")):
                r._read(value, f"{evidence} (include)", where)
    if isinstance(data, dict) and isinstance(data.get("data_dir"), str):
        r._write(data["data_dir"], f"{evidence} (data_dir)", where, directory=True)


def _filebeat_config(r: Activity, text: str, path: str, evidence: str, where: YPath) -> None:
    data = _structured(text, path)
    inputs = data.get("filebeat.inputs") if isinstance(data, dict) else None
    if inputs is None and isinstance(data, dict) and isinstance(data.get("filebeat"), dict):
        inputs = data["filebeat"].get("inputs")
    for item in inputs if isinstance(inputs, list) else []:
        if isinstance(item, dict):
            for value in _strings(item.get("paths")):
                r._read(value, f"{evidence} (paths)", where)


def _otel_config(r: Activity, text: str, path: str, evidence: str, where: YPath) -> None:
    data = _structured(text, path)
    receivers = data.get("receivers") if isinstance(data, dict) else None
    for name, receiver in receivers.items() if isinstance(receivers, dict) else []:
        if isinstance(name, str) and name.split("/")[0] == "filelog" and isinstance(receiver, dict):
            for value in _strings(receiver.get("include")):
                r._read(value, f"{evidence} (include)", where)


def _envoy_config(r: Activity, text: str, path: str, evidence: str, where: YPath) -> None:
    data = _structured(text, path or "config.yaml")
    if not isinstance(data, dict):
        return
    admin = data.get("admin")
    address = admin.get("address") if isinstance(admin, dict) else None
    found = _socket_address(address)
    if found is not None:
        r._listen(found[1], f"{evidence} (admin)", where, found[0] in _CLIENT_HOSTS)
    resources = data.get("static_resources")
    if not isinstance(resources, dict):
        return
    listeners = resources.get("listeners")
    for listener in listeners if isinstance(listeners, list) else []:
        found = _socket_address(listener.get("address") if isinstance(listener, dict) else None)
        if found is not None:
            r._listen(found[1], f"{evidence} (listener)", where, found[0] in ("127.0.0.1", "::1"))
    for mapping in _walk(resources.get("clusters")):
        found = _socket_address(mapping.get("address"))
        if found is not None and found[0] in LOCAL_HOSTS:
            r._forward(found[1], f"{evidence} (cluster)", where)
    for mapping in _walk(listeners):
        value = mapping.get("path")
        if isinstance(value, str) and mapping.get("@type", "").endswith("FileAccessLog"):
            r._write(value, f"{evidence} (access log)", where)


def _socket_address(value: Any) -> tuple[str, int] | None:
    socket = value.get("socket_address") if isinstance(value, dict) else None
    if not isinstance(socket, dict):
        return None
    port = socket.get("port_value")
    port = _port(str(port)) if isinstance(port, (int, str)) and not isinstance(port, bool) else None
    host = socket.get("address")
    return (host, port) if isinstance(host, str) and port is not None else None


_HCL_DESTINATION = re.compile(r"\bdestination\s*=\s*\"([^\"]+)\"")
_HCL_LISTENER = re.compile(r"listener\s+\"tcp\"\s*\{[^}]*?\baddress\s*=\s*\"([^\"]+)\"", re.S)


def _vault_config(r: Activity, text: str, path: str, evidence: str, where: YPath) -> None:
    data: Any = None
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            data = None
    if data is not None:
        for mapping in _walk(data):
            destination = mapping.get("destination")
            if isinstance(destination, str):
                r._write(destination, f"{evidence} (template destination)", where)
            if mapping.get("type") == "tcp" and isinstance(mapping.get("address"), str):
                bound = _bind(mapping["address"])
                if bound is not None:
                    r._listen(bound[0], f"{evidence} (listener)", where, bound[1])
        return
    for destination in _HCL_DESTINATION.findall(text):
        r._write(destination, f"{evidence} (template destination)", where)
    for address in _HCL_LISTENER.findall(text):
        bound = _bind(address)
        if bound is not None:
            r._listen(bound[0], f"{evidence} (listener)", where, bound[1])


_NGINX_LISTEN = re.compile(r"^\s*listen\s+(?:[\w.\-]+:|\[[0-9a-fA-F:]*\]:)?(\d{1,5})\b", re.M)
_NGINX_LOG = re.compile(r"^\s*(access_log|error_log)\s+(/[^\s;]+)", re.M)


def _nginx_config(r: Activity, text: str, path: str, evidence: str, where: YPath) -> None:
    ports = [int(port) for port in _NGINX_LISTEN.findall(text) if _port(port)]
    if ports:
        r._drop_defaults()  # the configuration says where it listens
    for port in ports:
        r._listen(port, f"{evidence} (listen)", where, False)
    for directive, value in _NGINX_LOG.findall(text):
        r._write(value, f"{evidence} ({directive})", where)


_CONFIG_READERS: dict[str, Any] = {  # pragma: no mutate
    images.FLUENT_BIT: _fluent_bit_config,
    images.FLUENTD: _fluentd_config,
    images.PROMTAIL: _promtail_config,
    images.VECTOR: _vector_config,
    images.FILEBEAT: _filebeat_config,
    images.OTEL: _otel_config,
    images.ENVOY: _envoy_config,
    images.VAULT: _vault_config,
    images.NGINX: _nginx_config,
    images.NGINX_UNPRIVILEGED: _nginx_config,
}


# --- the Pod ------------------------------------------------------------------------------------


def activity(pod: Pod, container: Container) -> Activity:
    """What ``container`` of ``pod`` does with files and ports (worked out once per
    container; kept on the pod, and pointing at nothing that points back, so a pod is
    freed as soon as it has been checked)."""
    found: dict[int, Activity] | None = pod.__dict__.get("_activities")
    if found is None:
        found = pod.__dict__["_activities"] = {}
    use = found.get(id(container))
    if use is None:
        use = found[id(container)] = Activity(pod, container)
    return use


def command_connections(pod: Pod, container: Container, argv: list[str]) -> list[PortUse]:
    """The local ports a command run in ``container`` (a hook's or an exec probe's)
    connects to."""
    run = Container(
        {"command": argv, "env": container.data.get("env")},
        container.role,
        container.index,
        container.path,
    )
    return Activity(pod, run).connects


def covering_mount(container: Container, path: str) -> Mount | None:
    """The mount whose mountPath contains ``path`` (the longest one)."""
    best: Mount | None = None
    best_len = 0
    for mount in container.mounts:
        mount_path = mount.path
        if not mount_path:
            continue
        prefix = mount_path.rstrip("/") + "/"
        if (path == mount_path.rstrip("/") or path.startswith(prefix)) and len(prefix) > best_len:
            best, best_len = mount, len(prefix)
    return best


def same_file(written: FileUse, read: FileUse) -> str | None:
    """The file ``read`` names among what ``written`` writes (literally, as a glob, or under
    a directory written to), else None."""
    target = read.path
    globbed = any(ch in target for ch in "*?[")
    if not written.directory:
        if written.path == target or (globbed and fnmatch.fnmatchcase(written.path, target)):
            return written.path
        return None
    directory = written.path.rstrip("/") + "/"
    if target.startswith(directory):
        return target
    return None


class Flow(NamedTuple):
    """A file one container writes and another reads, by the path both name."""

    writer: Container
    write: FileUse
    reader: Container
    read: FileUse
    #: The file, as the reader names it.
    path: str


def flows(pod: Pod) -> list[Flow]:
    """Every file one container of ``pod`` writes and another reads."""
    found: list[Flow] | None = pod.__dict__.get("_flows")
    if found is not None:
        return found
    found = pod.__dict__["_flows"] = []
    everyone = [(c, activity(pod, c)) for c in pod.all_containers]
    readers = [(c, reads) for c, a in everyone if (reads := a.reads)]
    if not readers:
        return found
    for writer, written in everyone:
        for write in written.writes:
            for reader, reads in readers:
                if reader is writer:
                    continue
                for read in reads:
                    path = same_file(write, read)
                    if path is not None:
                        found.append(Flow(writer, write, reader, read, path))
    return found


def servers(pod: Pod, port: int, protocol: str = "TCP") -> list[tuple[Container, PortUse]]:
    """The containers of ``pod`` that listen on ``port``, in start order."""
    out: list[tuple[Container, PortUse]] = []
    for c in (*pod.init_containers, *pod.containers):
        use = activity(pod, c).listening(port, protocol)
        if use is not None:
            out.append((c, use))
    return out


__all__ = [
    "Activity",
    "FileUse",
    "Flow",
    "PortUse",
    "activity",
    "command_connections",
    "covering_mount",
    "expand",
    "flows",
    "local_urls",
    "same_file",
    "script_of",
    "servers",
]
