"""Making the playback engine: libvlc when it loads, a silent stand-in that explains when not.

``import vlc`` happens inside :func:`create_engine` only (it loads libvlc and takes time), so
importing the app or running a command that does not play never pays for it.

Environment:

``OSTPLAYER_VLC_ARGS``
    Extra libvlc arguments, split like a shell would, added after :data:`DEFAULT_VLC_ARGS`
    (later arguments win). The tests set ``--aout=dummy``. Arguments that would let VLC reach
    the network (metadata fetching, Lua scripts, a control interface) are dropped: the app
    never goes online, whatever it is given.
``OSTPLAYER_VLC_DISABLE``
    ``1`` (or ``true``/``yes``) makes :func:`create_engine` behave as if libvlc were not
    installed, so the "no VLC" path of the app, the CLI and the tests can be checked on a
    machine that has it.
"""

from __future__ import annotations

import logging
import os
import platform
import shlex
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject

from ostplayer.playback.engine import Engine, PlayerError, UnavailableEngine

log = logging.getLogger(__name__)

#: Always given to libvlc. We never show video, and VLC should not go looking for more than the
#: file it is asked to play:
#: --no-video          no video output, even for a file that has a picture stream
#: --quiet             libvlc's log stays off the terminal
#: --no-xlib           no Xlib-based plugins (we draw nothing, and Qt owns the display)
#: --no-sub-autodetect-file   no scan of the folder for subtitle files on every play
#: --no-metadata-network-access   local-first: no cover art or metadata from the network
#: --no-lua            no Lua extensions or playlist scripts (not needed for local audio)
DEFAULT_VLC_ARGS: tuple[str, ...] = (
    "--no-video",
    "--quiet",
    "--no-xlib",
    "--no-sub-autodetect-file",
    "--no-metadata-network-access",
    "--no-lua",
)

_DEBIAN = "sudo apt-get install libvlc5 libvlc-bin vlc-plugin-base"
_FEDORA = "sudo dnf install vlc-libs vlc-plugins-base vlc-plugin-ffmpeg"
_ARCH = "sudo pacman -S vlc"
_MACOS = "brew install --cask vlc"
_WINDOWS = "Install VLC 64-bit from videolan.org (the official installer)."


def _disabled(environ: Mapping[str, str]) -> bool:
    return environ.get("OSTPLAYER_VLC_DISABLE", "").strip().lower() in {"1", "true", "yes"}


#: Options that would undo the network-off defaults or start a control interface (VLC's http,
#: telnet and remote-control interfaces listen on sockets). Dropped from OSTPLAYER_VLC_ARGS.
NETWORK_OPTIONS = frozenset(
    {"--metadata-network-access", "--lua", "--intf", "--extraintf", "--control", "-I"}
)
_TAKES_VALUE = frozenset({"--intf", "--extraintf", "--control", "-I"})


def vlc_args(environ: Mapping[str, str] | None = None) -> list[str]:
    """libvlc's arguments: :data:`DEFAULT_VLC_ARGS`, then those in ``OSTPLAYER_VLC_ARGS``
    except any of :data:`NETWORK_OPTIONS`."""
    env = os.environ if environ is None else environ
    extra: list[str] = []
    args = iter(shlex.split(env.get("OSTPLAYER_VLC_ARGS", "")))
    for arg in args:
        name = arg.split("=", 1)[0]
        if name in NETWORK_OPTIONS or arg.startswith("-I"):
            log.warning("ignoring the libvlc argument %r: OST Player never goes online", arg)
            if arg in _TAKES_VALUE:
                next(args, None)  # "-I http", "--extraintf telnet": its value goes too
            continue
        extra.append(arg)
    return [*DEFAULT_VLC_ARGS, *extra]


def _read_os_release(path: Path) -> dict[str, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return {}
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and not key.startswith("#"):
            fields[key.strip()] = value.strip().strip("\"'")
    return fields


def install_command(
    system: str | None = None, os_release: Mapping[str, str] | None = None
) -> str | None:
    """The command that installs libvlc on this system, or ``None`` when we do not know it.

    ``system`` is :func:`platform.system`'s answer and ``os_release`` the fields of
    ``/etc/os-release``; both are read from this machine when not given (tests pass their own).
    """
    system = platform.system() if system is None else system
    if system == "Darwin":
        return _MACOS
    if system == "Windows":
        return _WINDOWS
    if system != "Linux":
        return None
    fields = _read_os_release(Path("/etc/os-release")) if os_release is None else os_release
    family = {fields.get("ID", "").lower(), *fields.get("ID_LIKE", "").lower().split()}
    if family & {"debian", "ubuntu", "linuxmint", "pop", "raspbian"}:
        return _DEBIAN
    if family & {"fedora", "rhel", "centos"}:
        return _FEDORA
    if family & {"arch", "manjaro", "endeavouros"}:
        return _ARCH
    return None


def install_hint(system: str | None = None, os_release: Mapping[str, str] | None = None) -> str:
    """Tell people how to get playback: what is missing and the install command for this OS."""
    command = install_command(system, os_release)
    how = (
        command
        if command is not None
        else QCoreApplication.translate(
            "Engine", "Install VLC 3 (libvlc and its plugins) with your package manager."
        )
    )
    return QCoreApplication.translate(
        "Engine",
        "OST Player plays audio through VLC 3 (libvlc), which could not be loaded.\n"
        "Install it with:\n\n    {how}\n\n"
        "then start OST Player again. Your library, scene notes and playlists work without it.",
    ).format(how=how)


def create_engine(parent: QObject | None = None) -> Engine:
    """The libvlc engine, or an :class:`UnavailableEngine` that explains how to install VLC.

    Never raises: any failure to load or start libvlc (python-vlc missing, no libvlc library,
    ``vlc.Instance()`` refusing the arguments...) gives the stand-in engine, with the reason
    logged.
    """
    if _disabled(os.environ):
        return UnavailableEngine(
            PlayerError(
                QCoreApplication.translate(
                    "Engine", "VLC is turned off (OSTPLAYER_VLC_DISABLE is set)"
                ),
                install_hint(),
            ),
            parent,
        )
    args = vlc_args()
    try:
        import vlc  # noqa: F401 - loads libvlc; slow, hence here and not at the top

        from ostplayer.playback.vlc_engine import VlcEngine

        return VlcEngine(args, parent)
    except PlayerError as exc:
        log.warning("libvlc could not be started: %s (%s)", exc.short, exc.long)
        return UnavailableEngine(PlayerError(exc.short, f"{exc.long}\n\n{install_hint()}"), parent)
    except (Exception, SystemExit) as exc:  # python-vlc may even sys.exit()
        log.warning("libvlc could not be loaded: %r", exc)
        return UnavailableEngine(
            PlayerError(
                QCoreApplication.translate("Engine", "VLC is not installed"), install_hint()
            ),
            parent,
        )
