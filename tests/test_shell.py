"""The command/script reader behind helper detection and file checks."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sidecarlint.shell import commands, file_access, runs_forever, script_of, sleep_seconds


def words(argv: list[str]) -> list[tuple[str, ...]]:
    return [c.words for c in commands(argv)]


@pytest.mark.parametrize(
    ("argv", "script"),
    [
        (["sh", "-c", "echo hi"], "echo hi"),
        (["/bin/bash", "-ec", "set -x; run"], "set -x; run"),
        (["busybox", "sh", "-c", "true"], "true"),
        (["sh", "script.sh"], None),
        (["python", "-c", "print(1)"], None),
        (["sh", "-c"], ""),
        ([], None),
    ],
)
def test_script_of(argv: list[str], script: str | None) -> None:
    assert script_of(argv) == script


def test_chains_quoting_exec_and_assignments() -> None:
    argv = ["sh", "-c", "FOO=1 exec /bin/app --name \"a b;c\" && echo 'x|y' || nohup run; done &"]
    assert words(argv) == [
        ("/bin/app", "--name", "a b;c"),
        ("echo", "x|y"),
        ("run",),
        ("done",),
    ]


def test_heredoc_bodies_are_not_commands() -> None:
    argv = ["sh", "-c", "cat <<EOF > /etc/app.conf\ntail -f /nothing\nEOF\nexec app"]
    assert words(argv) == [("cat",), ("app",)]
    assert runs_forever(argv) is None


def test_redirections() -> None:
    (cmd,) = commands(["sh", "-c", "run 2>&1 >> /var/log/a.log < /etc/in"])
    assert cmd.words == ("run",)
    assert cmd.writes == ("/var/log/a.log",)
    assert cmd.reads == ("/etc/in",)


def test_unbalanced_quotes_do_not_crash() -> None:
    assert words(["sh", "-c", 'echo "oops'])[0][0] == "echo"


@pytest.mark.parametrize(
    ("argv", "forever"),
    [
        (["tail", "-F", "/x"], True),
        (["sh", "-c", "tail -n 100 -f /x"], True),
        (["sh", "-c", "sleep infinity"], True),
        (["sleep", "3600"], False),
        (["sh", "-c", "while true; do date >> /x; sleep 1; done"], True),
        (["sh", "-c", "while :; do\n  sleep 5\ndone"], True),
        (["sh", "-c", "while true; do [ -f /done ] && exit 0; sleep 1; done"], False),
        (["sh", "-c", "tail -f /x & wait; echo bye"], False),
        (["sh", "-c", "echo hi"], False),
        ([], False),
    ],
)
def test_runs_forever(argv: list[str], forever: bool) -> None:
    assert (runs_forever(argv) is not None) is forever


def test_file_access() -> None:
    writes, reads = file_access(
        ["sh", "-c", "app --log-file=/var/log/a.log | tee -a /var/log/b.log; cat /etc/x"]
    )
    assert writes == ("/var/log/a.log", "/var/log/b.log")
    assert reads == ("/etc/x",)
    assert file_access(["fluent-bit", "-i", "tail", "-p", "path=/var/log/*.log"]) == (
        (),
        ("/var/log/*.log",),
    )
    assert file_access(["sh", "-c", "echo x > /dev/stdout"]) == ((), ())


def test_sleep_seconds() -> None:
    assert sleep_seconds(["sleep", "30"]) == 30
    assert sleep_seconds(["sh", "-c", "sleep 2m"]) == 120
    assert sleep_seconds(["sleep", "infinity"]) is None
    assert sleep_seconds(["sh", "-c", "sleep 5; echo"]) is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab/-=.:$ \t\r\n#*")), max_size=60))
def test_plain_scripts_are_split_as_the_tokenizer_splits_them(script: str) -> None:
    from sidecarlint import shell

    # The fast path for scripts without operators, quotes or backslashes.
    fast = shell._words(script)
    slow: list[str] = []
    position = 0
    for match in shell._TOKEN.finditer(script):
        assert match.start() == position
        position = match.end()
        if match.lastgroup is not None:
            slow.append(match.group())
    assert position == len(script)
    assert fast == slow


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=40), max_size=5))
def test_never_crashes(argv: list[str]) -> None:
    commands(argv)
    runs_forever(argv)
    file_access(argv)
    commands(["sh", "-c", " ".join(argv)])
    runs_forever(["sh", "-c", "\n".join(argv)])


# --- exact readings, one behaviour per case ---------------------------------------------


@pytest.mark.parametrize(
    ("argv", "script"),
    [
        (["sh", "--norc", "-c", "x"], "x"),
        (["bash", "-e", "-c", "x"], "x"),
        (["bash", "-xc", "x"], "x"),
        (["busybox", "ls"], None),
        (["busybox"], None),
        (["/usr/bin/zsh", "-c", "x"], "x"),
        (["sh", "-e"], None),
    ],
)
def test_script_of_flags(argv: list[str], script: str | None) -> None:
    assert script_of(argv) == script


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("a; b && c || d | e & f", [("a",), ("b",), ("c",), ("d",), ("e",), ("f",)]),
        ("a\nb", [("a",), ("b",)]),
        ("(a) ;; b |& c", [("a",), ("b",), ("c",)]),
        ("exec nohup env A=1 B=2 run --x", [("run", "--x")]),
        ("time command builtin run", [("run",)]),
        ("if true; then run; else other; fi", [("true",), ("run",), ("other",), ("fi",)]),
        ("while x; do run; done", [("x",), ("run",), ("done",)]),
        ("echo 'a b' \"c d\" e\\ f", [("echo", "a b", "c d", "e f")]),
        ('echo "a \\"q\\" b"', [("echo", 'a "q" b')]),
        ("echo '#not' # comment\nrun", [("echo", "#not"), ("run",)]),
        ("# only a comment", []),
        ("x=1; echo $x", [("echo", "$x")]),
        ("_A9=1 run", [("run",)]),
        ("9A=1 run", [("9A=1", "run")]),
    ],
)
def test_split_script(script: str, expected: list[tuple[str, ...]]) -> None:
    assert words(["sh", "-c", script]) == expected


@pytest.mark.parametrize(
    ("script", "conditions"),
    [
        # (words, condition keyword, negated, retried until it succeeds)
        ("until nc -z 127.0.0.1 15021; do sleep 1; done", [(("nc",), "until", False, True)]),
        ("while ! curl -sf x; do sleep 1; done", [(("curl",), "while", True, True)]),
        ("while curl -sf x; do sleep 1; done", [(("curl",), "while", False, False)]),
        ("until ! nc -z h 1; do sleep 1; done", [(("nc",), "until", True, False)]),
        ("if ! nc -z h 1; then exit 1; fi", [(("nc",), "if", True, False)]),
        ("elif nc -z h 1; then x; fi", [(("nc",), "elif", False, False)]),
        ("! ! nc -z h 1", [(("nc",), "", False, False)]),
        ("nc -z h 1", [(("nc",), "", False, False)]),
    ],
)
def test_conditions(script: str, conditions: list[tuple[tuple[str], str, bool, bool]]) -> None:
    first = commands(["sh", "-c", script])[0]
    assert [(first.words[:1], first.condition, first.negated, first.retried)] == conditions


def test_redirection_targets() -> None:
    (cmd,) = commands(["sh", "-c", "run > /a 2>&1 >> /b < /c &> /d 2> /e"])
    assert cmd.words == ("run",)
    assert cmd.writes == ("/a", "/b", "/d", "/e")
    assert cmd.reads == ("/c",)
    (tee,) = commands(["sh", "-c", "cat <<EOF > /out\nbody > /nope\nEOF"])
    assert tee.writes == ("/out",) and tee.words == ("cat",)
    (dashed,) = commands(["sh", "-c", "cat <<-'END'\n\tx\n\tEND\necho"])[:1]
    assert dashed.words == ("cat",)
    assert [c.words for c in commands(["sh", "-c", "cat <<-'END'\n\tx\n\tEND\necho"])] == [
        ("cat",),
        ("echo",),
    ]


def test_command_program_and_args() -> None:
    (cmd,) = commands(["/usr/local/bin/tail", "-F", "/x"])
    assert cmd.program == "tail" and cmd.args == ("-F", "/x")
    assert commands([]) == []
    assert commands(["sh", "-c", ""]) == []


def test_unparseable_scripts_fall_back_to_spaces() -> None:
    assert words(["sh", "-c", "echo 'open"]) == [("echo", "'open")]
    assert words(["sh", "-c", 'a "b\nc'])[0][0] == "a"


@pytest.mark.parametrize(
    ("argv", "why"),
    [
        (["tail", "-f", "/x"], "'tail -f /x' follows a file forever"),
        (["tail", "--follow=name", "/x"], None),
        (["tail", "--follow", "/x"], "'tail --follow /x' follows a file forever"),
        (["tail", "--retry", "/x"], "'tail --retry /x' follows a file forever"),
        (["tail", "-qF", "/x"], "'tail -qF /x' follows a file forever"),
        (["tail", "-n1", "/x"], None),
        (["tail", "--lines=1f", "/x"], None),
        (["sleep", "inf"], "'sleep inf' never returns"),
        (["sleep", "infinity"], "'sleep infinity' never returns"),
        (["sleep", "10"], None),
        (["sleep"], None),
        (["sh", "-c", "while true; do x; done"], "an unconditional 'while true' loop"),
        (["sh", "-c", "while :\ndo x; done"], "an unconditional 'while true' loop"),
        (["sh", "-c", "while [ 1 ]; do x; done"], "an unconditional 'while true' loop"),
        (["sh", "-c", "until false; do x; done"], "an unconditional 'while true' loop"),
        (["sh", "-c", "for ((;;)); do x; done"], "an unconditional 'while true' loop"),
        (["sh", "-c", "while true; do x || break; done"], None),
        (["sh", "-c", "while true; do x; done; exit 1"], None),
        (["sh", "-c", "tail -F /x; echo done"], None),
        (["sh", "-c", "echo start; tail -F /x"], "'tail -F /x' follows a file forever"),
    ],
)
def test_runs_forever_reasons(argv: list[str], why: str | None) -> None:
    assert runs_forever(argv) == why


@pytest.mark.parametrize(
    ("argv", "seconds"),
    [
        (["sleep", "5"], 5.0),
        (["sleep", "1.5"], 1.5),
        (["sleep", "2s"], 2.0),
        (["sleep", "2m"], 120.0),
        (["sleep", "1h"], 3600.0),
        (["sleep", "1d"], 86400.0),
        (["sleep", "5x"], None),
        (["sleep", "5", "6"], None),
        (["sh", "-c", "sleep 3"], 3.0),
        (["sh", "-c", "sleep 3; run"], None),
        (["run", "3"], None),
    ],
)
def test_sleep_durations(argv: list[str], seconds: float | None) -> None:
    assert sleep_seconds(argv) == seconds


@pytest.mark.parametrize(
    ("argv", "writes", "reads"),
    [
        (["tee", "-a", "/a", "/dev/null", "/"], ("/a",), ()),
        (["grep", "-v", "x", "/var/log/a", "relative"], (), ("/var/log/a",)),
        (["app", "--log-file=/l", "--output", "/o", "--log"], ("/l", "/o"), ()),
        (["app", "--path", "/p", "--input=/i", "--tail", "/proc/1"], (), ("/p", "/i")),
        (
            ["fluent-bit", "-p", "path=/var/log/a.log", "-p", "File=/b"],
            (),
            ("/var/log/a.log", "/b"),
        ),
        (["fluent-bit", "-p", "name=/x"], (), ()),
        (["app", "--output='/q'"], ("/q",), ()),
        (["sh", "-c", "cat '/sys/x' < /in > /out"], ("/out",), ("/in",)),
        (["app", "--log-file"], (), ()),
    ],
)
def test_file_access_exact(
    argv: list[str], writes: tuple[str, ...], reads: tuple[str, ...]
) -> None:
    assert file_access(argv) == (writes, reads)
