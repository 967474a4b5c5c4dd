"""Refuse and record every network connection this Python process tries (tests only).

Put this folder first on ``PYTHONPATH`` and Python imports it at start-up, before any of the
app's code. Every ``connect``, ``connect_ex``, ``sendto``/``sendmsg`` with an address and
name lookup that is not a local (``AF_UNIX``) socket raises ``PermissionError`` and is written,
one JSON line each, to the file named by ``OSTPLAYER_NETGUARD_LOG``. Local sockets (the
single-instance socket, D-Bus) work as usual. Code outside Python (libvlc, Qt) is watched by
``strace`` in tests/reliability/test_network.py instead.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import traceback
from typing import Any

_LOG = os.environ.get("OSTPLAYER_NETGUARD_LOG", "")
_LOCAL = {getattr(socket, "AF_UNIX", -1)}


def _record(what: str, detail: object) -> None:
    line = json.dumps(
        {"what": what, "detail": repr(detail), "stack": traceback.format_stack(limit=8)[:-2]}
    )
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as log:  # noqa: PTH123 - no pathlib this early
            log.write(line + "\n")


def _refuse(what: str, detail: object) -> PermissionError:
    _record(what, detail)
    return PermissionError(errno.EACCES, f"network access is blocked in this test ({what})")


_socket = socket.socket
_connect = _socket.connect
_connect_ex = _socket.connect_ex
_sendto = _socket.sendto
_sendmsg = getattr(_socket, "sendmsg", None)


def connect(self: socket.socket, address: Any) -> None:
    if self.family not in _LOCAL:
        raise _refuse("connect", address)
    _connect(self, address)


def connect_ex(self: socket.socket, address: Any) -> int:
    if self.family not in _LOCAL:
        _record("connect_ex", address)
        return errno.EACCES
    return _connect_ex(self, address)


def sendto(self: socket.socket, *args: Any) -> int:
    if self.family not in _LOCAL:
        raise _refuse("sendto", args[-1])
    return _sendto(self, *args)


def sendmsg(self: socket.socket, *args: Any) -> int:
    if self.family not in _LOCAL and len(args) >= 4 and args[3] is not None:
        raise _refuse("sendmsg", args[3])
    assert _sendmsg is not None
    return _sendmsg(self, *args)


def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    raise _refuse("getaddrinfo", host)


def gethostbyname(host: Any) -> Any:
    raise _refuse("gethostbyname", host)


_socket.connect = connect  # type: ignore[method-assign]
_socket.connect_ex = connect_ex  # type: ignore[method-assign]
_socket.sendto = sendto  # type: ignore[method-assign]
if _sendmsg is not None:
    _socket.sendmsg = sendmsg  # type: ignore[method-assign]
socket.getaddrinfo = getaddrinfo
socket.gethostbyname = gethostbyname
socket.gethostbyname_ex = gethostbyname  # type: ignore[assignment]
os.environ["OSTPLAYER_NETGUARD_ACTIVE"] = "1"
