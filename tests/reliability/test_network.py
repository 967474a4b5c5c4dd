"""No network access at all: the app never fetches anything, by default or otherwise.

Three checks:

- no module under ``src/`` imports a network client (``urllib.request``, ``http.client``,
  ``requests``, Qt's ``QNetworkAccessManager``...). Local sockets (the single instance's
  ``QLocalSocket``) and D-Bus are not the network;
- libvlc always gets ``--no-metadata-network-access`` and no option in ``OSTPLAYER_VLC_ARGS``
  can turn fetching (or a control interface) back on;
- a whole session of the real app (start on the demo, scan a folder whose tags are web
  addresses, import a pack and playlists full of them, play with the real libvlc, show the
  scene panel, save a note with a link, export) runs with Python's sockets refusing anything
  but ``AF_UNIX`` (``netguard/sitecustomize.py``) and under ``strace`` watching every
  ``connect``/``sendto``/``sendmsg`` of every thread, libvlc's and Qt's included. Nothing is
  attempted, and a socket the addresses point at never sees a connection.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import mutagen
import pytest
from mutagen.id3 import APIC, ID3, TXXX, WOAR, WXXX

from ostplayer.playback.factory import DEFAULT_VLC_ARGS, vlc_args
from tests.conftest import DATA

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src" / "ostplayer"
NETGUARD = Path(__file__).with_name("netguard")

#: Modules that talk to the network. None of them may be imported by the app.
FORBIDDEN_MODULES = (
    "urllib.request",
    "urllib3",
    "http.client",
    "http.server",
    "requests",
    "httpx",
    "aiohttp",
    "ftplib",
    "smtplib",
    "poplib",
    "imaplib",
    "xmlrpc",
    "socketserver",
    "webbrowser",
    "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineWidgets",
    "PySide6.QtWebSockets",
)
#: What the app may take from QtNetwork: local sockets only.
QTNETWORK_ALLOWED = frozenset({"QLocalSocket", "QLocalServer"})
#: The one module that may use Python's socket module (SO_PEERCRED on the local socket).
SOCKET_ALLOWED = frozenset({SRC / "desktop" / "instance.py"})


def imports_of(path: Path) -> Iterator[tuple[str, str]]:
    """``(module, name)`` for every import in ``path`` (``name`` empty for ``import x``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, ""
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                yield node.module, alias.name


def test_no_module_imports_a_network_client() -> None:
    files = sorted(SRC.rglob("*.py"))
    assert len(files) > 50
    found = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        for word in ("QNetworkAccessManager", "QNetworkRequest", "QTcpSocket", "QUdpSocket"):
            if word in text:
                found.append(f"{path}: {word}")
        for module, name in imports_of(path):
            full = f"{module}.{name}" if name else module
            if any(full == bad or full.startswith(bad + ".") for bad in FORBIDDEN_MODULES):
                found.append(f"{path}: import {full}")
            if module == "PySide6.QtNetwork" and name not in QTNETWORK_ALLOWED:
                found.append(f"{path}: {full}")
            if module == "PySide6" and name == "QtNetwork":
                found.append(f"{path}: the whole of QtNetwork")
            if module == "socket" and path not in SOCKET_ALLOWED:
                found.append(f"{path}: import socket")
    assert found == []


def test_the_guard_sees_what_it_must() -> None:
    # The check above is only as good as its parser: it must catch each kind of import.
    sample = (
        "import urllib.request\nfrom http import client\nfrom PySide6.QtNetwork import "
        "QNetworkAccessManager, QLocalSocket\nimport requests as r\n"
    )
    tree = ast.parse(sample)
    names = [
        f"{n.module}.{a.name}" if isinstance(n, ast.ImportFrom) else a.name
        for n in ast.walk(tree)
        if isinstance(n, ast.Import | ast.ImportFrom)
        for a in n.names
    ]
    assert names == [
        "urllib.request",
        "http.client",
        "PySide6.QtNetwork.QNetworkAccessManager",
        "PySide6.QtNetwork.QLocalSocket",
        "requests",
    ]


def test_libvlc_never_gets_the_network_back() -> None:
    assert "--no-metadata-network-access" in DEFAULT_VLC_ARGS
    assert "--no-lua" in DEFAULT_VLC_ARGS
    args = vlc_args(
        {
            "OSTPLAYER_VLC_ARGS": "--aout=dummy --metadata-network-access --lua -I http "
            "--extraintf=telnet --control rc --intf=http --verbose=0"
        }
    )
    assert args == [*DEFAULT_VLC_ARGS, "--aout=dummy", "--verbose=0"]


# -- a whole session, offline ------------------------------------------------------------------
def tagged_music(folder: Path, port: int) -> None:
    """Copies of the fixtures whose tags are web addresses, cover art included."""
    folder.mkdir()
    url = f"http://127.0.0.1:{port}"
    ogg = folder / "a.ogg"
    shutil.copy(DATA / "tone.ogg", ogg)
    audio = mutagen.File(ogg)
    assert audio is not None
    audio["title"] = [f"{url}/title"]
    audio["artist"] = [f"{url}/artist"]
    audio["album"] = ["Offline OST"]
    audio["contact"] = [f"{url}/contact"]
    audio["coverarturl"] = [f"{url}/cover.jpg"]
    audio["comment"] = [f"<img src={url}/c.png> https://example.invalid/"]
    audio.save()
    mp3 = folder / "b.mp3"
    shutil.copy(DATA / "tone.mp3", mp3)
    tags = ID3(mp3)
    tags.add(WOAR(url=f"{url}/woar"))
    tags.add(WXXX(desc="home", url=f"{url}/wxxx"))
    tags.add(TXXX(desc="URL", text=[f"{url}/txxx"]))
    # An "attached picture" that is only a link to one (ID3's "-->" MIME type).
    tags.add(APIC(mime="-->", type=3, desc="cover", data=f"{url}/apic.jpg".encode()))
    tags.save(mp3)


def write_inputs(root: Path, port: int) -> dict[str, object]:
    url = f"http://127.0.0.1:{port}"
    music = root / "music"
    tagged_music(music, port)
    pack = root / "pack.json"
    pack.write_text(
        json.dumps(
            {
                "format": "ostplayer-scene-pack",
                "version": 1,
                "name": f"{url}/pack",
                "series": "https://example.invalid/series",
                "description": f"Made with {url}/tool <img src={url}/p.png>",
                "episodes": [{"season": 1, "number": 1, "title": f"{url}/ep1"}],
                "tracks": [
                    {
                        "title": f"{url}/title",
                        "album": "Offline OST",
                        "chapters": {
                            "version": "1.2.0",
                            "chapters": [
                                {
                                    "startTime": 0,
                                    "endTime": 1,
                                    "title": f"scene at {url}/scene",
                                    "ostplayer:scene": {"episode": "S1E1", "place": url},
                                }
                            ],
                        },
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    m3u8 = root / "list.m3u8"
    m3u8.write_text(
        f"#EXTM3U\n#PLAYLIST:{url}/name\n#EXTINF:1,x\n{url}/x.ogg\n#EXTINF:1,y\n"
        f"https://127.0.0.1:{port}/y.ogg\n#EXTINF:1,z\nmusic/a.ogg\n#EXTIMG:{url}/img.png\n",
        encoding="utf-8",
    )
    xspf = root / "list.xspf"
    xspf.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<playlist version="1" '
        f'xmlns="http://xspf.org/ns/0/"><title>t</title><image>{url}/i.png</image>'
        f"<location>{url}/list.xspf</location><trackList>"
        f"<track><location>{url}/x.ogg</location><image>{url}/t.png</image>"
        f'<link rel="{url}/rel">{url}/link</link><info>{url}/info</info></track>'
        "<track><location>music/b.mp3</location></track></trackList></playlist>\n",
        encoding="utf-8",
    )
    exports = root / "exports"
    exports.mkdir()
    data_dir = root / "session-data"
    data_dir.mkdir()
    return {
        "port": port,
        "music": str(music),
        "pack": str(pack),
        "m3u8": str(m3u8),
        "xspf": str(xspf),
        "exports": str(exports),
        "data_dir": str(data_dir),
    }


_CALL = re.compile(r"^\d+\s+(connect|sendto|sendmsg)\((.*)$")
#: Address families that stay on this computer: local sockets and the kernel's netlink.
_LOCAL_FAMILIES = ("AF_UNIX", "AF_LOCAL", "AF_NETLINK")


def network_calls(strace_log: str) -> list[str]:
    """The system calls in an strace log that address anything but a local socket."""
    found = []
    for line in strace_log.splitlines():
        match = _CALL.match(line)
        if match is None:
            continue
        families = re.findall(r"sa_family=(AF_\w+)", match.group(2))
        if any(family not in _LOCAL_FAMILIES for family in families):
            found.append(line)
    return found


def test_the_strace_reader_flags_a_real_connection() -> None:
    log = (
        '12 connect(3, {sa_family=AF_UNIX, sun_path="/run/user/0/bus"}, 110) = 0\n'
        '12 sendto(4, "x", 1, 0, {sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, 12) = 1\n'
        '13 connect(5, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("127.0.0.53")}'
        ", 16) = 0\n"
        '13 sendto(6, "q", 1, MSG_NOSIGNAL, NULL, 0) = 1\n'
        "14 connect(7, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0)}, 28)"
        " = -1 ENETUNREACH\n"
    )
    assert [line.split()[0] for line in network_calls(log)] == ["13", "14"]


def test_a_whole_session_never_reaches_the_network(tmp_path: Path, trap: socket.socket) -> None:
    strace = shutil.which("strace")
    if strace is None:
        pytest.fail(
            "this test watches every connection with strace: make test installs it, or "
            "apt-get install strace"
        )
    setup = write_inputs(tmp_path, trap.getsockname()[1])
    setup_file = tmp_path / "setup.json"
    setup_file.write_text(json.dumps(setup), encoding="utf-8")
    guard_log = tmp_path / "netguard.log"
    strace_log = tmp_path / "strace.log"
    env = dict(os.environ)
    env.update(
        PYTHONPATH=os.pathsep.join([str(NETGUARD), str(REPO / "src")]),
        OSTPLAYER_NETGUARD_LOG=str(guard_log),
        QT_QPA_PLATFORM="offscreen",
        OSTPLAYER_VLC_ARGS="--aout=dummy",
        OSTPLAYER_DATA_DIR=str(setup["data_dir"]),
    )
    command = [
        strace,
        "-f",
        "--seccomp-bpf",
        "-qq",
        "-s",
        "64",
        "-e",
        "trace=connect,sendto,sendmsg",
        "-o",
        str(strace_log),
        sys.executable,
        str(NETGUARD / "session.py"),
        str(setup_file),
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-4000:]
    said = json.loads(done.stdout.strip().splitlines()[-1])

    # The session did what a listener does.
    assert said["guard"] is True and said["self_check"] == "refused"
    assert said["engine"] == "VlcEngine", "the session must play with the real libvlc"
    assert said["scanned"] == 2
    assert said["pack"] == "PackImport"
    assert [entries for _id, entries, _missing in said["playlists"]] == [1, 1]
    assert said["played_ms"] > 0
    assert said["panel_rows"] >= 1
    assert said["files"] == ["list.m3u8", "list.xspf", "notes.json"]

    # Nothing tried to reach the network: Python's guard saw only its own check...
    attempts = [json.loads(line) for line in guard_log.read_text(encoding="utf-8").splitlines()]
    assert [a["what"] for a in attempts] == ["getaddrinfo"], attempts
    # ...no thread of the process (libvlc, Qt, the tag readers) made a network system call...
    traced = strace_log.read_text(encoding="utf-8", errors="replace")
    assert "/probe" in traced  # strace saw the session's own local socket: it was watching
    assert network_calls(traced) == []
    # ...and the addresses everything pointed at never saw a connection.
    with pytest.raises(BlockingIOError):
        trap.accept()
