"""One instance per data dir: the protocol, the real lock file and the real local socket.

Processes that claim the data dir are real child processes (``instance_child.py``) running the
same code as ``ostplayer``; a lock left behind is made by SIGKILL, as a crash leaves it.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLockFile, QTimer
from pytestqt.qtbot import QtBot

from ostplayer.desktop import instance
from ostplayer.desktop.instance import (
    InstanceError,
    InstanceLock,
    InstanceServer,
    Message,
    NotRunningError,
    Primary,
    ProtocolError,
    Respond,
    claim,
    decode,
    encode,
    ok,
    send_request,
    server_names,
)

CHILD = Path(__file__).with_name("instance_child.py")
#: Trials per launch count; the crash-safety issue runs 20 (OSTPLAYER_INSTANCE_TRIALS=20).
TRIALS = int(os.environ.get("OSTPLAYER_INSTANCE_TRIALS", "3"))


# -- the protocol ------------------------------------------------------------------------------
def test_a_message_is_one_versioned_json_line_and_paths_survive() -> None:
    odd = os.fsdecode(b"/music/\xff-tone.ogg")  # a file name that is not UTF-8
    line = encode({"cmd": "open", "paths": [odd, "/music/Ω.flac"]})
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert line.isascii()
    message = decode(line.rstrip(b"\n"))
    assert message == {"v": 1, "cmd": "open", "paths": [odd, "/music/Ω.flac"]}
    assert os.fsencode(message["paths"][0]) == b"/music/\xff-tone.ogg"


@pytest.mark.parametrize(
    ("line", "words"),
    [
        (b"not json", "not a JSON message"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"cmd": "status"}', "protocol version None"),
        (b'{"v": 2, "cmd": "status"}', "protocol version 2"),
        (b"\xff\xfe", "not a JSON message"),
    ],
)
def test_a_message_off_the_protocol_is_refused_with_a_reason(line: bytes, words: str) -> None:
    with pytest.raises(ProtocolError, match=words):
        decode(line)


def test_each_data_dir_has_its_own_short_socket_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = tmp_path / "run"
    runtime.mkdir()
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    (tmp_path / "link").symlink_to(one)
    names = server_names(one)
    assert names[0].startswith(str(runtime) + "/ostplayer-")  # the private runtime dir first
    assert any(name.startswith("/tmp/") for name in names)  # and where a cron job looks
    assert server_names(tmp_path / "link") == names  # the same lock file: the same app
    assert set(server_names(two)).isdisjoint(names)
    deep = tmp_path / ("x" * 200) / ("y" * 200)
    assert all(len(os.fsencode(name)) <= 107 for name in server_names(deep))  # sun_path


# -- the lock ----------------------------------------------------------------------------------
def test_one_holder_per_data_dir(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    first, second, other = InstanceLock(one), InstanceLock(one), InstanceLock(two)
    assert first.try_acquire()
    assert not second.try_acquire()
    assert other.try_acquire()  # another data dir is another app
    assert second.holder_pid() == os.getpid()
    assert second.holder_alive()
    first.release()
    assert not second.holder_alive()
    assert second.try_acquire()
    second.release()
    other.release()
    assert not (one / instance.LOCK_FILE).exists()


def test_a_lock_that_cannot_be_made_says_where(tmp_path: Path) -> None:
    with pytest.raises(InstanceError, match=r"Cannot create the lock file .*missing"):
        InstanceLock(tmp_path / "no-such-dir").try_acquire()


def test_a_live_holder_that_does_not_answer_never_gets_a_second_writer(
    tmp_path: Path,
) -> None:
    held = InstanceLock(tmp_path)
    assert held.try_acquire()  # this process: alive, holding the native lock, not listening
    try:
        started = time.monotonic()
        with pytest.raises(InstanceError, match=f"process {os.getpid()}.*does not answer"):
            claim(tmp_path, wait_s=0.3)
        assert time.monotonic() - started < 5
        with pytest.raises(InstanceError, match="does not answer"):
            send_request(tmp_path, {"cmd": "status"}, wait_s=0.3)
        assert held.locked
    finally:
        held.release()


def test_a_request_with_nothing_running_writes_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "never-created"
    with pytest.raises(NotRunningError, match="OST Player is not running"):
        send_request(data_dir, {"cmd": "status"})
    assert not data_dir.exists()


# -- the server, with a real socket ------------------------------------------------------------
@pytest.fixture
def server(qapp: object, tmp_path: Path) -> Iterator[InstanceServer]:
    served = InstanceServer(server_names(tmp_path))
    served.listen()
    yield served
    served.close()


def connected(server: InstanceServer) -> socket.socket:
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.connect(server.name)
    client.setblocking(False)
    return client


def replies(client: socket.socket, qtbot: QtBot, count: int) -> list[Message]:
    """Read ``count`` reply lines while Qt runs the server (same thread: never block)."""
    buffer = b""

    def enough() -> bool:
        nonlocal buffer
        with contextlib.suppress(BlockingIOError):
            buffer += client.recv(65536)
        return buffer.count(b"\n") >= count

    qtbot.waitUntil(enough, timeout=5000)
    return [json.loads(line) for line in buffer.splitlines()]


def test_requests_are_answered_one_by_one_in_order_even_late(
    server: InstanceServer, qtbot: QtBot
) -> None:
    def handle(message: Message, respond: Respond) -> None:
        if message["cmd"] == "slow":  # as opening files is: the reply comes later
            QTimer.singleShot(100, lambda: respond(ok(n=message["n"])))
        else:
            respond(ok(n=message["n"]))

    server.set_handler(handle)
    client = connected(server)
    client.sendall(encode({"cmd": "slow", "n": 1}) + encode({"cmd": "fast", "n": 2}))
    assert replies(client, qtbot, 2) == [{"v": 1, "ok": True, "n": 1}, {"v": 1, "ok": True, "n": 2}]
    client.close()


def test_bad_messages_get_an_error_and_the_server_goes_on(
    server: InstanceServer, qtbot: QtBot
) -> None:
    def handle(message: Message, respond: Respond) -> None:
        if message["cmd"] == "boom":
            raise RuntimeError("a bug in one command")
        respond(ok())

    server.set_handler(handle)
    client = connected(server)
    client.sendall(b"{oops\n" + b'{"v": 9, "cmd": "x"}\n' + encode({"cmd": "boom"}))
    client.sendall(encode({"cmd": "fine"}))
    got = replies(client, qtbot, 4)
    assert [reply["ok"] for reply in got] == [False, False, False, True]
    assert "not a JSON message" in got[0]["error"]
    assert "protocol version 9" in got[1]["error"]
    assert "a bug in one command" in got[2]["error"]
    client.close()


def test_a_request_too_long_is_refused_and_its_connection_closed(
    server: InstanceServer, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(instance, "MAX_MESSAGE_BYTES", 64)
    server.set_handler(lambda _message, respond: respond(ok()))
    client = connected(server)
    client.sendall(b'{"v": 1, "cmd": "open", "paths": ["' + b"a" * 200)
    (reply,) = replies(client, qtbot, 1)
    assert reply["error"] == "the request is too long"
    closed = False

    def is_closed() -> bool:
        nonlocal closed
        with contextlib.suppress(BlockingIOError):
            closed = client.recv(1) == b""
        return closed

    qtbot.waitUntil(is_closed, timeout=5000)
    client.close()


def test_a_socket_left_by_a_crash_is_replaced(qapp: object, tmp_path: Path) -> None:
    name = server_names(tmp_path)[0]
    leftover = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    leftover.bind(name)  # bound, never unlinked: what a killed process leaves
    leftover.close()
    assert Path(name).exists()
    served = InstanceServer([name])
    served.listen()
    assert served.name == name
    served.close()


# -- real processes ----------------------------------------------------------------------------
class Child:
    """A child process running ``instance_child.py``, read line by line with a time limit."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(CHILD), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self.pid = self.proc.pid
        self._buffer = b""

    def line(self, timeout: float = 30) -> str:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([fd], [], [], max(0, left))
            assert ready, f"no output from child {self.pid} in {timeout} s"
            chunk = os.read(fd, 4096)
            assert chunk, f"child {self.pid} ended: {self.finish()}"
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.decode().strip()

    def finish(self) -> str:
        """Kill it if it still runs; its stderr."""
        if self.proc.poll() is None:
            self.proc.kill()
        _out, err = self.proc.communicate()
        return err.decode()


