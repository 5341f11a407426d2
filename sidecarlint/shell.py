"""What a container runs: ``command``/``args`` and ``sh -c`` scripts as simple commands.

This is a heuristic reader, not a shell: it splits scripts on ``;``, ``&&``, ``||``, ``|``,
``&`` and newlines, drops heredoc bodies, ``exec``/``nohup``/``env`` prefixes and variable
assignments, and never raises — unbalanced quotes fall back to splitting on white space.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from sidecarlint.finding import excerpt
from sidecarlint.records import FrozenRecord

SHELLS = frozenset(["sh", "bash", "ash", "dash", "zsh", "ksh", "busybox"])
_SEPARATORS = frozenset([";", "&&", "||", "|", "&", ";;", "(", ")", "\n", "|&"])
_PREFIXES = frozenset(["exec", "nohup", "time", "command", "builtin", "env", "then", "else", "do"])
#: Keywords that make the command after them a condition (of a loop or an ``if``).
_CONDITIONS = frozenset(["if", "elif", "while", "until"])
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_HEREDOC = re.compile(r"<<-?\s*['\"]?([A-Za-z_][A-Za-z0-9_]*)['\"]?")
_FOREVER_LOOP = re.compile(
    r"\bwhile\s+(?:true|:|\[\s*1\s*\]|\[\s*true\s*\]|\(\(\s*1\s*\)\))\s*(?:;|\n)\s*do\b"
    r"|\buntil\s+false\s*(?:;|\n)\s*do\b"
    r"|\bfor\s*\(\(\s*;\s*;\s*\)\)"
)
_LOOP_EXIT = re.compile(r"\b(?:break|exit|return)\b")
#: A socat listening address with ``fork``: it accepts connections until it is stopped.
_FORKING_LISTENER = re.compile(r"^(?:tcp[46]?|unix)-(?:listen|l):[^ ]*,fork\b", re.I)
#: Heredoc operators: the word after one is its terminator, not a file.
_HEREDOC_OPS = ("<<", "<<-")


class Command(FrozenRecord):
    """One simple command: its words, with the program first, and its redirections."""

    words: tuple[str, ...]
    #: Files written with ``>``/``>>`` (or ``&>``).
    writes: tuple[str, ...]
    #: Files read with ``<``.
    reads: tuple[str, ...]
    #: The keyword it is the condition of (``until``, ``while``, ``if``, ``elif``), or "".
    condition: str
    #: Preceded by ``!``.
    negated: bool

    def __init__(
        self,
        words: tuple[str, ...],
        writes: tuple[str, ...] = (),
        reads: tuple[str, ...] = (),
        condition: str = "",
        negated: bool = False,
    ) -> None:
        self.words = words
        self.writes = writes
        self.reads = reads
        self.condition = condition
        self.negated = negated

    @property
    def retried(self) -> bool:
        """The script runs it again and again until it succeeds (``until X``,
        ``while ! X``): it waits for what the command tests."""
        if self.negated:
            return self.condition == "while"
        return self.condition == "until"

    @property
    def program(self) -> str:
        """The program's base name (``/bin/tail`` → ``tail``)."""
        return self.words[0].rsplit("/", 1)[-1] if self.words else ""

    @property
    def args(self) -> tuple[str, ...]:
        return self.words[1:]


def script_of(argv: Sequence[str]) -> str | None:
    """The script of ``sh -c SCRIPT`` (or ``bash -ec``, ``/bin/sh -c``), else None."""
    if not argv:
        return None
    program = argv[0].rsplit("/", 1)[-1]
    rest = list(argv[1:])
    if program == "busybox" and rest and rest[0] in SHELLS:
        rest = rest[1:]
    elif program not in SHELLS:
        return None
    for i, word in enumerate(rest):
        if word.startswith("-") and not word.startswith("--") and "c" in word[1:]:
            return rest[i + 1] if i + 1 < len(rest) else ""
        if not word.startswith("-"):
            return None
    return None


def _strip_heredocs(script: str) -> str:
    lines = script.split("\n")
    out: list[str] = []
    terminator: str | None = None
    for line in lines:
        if terminator is not None:
            if line.strip() == terminator:
                terminator = None
            continue
        match = _HEREDOC.search(line)
        if match:
            terminator = match.group(1)
        out.append(line)
    return "\n".join(out)


