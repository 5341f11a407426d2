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
@given(st.lists(st.text(max_size=40), max_size=5))
def test_never_crashes(argv: list[str]) -> None:
    commands(argv)
    runs_forever(argv)
    file_access(argv)
    commands(["sh", "-c", " ".join(argv)])
    runs_forever(["sh", "-c", "\n".join(argv)])