def killed_holder(data_dir: Path) -> int:
    """A child that took the lock and listened, then was killed: its lock and socket stay."""
    holder = Child(str(data_dir), "--hold")
    assert holder.line() == "ready"
    assert holder.line() == "holding"
    holder.proc.send_signal(signal.SIGKILL)
    holder.proc.wait(10)
    holder.finish()
    assert (data_dir / instance.LOCK_FILE).exists()
    assert Path(server_names(data_dir)[0]).exists()
    return holder.pid


def served_hello(primary: Primary, qtbot: QtBot, data_dir: Path) -> None:
    """This process answers as the primary: a new launch must reach it and nothing else."""
    server = primary.listen(lambda _m, respond: respond(ok(pid=os.getpid())))
    try:
        second = Child(str(data_dir), "--wait-s", "10")
        qtbot.waitUntil(lambda: second.proc.poll() is not None, timeout=30_000)
        assert second.line() == "ready"
        assert second.line() == f"secondary {os.getpid()}"
        assert second.proc.returncode == 0
        second.finish()
    finally:
        server.close()
        primary.release()


def test_a_lock_left_by_a_killed_process_never_blocks_the_next_start(
    qapp: object, qtbot: QtBot, tmp_path: Path
) -> None:
    killed_holder(tmp_path)
    started = time.monotonic()
    claimed = claim(tmp_path, wait_s=10)
    assert isinstance(claimed, Primary)  # Qt saw that the pid is gone
    assert time.monotonic() - started < 3
    served_hello(claimed, qtbot, tmp_path)