_TOKEN = re.compile(
    r"""[ \t\r]+
    |(?P<nl>\n)
    |(?P<op>&&|\|\||;;|\|&|>>|>&|<&|&>|<<-?|[;&|()<>])
    |(?P<word>(?:[^\s;&|()<>"'\\]+|\\.|"(?:[^"\\]|\\.)*"|'[^']*')+)""",
    re.VERBOSE | re.DOTALL,
)
_COMMENT = re.compile(r"(^|[\s;])#[^\n]*")
_QUOTED = re.compile(r"""\\(.)|"((?:[^"\\]|\\.)*)"|'([^']*)'""", re.DOTALL)


def _unquote(word: str) -> str:
    def one(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            return match.group(1)
        if match.group(2) is not None:
            return re.sub(r"\\(.)", r"\1", match.group(2))
        return match.group(3)

    return _QUOTED.sub(one, word) if ("'" in word or '"' in word or "\\" in word) else word


#: A character that needs the tokenizer: an operator, a quote, a backslash, or white space
#: other than spaces, tabs, carriage returns and line breaks.
_NOT_PLAIN = re.compile(r"""[;&|()<>"'\\]|[^\S \t\r\n]""")


def _words(script: str) -> list[str]:
    """Shell words and operators (POSIX quoting); unbalanced quotes fall back to spaces."""
    if not _NOT_PLAIN.search(script):
        # Words and white space only (most commands): what the tokenizer gives, faster.
        if "\n" not in script:
            return script.split()
        plain: list[str] = []
        for line in script.split("\n"):
            plain.extend(line.split())
            plain.append("\n")
        plain.pop()
        return plain
    words: list[str] = []
    position = 0
    for match in _TOKEN.finditer(script):
        if match.start() != position:
            return script.replace("\n", " \n ").split(" ")  # something unparseable
        position = match.end()
        kind = match.lastgroup
        if kind == "word":
            words.append(_unquote(match.group()))
        elif kind is not None:  # an operator or a line break
            words.append(match.group())
    if position != len(script):
        return script.replace("\n", " \n ").split(" ")
    return words


def split_script(script: str) -> list[Command]:
    """Simple commands of a shell script, in order."""
    commands: list[Command] = []
    current: list[str] = []
    if "<<" in script:
        script = _strip_heredocs(script)
    if "#" in script:
        # Comments: a '#' at the start of a word up to the end of its line.
        script = _COMMENT.sub(r"\1", script)
    writes: list[str] = []
    reads: list[str] = []
    pending: str | None = None
    for word in _words(script):
        if pending is not None:
            if not (pending.endswith("&") and word.isdigit()) and pending not in _HEREDOC_OPS:
                (reads if pending.startswith("<") else writes).append(word)
            pending = None
            continue
        if ("<" in word or ">" in word) and (not word.strip("<>&|") or word in _HEREDOC_OPS):
            pending = word
            if current and current[-1].isdigit():
                current.pop()  # the file descriptor of '2>'
            continue
        if word in _SEPARATORS or word == "":
            if current or writes or reads:
                commands.append(_command(current, writes, reads))
            current, writes, reads = [], [], []
            continue
        current.append(word)
    if current or writes or reads:
        commands.append(_command(current, writes, reads))
    return [c for c in commands if c.words]


def _command(words: list[str], writes: list[str], reads: list[str]) -> Command:
    i = 0
    condition = ""
    negated = False
    while i < len(words):
        word = words[i]
        if word in _CONDITIONS:
            condition = word
        elif word == "!":
            negated = not negated
        elif word not in _PREFIXES and not _ASSIGNMENT.match(word):
            break
        i += 1
    return Command(tuple(words[i:]), tuple(writes), tuple(reads), condition, negated)


def commands(argv: Sequence[str]) -> list[Command]:
    """What ``argv`` runs: the commands of its shell script, or ``argv`` itself."""
    return list(_commands(tuple(argv)))


def parsed(argv: tuple[str, ...]) -> tuple[Command, ...]:
    """:func:`commands` for an argv already made a tuple (shared, not copied)."""
    return _commands(argv)


@lru_cache(maxsize=4096)
def _commands(argv: tuple[str, ...]) -> tuple[Command, ...]:
    # Several rules read the same container's command: split each script once.
    script = script_of(argv)
    if script is not None:
        return tuple(split_script(script))
    return (Command(argv),) if argv else ()


def runs_forever(argv: Sequence[str]) -> str | None:
    """Why ``argv`` never terminates on its own (``tail -F``, ``sleep infinity``, a
    ``while true`` loop without ``break``/``exit``, a socat listener that forks), or None."""
    return _runs_forever(tuple(argv))


@lru_cache(maxsize=4096)
def _runs_forever(argv: tuple[str, ...]) -> str | None:
    # Several rules ask about the same container's command.
    script = script_of(argv)
    if script is not None and _FOREVER_LOOP.search(script) and not _LOOP_EXIT.search(script):
        return "an unconditional 'while true' loop"
    cmds = commands(argv)
    if not cmds:
        return None
    # Only the last command decides when the script ends (earlier ones run first).
    last = cmds[-1]
    if last.program == "tail" and any(
        a in ("-f", "-F", "--follow", "--retry")
        or (a.startswith("-") and not a.startswith("--") and ("f" in a[1:] or "F" in a[1:]))
        for a in last.args
    ):
        return f"'{excerpt(' '.join(last.words))}' follows a file forever"
    if last.program == "sleep" and last.args and last.args[0] in ("infinity", "inf"):
        return f"'{excerpt(' '.join(last.words))}' never returns"
    for word in last.words:
        if ",fork" in word and _FORKING_LISTENER.match(word):
            return f"'{excerpt(' '.join(last.words))}' serves connections forever"
    return None


def _sleep_seconds(text: str) -> float | None:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([smhd]?)", text)
    if not match:
        return None
    factor = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]
    return float(match.group(1)) * factor


