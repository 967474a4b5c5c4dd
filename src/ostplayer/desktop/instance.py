"""One OST Player per data dir, and the local socket that controls it from outside.

Who is the *primary* instance is decided by a lock file in the data dir (:class:`QLockFile`):
the process that holds it is the only one that opens the database. Messages travel over a
local socket (:class:`QLocalServer`) whose name is derived from the data dir, so two data dirs
are two independent apps. A second launch finds the lock held, connects, hands over what it
was asked to do, and exits; it never opens the database.

A lock left by a process that crashed or was killed is recovered: Qt removes it when the pid
written in it is gone, and when the pid lives on in another process (reused after a reboot),
the lock is removed once the socket has not answered for a few seconds, and only if no process
holds the lock file's native lock (``flock``), which the real holder keeps until it exits.

The protocol, version :data:`PROTOCOL_VERSION`: every message is one JSON object on one line
(UTF-8, ending in ``\\n``). A request is ``{"v": 1, "cmd": NAME, ...arguments}``; each request
gets exactly one reply, in the order asked: ``{"v": 1, "ok": true, ...results}`` or
``{"v": 1, "ok": false, "error": "a message for people"}``.

Only QtCore and QtNetwork are imported here: the command line's remote control stays quick.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from PySide6.QtCore import QCoreApplication, QLockFile, QObject, Signal

if TYPE_CHECKING:  # QtNetwork loads when a socket is made: the first paint does not need it
    from PySide6.QtNetwork import QLocalSocket

log = logging.getLogger(__name__)

#: The protocol's version; a request or reply of another version is refused with a message.
PROTOCOL_VERSION: Final = 1
#: Longest message accepted, in bytes: a request is a command and a few paths.
MAX_MESSAGE_BYTES: Final = 4 * 1024 * 1024
#: How long a launch waits for a primary that holds the lock to answer (it may be starting).
CONNECT_WAIT_S: Final = 5.0
#: How long the command line waits for a reply (opening files reads their tags first).
REPLY_TIMEOUT_S: Final = 30.0
#: The lock file, in the data dir.
LOCK_FILE: Final = "instance.lock"
#: Unix socket paths are limited to 108 bytes with their terminating NUL (``sun_path``).
_MAX_SOCKET_PATH: Final = 107

Message = dict[str, Any]
Respond = Callable[[Message], None]
#: What the primary does with a request: it calls ``respond`` once, now or later.
Handler = Callable[[Message, Respond], None]


def _tr(text: str) -> str:
    return QCoreApplication.translate("Instance", text)


class InstanceError(Exception):
    """The running instance cannot be reached or used; the message is for people."""


class NotRunningError(InstanceError):
    """No OST Player runs on this data dir."""


class ProtocolError(InstanceError):
    """A message that does not follow the protocol."""


# -- the protocol ------------------------------------------------------------------------------
def encode(message: Mapping[str, Any]) -> bytes:
    """One message as one line: compact JSON, ASCII-only (surrogate-escaped paths survive)."""
    return json.dumps({"v": PROTOCOL_VERSION, **message}, ensure_ascii=True).encode() + b"\n"


def decode(line: bytes) -> Message:
    """Read one line into a message; raises :class:`ProtocolError` for anything else."""
    try:
        message = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolError(_tr("not a JSON message: {error}").format(error=exc)) from exc
    if not isinstance(message, dict):
        raise ProtocolError(_tr("a message must be a JSON object"))
    if message.get("v") != PROTOCOL_VERSION:
        raise ProtocolError(
            _tr("protocol version {got!r} is not spoken here (this OST Player speaks {ours})")
            .format(got=message.get("v"), ours=PROTOCOL_VERSION)
        )  # fmt: skip
    return message


def ok(**results: Any) -> Message:
    """A successful reply."""
    return {"ok": True, **results}


def failure(message: str) -> Message:
    """A failed reply, with a message for people."""
    return {"ok": False, "error": message}


# -- where the lock and the socket are ---------------------------------------------------------
def lock_path(data_dir: Path) -> Path:
    """The lock file that makes its holder the primary instance of ``data_dir``."""
    return data_dir / LOCK_FILE


def server_names(data_dir: Path) -> list[str]:
    """The socket names the primary of ``data_dir`` may listen on, the preferred one first.

    The name hashes the user and the data dir's absolute path. On Unix it is a full path:
    the per-user runtime dir when there is one (private to the user), else the temp dir. Every
    candidate is listed, so that a launch whose environment differs (no ``XDG_RUNTIME_DIR`` in
    a cron job) still finds the running app; none is longer than a socket path may be.
    """
    # Imported here, not at the top: the app's start does not need them before its first paint.
    import hashlib
    import tempfile

    # Resolved: a symlink to the data dir reaches the same lock file, so the same instance.
    key = f"{_user()}\0{os.fsdecode(Path(data_dir).resolve())}"
    name = "ostplayer-" + hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:24]
    if os.name != "posix":
        return [name]  # a named pipe: no path, no length limit worth the name
    names: list[str] = []
    for base in (os.environ.get("XDG_RUNTIME_DIR"), tempfile.gettempdir(), "/tmp"):
        if not base or not Path(base).is_absolute():
            continue
        full = os.fspath(Path(base, name))
        if len(os.fsencode(full)) <= _MAX_SOCKET_PATH and full not in names:
            names.append(full)
    return names


def _user() -> str:
    if hasattr(os, "getuid"):
        return str(os.getuid())
    import getpass

    return getpass.getuser()


def _connected(qsocket: QLocalSocket) -> bool:
    return qsocket.state() == type(qsocket).LocalSocketState.ConnectedState


def _peer_is_us(qsocket: QLocalSocket) -> bool:
    """On Linux, whether the other end of the socket runs as this user (``SO_PEERCRED``).

    A socket in the shared temp dir could have been put there by someone else: talk to our
    own user only. Elsewhere the socket's file permissions are all there is.
    """
    import socket  # here, as in server_names: the start does not need it before its paint
    import struct

    option = getattr(socket, "SO_PEERCRED", None)
    descriptor = qsocket.socketDescriptor()
    if option is None or descriptor < 0:
        return True
    with socket.socket(fileno=os.dup(descriptor)) as probe:
        _pid, uid, _gid = struct.unpack("i2I", probe.getsockopt(socket.SOL_SOCKET, option, 12))
    return uid == os.getuid()


# -- the lock ----------------------------------------------------------------------------------
class InstanceLock:
    """The lock file in the data dir: whoever holds it is the primary instance.

    Held for as long as the app runs, so its stale time is 0 (Qt's docs for long-lived locks):
    age never makes it stale, only a holder that is gone does.
    """

    def __init__(self, data_dir: Path) -> None:
        self.path = lock_path(data_dir)
        self._lock = QLockFile(os.fspath(self.path))
        self._lock.setStaleLockTime(0)

    @property
    def locked(self) -> bool:
        """Whether this process holds the lock."""
        return self._lock.isLocked()

    def try_acquire(self) -> bool:
        """Take the lock now if it is free or stale; False when a live process holds it.

        Raises :class:`InstanceError` when the lock file cannot be made at all.
        """
        if self._lock.tryLock(0):
            return True
        error = self._lock.error()
        if error == QLockFile.LockError.LockFailedError:
            return False
        if error == QLockFile.LockError.PermissionError:
            reason = _tr("permission denied")
        else:
            reason = _tr("the folder is missing or the disk is full")
        raise InstanceError(
            _tr("Cannot create the lock file {path}: {reason}").format(
                path=self.path, reason=reason
            )
        )

    def holder_pid(self) -> int | None:
        """The pid written in the lock file, or ``None`` when there is no readable lock."""
        # PySide6 returns (pid, hostname, appname), with pid 0 when there is no readable lock.
        pid = self._lock.getLockInfo()[0]
        return int(pid) if pid > 0 else None

    def holder_alive(self) -> bool:
        """Whether a process holds the lock, as far as this process can tell without taking it.

        Where ``flock`` exists (Qt's lock sets it and keeps it until the holder exits), a lock
        file that nobody has locked is stale whatever pid it names. Elsewhere, the pid decides.
        """
        try:
            import fcntl
        except ImportError:
            pid = self.holder_pid()
            return pid is not None and _pid_exists(pid)
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            return False  # no lock file: nobody holds it
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        except OSError:  # a file system without flock: fall back to the pid
            pid = self.holder_pid()
            return pid is not None and _pid_exists(pid)
        finally:
            os.close(fd)  # also drops the probe's own lock
        return False

    def remove_abandoned(self) -> bool:
        """Remove a lock whose holder is gone though its pid still runs (reused); True if done.

        Safe against a live holder: Qt's removal only succeeds when it can take the file's
        native lock, which a live holder keeps. Done under Qt's own ``.rmlock``, as Qt's stale
        removal is, so that two launches never remove each other's fresh lock.
        """
        if self.locked or self.holder_pid() is None:
            return False
        guard = QLockFile(os.fspath(self.path) + ".rmlock")
        if not guard.tryLock(0):
            return False
        try:
            removed = self._lock.removeStaleLockFile()
        finally:
            guard.unlock()
        if removed:
            log.warning("removed the abandoned instance lock %s", self.path)
        return removed

    def release(self) -> None:
        """Let go of the lock (at exit, after the database is closed)."""
        self._lock.unlock()


def _pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive
    except OSError:
        return False
    return True


# -- the command line's side: a blocking client ------------------------------------------------
class Client:
    """A connection to the primary instance, used without an event loop (the command line)."""

    def __init__(self, qsocket: QLocalSocket) -> None:
        self._socket = qsocket
        self._buffer = b""

    @classmethod
    def connect(cls, names: list[str], timeout_ms: int = 300) -> Client | None:
        """Connect to the first of ``names`` that answers as this user; ``None`` if none does."""
        from PySide6.QtNetwork import QLocalSocket

        for name in names:
            qsocket = QLocalSocket()
            qsocket.connectToServer(name)
            if qsocket.waitForConnected(timeout_ms):
                if _peer_is_us(qsocket):
                    return cls(qsocket)
                log.warning("the socket %s belongs to another user; not using it", name)
            qsocket.abort()
        return None

    def send(self, message: Mapping[str, Any], timeout_s: float = REPLY_TIMEOUT_S) -> Message:
        """Send one request and wait for its reply."""
        deadline = time.monotonic() + timeout_s
        written = self._socket.write(encode(message))
        # A local socket usually takes the whole line at once; wait only for what it kept.
        if written < 0 or (
            self._socket.bytesToWrite() and not self._socket.waitForBytesWritten(_ms_left(deadline))
        ):
            raise InstanceError(_tr("OST Player closed the connection"))
        while b"\n" not in self._buffer:
            if len(self._buffer) > MAX_MESSAGE_BYTES:
                raise ProtocolError(_tr("the reply is too long"))
            left = _ms_left(deadline)
            if left <= 0:
                raise InstanceError(
                    _tr("OST Player did not answer within {seconds} s").format(
                        seconds=round(timeout_s)
                    )
                )
            if (
                not self._socket.waitForReadyRead(left)
                and not self._socket.bytesAvailable()
                and not _connected(self._socket)
            ):
                raise InstanceError(_tr("OST Player closed the connection"))
            self._buffer += self._socket.readAll().data()
        line, self._buffer = self._buffer.split(b"\n", 1)
        return decode(line)

    def close(self) -> None:
        """Close the connection."""
        self._socket.disconnectFromServer()
        self._socket.abort()


def _ms_left(deadline: float) -> int:
    return max(0, int((deadline - time.monotonic()) * 1000))


def connect(data_dir: Path, timeout_ms: int = 300) -> Client | None:
    """Connect to the primary instance of ``data_dir``, if one is listening. Writes nothing."""
    return Client.connect(server_names(data_dir), timeout_ms)


def send_request(
    data_dir: Path,
    message: Mapping[str, Any],
    *,
    wait_s: float = CONNECT_WAIT_S,
    reply_timeout_s: float = REPLY_TIMEOUT_S,
) -> Message:
    """Send one request to the running instance of ``data_dir`` and return its reply.

    Never starts an instance and never writes to the data dir. Raises
    :class:`NotRunningError` when no instance runs, :class:`InstanceError` when one holds the
    lock but does not answer within ``wait_s`` (it may be starting) or fails to reply.
    """
    lock = InstanceLock(data_dir)
    deadline = time.monotonic() + wait_s
    while True:
        client = connect(data_dir)
        if client is not None:
            break
        if not lock.holder_alive():
            raise NotRunningError(_tr("OST Player is not running"))
        if time.monotonic() >= deadline:
            raise InstanceError(_not_answering(lock.holder_pid()))
        time.sleep(0.1)
    try:
        return client.send(message, reply_timeout_s)
    finally:
        client.close()


def _not_answering(pid: int | None) -> str:
    return _tr(
        "OST Player is running on this data folder (process {pid}) but does not answer; "
        "if it is stuck, close it and try again"
    ).format(pid=pid if pid is not None else "?")


# -- claiming the data dir at start-up ---------------------------------------------------------
@dataclass
class Primary:
    """This process holds the lock: it runs the app and answers the others."""

    lock: InstanceLock
    data_dir: Path

    def listen(self, handler: Handler | None = None) -> InstanceServer:
        """Start answering on the socket (needs a ``QCoreApplication``)."""
        server = InstanceServer(server_names(self.data_dir), handler)
        server.listen()
        return server

    def release(self) -> None:
        """Let go of the lock (after the database is closed)."""
        self.lock.release()


@dataclass
class Secondary:
    """Another process is the primary; this one hands its work over through ``client``."""

    client: Client


def claim(data_dir: Path, *, wait_s: float = CONNECT_WAIT_S) -> Primary | Secondary:
    """Become the primary instance of ``data_dir``, or connect to the one that is.

    The data dir must exist. Exactly one of any number of launches at once becomes primary
    (the lock file is created with ``O_EXCL``); the others connect to it, waiting up to
    ``wait_s`` for it to listen. A lock whose holder is gone is recovered. Raises
    :class:`InstanceError` when a live process holds the lock but never answers: a second
    writer is never started.
    """
    lock = InstanceLock(data_dir)
    deadline = time.monotonic() + wait_s
    forced = False
    while True:
        if lock.try_acquire():
            return Primary(lock, data_dir)
        client = connect(data_dir)
        if client is not None:
            return Secondary(client)
        if time.monotonic() >= deadline:
            # Qt keeps a lock whose pid runs on (another program got the pid after a
            # reboot); the native lock tells whether its holder is really alive.
            if not forced and lock.remove_abandoned():
                forced = True
                continue
            raise InstanceError(_not_answering(lock.holder_pid()))
        time.sleep(0.05)


# -- the primary's side: the server ------------------------------------------------------------
class InstanceServer(QObject):
    """Answers requests from other launches and the command line, on the GUI thread.

    Each connection's requests are handled one at a time, in order; the handler may answer
    later (opening files reads them on a worker first). A bad message gets an error reply and
    the app goes on; an oversized one also closes its connection.
    """

    def __init__(
        self, names: list[str], handler: Handler | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._names = names
        self._handler = handler
        from PySide6.QtNetwork import QLocalServer

        self._server = QLocalServer(self)
        # Owner only: the socket may sit in the shared temp dir.
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._connections: set[_Connection] = set()

    @property
    def name(self) -> str:
        """The full name (path) the server listens on; empty when it does not."""
        return self._server.fullServerName()

    def set_handler(self, handler: Handler) -> None:
        """Who answers the requests."""
        self._handler = handler

    def listen(self) -> None:
        """Listen on the first name that works; raises :class:`InstanceError` if none does.

        Only the lock holder calls this, so a socket file already there is one a crashed
        instance left behind: it is removed first.
        """
        for name in self._names:
            self._server.removeServer(name)
        errors: list[str] = []
        for name in self._names:
            if self._server.listen(name):
                return
            errors.append(f"{name}: {self._server.errorString()}")
        raise InstanceError(
            _tr("Remote control is off: cannot listen on a local socket ({errors})").format(
                errors="; ".join(errors)
            )
        )

    def close(self) -> None:
        """Stop listening and drop the connections (the app is quitting)."""
        self._server.close()
        for connection in list(self._connections):
            connection.close()

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            qsocket = self._server.nextPendingConnection()
            if not _peer_is_us(qsocket):
                qsocket.abort()
                qsocket.deleteLater()
                continue
            connection = _Connection(qsocket, self._dispatch, self)
            self._connections.add(connection)
            connection.closed.connect(lambda c=connection: self._connections.discard(c))

    def _dispatch(self, message: Message, respond: Respond) -> None:
        if self._handler is None:
            respond(failure(_tr("OST Player is still starting; try again")))
            return
        try:
            self._handler(message, respond)
        except Exception as exc:  # a bug in one command must not take the app down
            log.exception("remote request %r failed", message.get("cmd"))
            respond(failure(_tr("the command failed: {error}").format(error=exc)))


class _Connection(QObject):
    """One client's socket: splits lines, queues requests, writes replies in order."""

    closed = Signal()

    def __init__(
        self,
        qsocket: QLocalSocket,
        dispatch: Callable[[Message, Respond], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._socket = qsocket
        qsocket.setParent(self)
        self._dispatch = dispatch
        self._buffer = b""
        self._queue: deque[bytes] = deque()
        self._busy = False
        self._open = True
        qsocket.readyRead.connect(self._read)
        qsocket.disconnected.connect(self.close)
        self._read()  # what arrived with the connection

    def _read(self) -> None:
        if not self._open:
            return
        self._buffer += self._socket.readAll().data()
        while b"\n" in self._buffer:
            line, self._buffer = self._buffer.split(b"\n", 1)
            if line.strip():
                self._queue.append(line)
        if len(self._buffer) > MAX_MESSAGE_BYTES:
            self._write(failure(_tr("the request is too long")))
            self.close()
            return
        self._next()

    def _next(self) -> None:
        if self._busy or not self._queue or not self._open:
            return
        line = self._queue.popleft()
        try:
            message = decode(line)
        except ProtocolError as exc:
            self._write(failure(str(exc)))
            self._next()
            return
        self._busy = True
        answered = False

        def respond(reply: Message) -> None:
            nonlocal answered
            if answered:
                return
            answered = True
            self._busy = False
            if self._open:
                self._write(reply)
                self._next()

        self._dispatch(message, respond)

    def _write(self, reply: Message) -> None:
        if not _connected(self._socket):
            return  # the client gave up waiting: nobody to tell
        self._socket.write(encode(reply))
        self._socket.flush()

    def close(self) -> None:
        """Drop the connection (the client left, or the app quits)."""
        if not self._open:
            return
        self._open = False
        self._socket.disconnectFromServer()
        self.closed.emit()
        self.deleteLater()