def test_a_lock_whose_pid_now_belongs_to_another_program_is_recovered(
    qapp: object, qtbot: QtBot, tmp_path: Path
) -> None:
    killed_holder(tmp_path)
    # After a reboot the dead holder's pid may be another Python program's: fake that.
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        lock_file = tmp_path / instance.LOCK_FILE
        lines = lock_file.read_text().split("\n")
        lock_file.write_text("\n".join([str(other.pid), *lines[1:]]))
        assert not QLockFile(str(lock_file)).tryLock(0)  # Qt alone takes it for alive
        claimed = claim(tmp_path, wait_s=0.5)
        assert isinstance(claimed, Primary)
        served_hello(claimed, qtbot, tmp_path)
    finally:
        other.kill()
        other.wait(10)


@pytest.mark.parametrize("launches", [2, 5])
def test_launches_at_once_make_exactly_one_primary(launches: int, tmp_path: Path) -> None:
    for trial in range(TRIALS):
        data_dir = tmp_path / f"trial-{trial}"
        data_dir.mkdir()
        go = tmp_path / f"go-{trial}"
        children = [Child(str(data_dir), "--go", str(go)) for _ in range(launches)]
        try:
            for each in children:
                assert each.line() == "ready"
            go.touch()  # every child claims now
            said = [each.line().split() for each in children]
            primaries = [words for words in said if words[0] == "primary"]
            assert len(primaries) == 1, said
            primary_pid = primaries[0][1]
            assert sorted(said) == sorted(
                [["primary", primary_pid]] + [["secondary", primary_pid]] * (launches - 1)
            )
            assert send_request(data_dir, {"cmd": "quit"})["ok"]
            for each in children:
                assert each.proc.wait(20) == 0
        finally:
            for each in children:
                each.finish()
        assert not (data_dir / instance.LOCK_FILE).exists()