def sleep_seconds(argv: Sequence[str]) -> float | None:
    """The duration of a plain ``sleep N`` command (or script ending in one), else None."""
    cmds = commands(argv)
    if len(cmds) == 1 and cmds[0].program == "sleep" and len(cmds[0].args) == 1:
        return _sleep_seconds(cmds[0].args[0])
    return None


_WRITE_FLAGS = frozenset(
    ["--log-file", "--logfile", "--log_file", "--output", "--output-file", "--out-file", "--log"]
)
_READ_FLAGS = frozenset(["--path", "--input", "--input-file", "--file", "--log-path", "--tail"])
_READERS = frozenset(["tail", "cat", "less", "more", "head", "grep", "zcat"])
_IGNORED_PREFIXES = ("/dev/", "/proc/", "/sys/")


def absolute(word: str) -> str | None:
    """``word`` as an absolute path a container may share (quotes removed), or None for
    anything else: a relative path, ``/`` itself, the kernel's ``/dev``, ``/proc``, ``/sys``."""
    word = word.strip("'\"")
    if word.startswith("/") and not word.startswith(_IGNORED_PREFIXES) and word != "/":
        return word
    return None


def _flag_values(words: Sequence[str], flags: frozenset[str], options: bool) -> list[str]:
    out: list[str] = []
    for i, word in enumerate(words):
        name, eq, value = word.partition("=")
        if name in flags:
            target = value if eq else (words[i + 1] if i + 1 < len(words) else "")
            path = absolute(target)
            if path:
                out.append(path)
        elif options and eq and name.lower() in ("path", "file") and absolute(value):
            out.append(value)  # key=value options, e.g. fluent-bit '-p path=/var/log/app.log'
    return out


def file_access(argv: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Absolute paths ``argv`` writes and reads, as far as its words show."""
    return _file_access(tuple(argv))


@lru_cache(maxsize=4096)
def _file_access(argv: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    writes: list[str] = []
    reads: list[str] = []
    for cmd in commands(argv):
        writes.extend(p for w in cmd.writes if (p := absolute(w)))
        reads.extend(p for r in cmd.reads if (p := absolute(r)))
        if cmd.program == "tee":
            writes.extend(p for w in cmd.args if not w.startswith("-") and (p := absolute(w)))
            continue
        if cmd.program in _READERS:
            reads.extend(p for w in cmd.args if not w.startswith("-") and (p := absolute(w)))
            continue
        writes.extend(_flag_values(cmd.words, _WRITE_FLAGS, options=False))
        reads.extend(_flag_values(cmd.words, _READ_FLAGS, options=True))
    return tuple(writes), tuple(reads)
