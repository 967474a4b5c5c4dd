"""The command line: the window by default, and subcommands that need neither libvlc nor a display.

``ostplayer [FILE | FOLDER | URI ...]`` opens the window, or hands the files to the app already
running on the same data dir; ``--play-pause``, ``--status`` and the other remote-control
options talk to that app. Errors go to stderr as one line for people, with a non-zero exit
code, never as a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_to_bytes, urlsplit

from ostplayer import APP_NAME, __version__

if TYPE_CHECKING:
    from ostplayer.desktop.instance import Client
    from ostplayer.paths import AppPaths

#: Exit code when no OST Player runs on the data dir (as an LSB ``status`` says "not running").
EXIT_NOT_RUNNING = 3
#: The subcommands: a first word that is one of them is a command, anything else a path.
COMMANDS = frozenset(
    {"scan", "tracks", "notes", "pack", "moods", "mood", "playlist", "backup", "restore"}
)
#: Top-level options that take a value (so that the value is not taken for a path).
_VALUE_OPTIONS = frozenset({"--data-dir", "--seek"})
#: ``--play-pause`` and friends: the option's request to the running app.
_REMOTE_COMMANDS = {
    "play_pause": ("play-pause", "play, or pause if playing"),
    "play": ("play", "play (resume)"),
    "pause": ("pause", "pause"),
    "next": ("next", "go to the next track"),
    "previous": ("previous", "go to the previous track (or to the start of this one)"),
    "stop": ("stop", "stop"),
    "status": ("status", "print what is playing; exits 3 when OST Player is not running"),
    "quit": ("quit", "close the running OST Player"),
}
_USAGE = (
    "ostplayer [OPTIONS] [FILE | FOLDER | URI ...]\n"
    "       ostplayer [--data-dir DIR] COMMAND [ARGS ...]"
)
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")  # two letters at least: C:\ is a path


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``ostplayer``."""
    parser = _top_parser(add_help=True)
    parser.description = (
        f"{APP_NAME}: a soundtrack player that shows where each moment of the music is used "
        "in the series. With files, folders or file:// URIs it plays them (in the running app, "
        "if there is one); a folder is added to your music folders."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    scan = commands.add_parser("scan", help="add music folders to the library and scan them")
    scan.add_argument("paths", nargs="+", metavar="PATH", help="a music folder")
    scan.add_argument("--json", action="store_true", help="print the result as JSON")
    tracks = commands.add_parser("tracks", help="list the tracks in the library")
    tracks.add_argument("--json", action="store_true", help="print the tracks as JSON")
    tracks.add_argument("--filter", metavar="TEXT", help="only tracks matching TEXT")
    _add_notes_parser(commands)
    _add_pack_parser(commands)
    _add_mood_parsers(commands)
    _add_backup_parsers(commands)
    return parser


def _top_parser(*, add_help: bool) -> argparse.ArgumentParser:
    """The options every form of ``ostplayer`` takes: version, data dir and remote control."""
    # No abbreviations: a value taken for a path, or a path for a command, would be worse.
    parser = argparse.ArgumentParser(
        prog="ostplayer", usage=_USAGE, add_help=add_help, allow_abbrev=False
    )
    parser.add_argument("--version", action="version", version=f"ostplayer {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="keep the library and notes in DIR (default: the user data dir; "
        "also OSTPLAYER_DATA_DIR); one app runs per data dir",
    )
    remote = parser.add_argument_group(
        "remote control", "control the OST Player running on the data dir"
    )
    actions = remote.add_mutually_exclusive_group()
    for option, (request, text) in _REMOTE_COMMANDS.items():
        actions.add_argument(
            f"--{option.replace('_', '-')}",
            dest="remote",
            action="store_const",
            const=request,
            help=text,
        )
    actions.add_argument(
        "--seek",
        type=_seek,
        metavar="TIME",
        help="+10 or -10: seconds forward or back; 1:30 or 1:02:03: from the start",
    )
    remote.add_argument(
        "--json", dest="status_json", action="store_true", help="with --status: print JSON"
    )
    return parser


def _open_parser() -> argparse.ArgumentParser:
    """``ostplayer [OPTIONS] PATH...``: its help is the main parser's."""
    parser = _top_parser(add_help=False)
    parser.add_argument("-h", "--help", action=_MainHelp, nargs=0, help=argparse.SUPPRESS)
    # Not "paths": ``scan`` has its own.
    parser.add_argument("open_paths", nargs="*", metavar="PATH")
    return parser


class _MainHelp(argparse.Action):
    def __call__(self, parser: argparse.ArgumentParser, *_args: object, **_kwargs: object) -> None:
        build_parser().print_help()
        parser.exit()


def _seek(text: str) -> dict[str, int]:
    """``+10``/``-10`` (relative, any time form after the sign) or ``1:30`` (from the start)."""
    from ostplayer.domain.timefmt import parse_time

    sign = text.strip()[:1]
    try:
        if sign in ("+", "-"):
            offset = parse_time(text.strip()[1:])
            return {"offset_ms": -offset if sign == "-" else offset}
        return {"position_ms": parse_time(text)}
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _add_notes_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    notes = commands.add_parser("notes", help="list, add and export your scene notes")
    actions = notes.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="list your notes")
    listing.add_argument("--track", type=int, metavar="ID", help="only the notes of track ID")
    listing.add_argument("--json", action="store_true", help="print the notes as JSON")

    add = actions.add_parser("add", help="add a note at a moment of a track; prints its id")
    add.add_argument("--track", type=int, metavar="ID", required=True, help="the track's id")
    add.add_argument("--at", metavar="TIME", required=True, help="where in the track (m:ss)")
    add.add_argument("--text", required=True, help="the note")
    add.add_argument("--end", metavar="TIME", help="where in the track the moment ends (m:ss)")
    add.add_argument("--episode", metavar="KEY", help="the episode it plays in (S1E3)")
    add.add_argument("--episode-at", metavar="TIME", help="where in the episode (m:ss or h:mm:ss)")
    add.add_argument(
        "--mood", action="append", default=[], metavar="MOOD", help="a mood (repeatable, or a,b)"
    )
    add.add_argument(
        "--character", action="append", default=[], metavar="NAME", help="a character (repeatable)"
    )
    add.add_argument("--place", metavar="TEXT", help="where the scene takes place")
    add.add_argument(
        "--role",
        choices=_roles(),
        default="score",
        help="how the music is used (default: score)",
    )

    export = actions.add_parser("export", help="write a track's or an episode's notes to a file")
    export.add_argument("--format", choices=("lrc", "vtt"), required=True, help="lrc or vtt")
    which = export.add_mutually_exclusive_group(required=True)
    which.add_argument("--track", type=int, metavar="ID", help="the notes of track ID")
    which.add_argument(
        "--episode", metavar="KEY", help="an episode's notes on its own timeline (vtt only)"
    )
    export.add_argument("-o", "--output", metavar="FILE", required=True, help="write to FILE")


def _add_pack_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    pack = commands.add_parser("pack", help="import and export scene packs")
    actions = pack.add_subparsers(dest="action", metavar="ACTION", required=True)
    load = actions.add_parser("import", help="import a scene pack file")
    load.add_argument("file", metavar="FILE", help="the pack (.json)")
    load.add_argument("--json", action="store_true", help="print the result as JSON")
    export = actions.add_parser("export", help="write a scene pack file")
    export.add_argument(
        "--personal", action="store_true", help="your notes that name an episode, as a pack"
    )
    export.add_argument(
        "--name",
        metavar="NAME",
        help="the imported pack to export; with --personal, the name to give your pack",
    )
    export.add_argument("-o", "--output", metavar="FILE", required=True, help="write to FILE")


def _add_mood_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    moods = commands.add_parser("moods", help="list the moods of the library with their counts")
    moods.add_argument("--json", action="store_true", help="print the moods as JSON")

    mood = commands.add_parser("mood", help="add or remove your own mood on tracks")
    actions = mood.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, text in (("add", "give tracks a mood"), ("remove", "take a mood off tracks")):
        action = actions.add_parser(name, help=text)
        action.add_argument(
            "--track", type=int, action="append", required=True, metavar="ID",
            help="a track's id (repeatable)",
        )  # fmt: skip
        action.add_argument("mood", metavar="MOOD", help="the mood (e.g. tender)")

    playlist = commands.add_parser(
        "playlist", help="build, list, show, import and export playlists"
    )
    actions = playlist.add_subparsers(dest="action", metavar="ACTION", required=True)
    build = actions.add_parser("build", help="build a playlist by mood")
    build.add_argument("--mood", action="append", default=[], metavar="MOODS",
                       help="moods to include, comma separated (repeatable)")  # fmt: skip
    build.add_argument("--all", action="store_true", help="tracks must have every mood")
    build.add_argument("--exclude", action="append", default=[], metavar="MOODS",
                       help="moods to leave out, comma separated (repeatable)")  # fmt: skip
    build.add_argument("--minutes", type=_minutes, metavar="N", help="target length")
    build.add_argument(
        "--order",
        choices=("album", "shuffle", "arc", "series"),
        default="album",
        help="default: album",
    )
    build.add_argument("--moments", action="store_true",
                       help="the scenes with these moods, each playing only its span")  # fmt: skip
    build.add_argument("--character", action="append", default=[], metavar="NAME",
                       help="with --moments: scenes with this character (repeatable)")  # fmt: skip
    build.add_argument("--episodes", metavar="FIRST[-LAST]",
                       help="with --moments: an episode range, e.g. S1E1-S1E8")  # fmt: skip
    build.add_argument("--seed", type=int, help="shuffle and arc: the same seed, the same list")
    build.add_argument("--name", metavar="NAME", help="save it as a playlist called NAME")
    build.add_argument("--smart", action="store_true",
                       help="with --name: save the rule; the list follows the moods")  # fmt: skip
    build.add_argument("-o", "--output", metavar="FILE", help="write it to FILE.m3u8 or FILE.xspf")
    build.add_argument("--json", action="store_true", help="print the playlist as JSON")

    listing = actions.add_parser("list", help="list the saved playlists")
    listing.add_argument("--json", action="store_true", help="print them as JSON")
    show = actions.add_parser("show", help="show a playlist's tracks")
    show.add_argument("name", metavar="NAME")
    show.add_argument("--json", action="store_true", help="print it as JSON")
    export = actions.add_parser("export", help="write a playlist to an M3U8 or XSPF file")
    export.add_argument("name", metavar="NAME")
    export.add_argument("-o", "--output", metavar="FILE", required=True,
                        help="FILE.m3u8 or FILE.xspf")  # fmt: skip
    load = actions.add_parser("import", help="import an M3U8 or XSPF playlist")
    load.add_argument("file", metavar="FILE")
    load.add_argument("--name", metavar="NAME", help="the name to save it under")
    load.add_argument("--json", action="store_true", help="print the result as JSON")
    delete = actions.add_parser("delete", help="delete a saved playlist")
    delete.add_argument("name", metavar="NAME")


def _add_backup_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    backup = commands.add_parser(
        "backup", help="back up the library now and print the backup's path; --list lists them"
    )
    backup.add_argument("--list", action="store_true", help="list the backups, newest first")
    backup.add_argument("--json", action="store_true", help="print the result as JSON")
    restore = commands.add_parser(
        "restore",
        help="replace the library with a backup (the library as it is is backed up first); "
        "OST Player must not be running on the data dir",
    )
    restore.add_argument("file", metavar="FILE", help="the backup (a library .sqlite3 file)")
    restore.add_argument("--json", action="store_true", help="print the result as JSON")


def _minutes(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be a number of minutes above 0")
    return value


def _roles() -> list[str]:
    from ostplayer.domain.scene import Role  # plain Python, but keep --version imports small

    return [str(role) for role in Role]


def display_problem(environ: os._Environ[str] | dict[str, str] = os.environ) -> str | None:
    """Why no window can open here, or ``None``. Only Linux-like systems need a display server."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return None
    if environ.get("QT_QPA_PLATFORM") or environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    return (
        "ostplayer: no display found (DISPLAY and WAYLAND_DISPLAY are not set); start it from "
        "a desktop session, or run `ostplayer --help` for commands that need no window"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``ostplayer``; returns the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if _names_a_command(arguments):
        parser = build_parser()
        args = parser.parse_args(arguments)
        args.open_paths = []
    else:
        parser = _open_parser()
        args = parser.parse_args(arguments)
        args.command = None
    request = _remote_request(args)
    if request is not None and (args.command is not None or args.open_paths):
        parser.error("the remote-control options go alone, without a command or paths")
    if args.status_json and args.remote != "status":
        parser.error("--json here goes with --status")
    from ostplayer.paths import AppPaths

    paths = AppPaths.resolve(args.data_dir)
    if args.command is not None:
        from ostplayer.commands import run_command  # Qt-free: works without a display

        return run_command(args, paths)
    if request is not None:
        return _remote(request, paths, as_json=args.status_json)
    return _launch(paths, args.open_paths)


def _names_a_command(arguments: list[str]) -> bool:
    """Whether the first word that is not an option is a subcommand (else: paths, or none)."""
    takes_value = False
    for argument in arguments:
        if takes_value:
            takes_value = False
        elif argument == "--":
            return False  # what follows is paths, even one called "scan"
        elif argument.startswith("-") and argument != "-":
            takes_value = argument in _VALUE_OPTIONS
        else:
            return argument in COMMANDS
    # No paths: the window, remote control, --help or --version, which the small parser knows
    # (its --help prints the main parser's). Building every command's parser cost a start
    # ~10 ms before the first paint.
    return False


def _remote_request(args: argparse.Namespace) -> dict[str, Any] | None:
    if args.seek is not None:
        return {"cmd": "seek", **args.seek}
    if args.remote is not None:
        return {"cmd": args.remote}
    return None


# -- talking to the running app ------------------------------------------------------------------
def _tr(text: str) -> str:
    from PySide6.QtCore import QCoreApplication  # QtCore only: remote control stays quick

    return QCoreApplication.translate("CommandLine", text)


def _remote(request: dict[str, Any], paths: AppPaths, *, as_json: bool) -> int:
    """Send one remote-control request; never starts the app, never writes the data dir."""
    from ostplayer.desktop.instance import InstanceError, NotRunningError, send_request

    try:
        reply = send_request(paths.data_dir, request)
    except NotRunningError as exc:
        print(f"ostplayer: {exc}", file=sys.stderr)
        return EXIT_NOT_RUNNING
    except InstanceError as exc:
        print(f"ostplayer: {exc}", file=sys.stderr)
        return 1
    if not reply.get("ok"):
        print(f"ostplayer: {reply.get('error') or _tr('the command failed')}", file=sys.stderr)
        return 1
    if request["cmd"] == "status":
        _print_status(reply, as_json=as_json)
    return 0


#: What ``--status --json`` prints, from the reply: the keys, in this order.
STATUS_FIELDS = (
    "state", "track_id", "title", "artist", "album", "path", "position_ms", "duration_ms",
    "queue_index", "queue_length",
)  # fmt: skip


def _print_status(reply: dict[str, Any], *, as_json: bool) -> None:
    status = {key: reply.get(key) for key in STATUS_FIELDS}
    if as_json:
        sys.stdout.write(json.dumps(status, ensure_ascii=True, indent=2) + "\n")
        return
    from ostplayer.domain.timefmt import format_ms

    states = {"playing": _tr("Playing"), "paused": _tr("Paused"), "stopped": _tr("Stopped")}
    state = states.get(str(status["state"]), str(status["state"]))
    if status["track_id"] is None:
        print(_tr("{state}: nothing to play").format(state=state))
        return
    lines = [
        f"{state}: {status['title']}",
        _tr("Artist: {artist}").format(artist=status["artist"] or "-"),
        _tr("Album: {album}").format(album=status["album"] or "-"),
        _tr("Position: {position} / {length}").format(
            position=format_ms(status["position_ms"]), length=format_ms(status["duration_ms"])
        ),
        _tr("Track: {id}, {path}").format(id=status["track_id"], path=status["path"]),
    ]
    if status["queue_index"] is not None:
        lines.append(
            _tr("Queue: {n} of {total}").format(
                n=status["queue_index"] + 1, total=status["queue_length"]
            )
        )
    print("\n".join(lines))


# -- starting the app, or handing paths to the one that runs ------------------------------------
def _launch(paths: AppPaths, raw_paths: list[str]) -> int:
    """Start the window, or hand ``raw_paths`` (or a wake-up) to the app already running."""
    from ostplayer.desktop.instance import (
        InstanceError,
        InstanceLock,
        Secondary,
        claim,
        connect,
    )

    targets, problems = _local_paths(raw_paths)
    for problem in problems:
        print(f"ostplayer: {problem}", file=sys.stderr)
    if raw_paths and not targets:
        return 2
    # A running app first, writing nothing (a second launch needs no display). Only when one
    # holds the lock: trying its sockets costs a first launch ~10 ms before its first paint.
    if InstanceLock(paths.data_dir).holder_alive():
        client = connect(paths.data_dir)
        if client is not None:
            return _hand_over(client, targets, problems)
    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    try:
        paths.ensure()
        claimed = claim(paths.data_dir)
    except (InstanceError, OSError) as exc:
        print(f"ostplayer: {exc}", file=sys.stderr)
        return 1
    if isinstance(claimed, Secondary):  # another launch won the race
        return _hand_over(claimed.client, targets, problems)
    from ostplayer.app import run_gui  # deferred: Qt is not needed for the subcommands

    return run_gui(paths, [sys.argv[0]], claimed, [Path(t) for t in targets])


def _local_paths(raw_paths: list[str]) -> tuple[list[str], list[str]]:
    """Absolute paths (from plain paths and ``file://`` URIs), and what could not be a path.

    Made absolute here: the running app's working dir is not this one's.
    """
    targets: list[str] = []
    problems: list[str] = []
    for raw in raw_paths:
        path = raw
        if _URI.match(raw) and not Path(raw).exists():  # a file may be called "a:b"
            parts = urlsplit(raw)
            if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
                problems.append(
                    _tr("{uri}: only files on this computer can be opened").format(uri=raw)
                )
                continue
            path = os.fsdecode(unquote_to_bytes(parts.path))  # %-escapes are the name's bytes
        targets.append(os.path.normpath(Path(path).absolute()))
    return targets, problems


def _hand_over(client: Client, targets: list[str], problems: list[str]) -> int:
    """Give the paths to the running app (or bring its window up); report what failed."""
    from ostplayer.desktop.instance import InstanceError

    request: dict[str, Any] = {"cmd": "open", "paths": targets} if targets else {"cmd": "activate"}
    try:
        reply = client.send(request)
    except InstanceError as exc:
        print(f"ostplayer: {exc}", file=sys.stderr)
        return 1
    finally:
        client.close()
    if not reply.get("ok"):
        print(f"ostplayer: {reply.get('error') or _tr('the command failed')}", file=sys.stderr)
        return 1
    for item in reply.get("problems") or []:
        print(f"ostplayer: {item.get('path')}: {item.get('message')}", file=sys.stderr)
    return 1 if problems or reply.get("problems") else 0
