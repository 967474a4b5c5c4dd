"""The command line: the window by default, and subcommands that need neither libvlc nor a display.

Errors go to stderr as one line for people, with a non-zero exit code, never as a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from ostplayer import APP_NAME, __version__


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``ostplayer``."""
    parser = argparse.ArgumentParser(
        prog="ostplayer",
        description=f"{APP_NAME}: a soundtrack player that shows where each moment of the "
        "music is used in the series.",
    )
    parser.add_argument("--version", action="version", version=f"ostplayer {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="keep the library and notes in DIR (default: the user data dir; "
        "also OSTPLAYER_DATA_DIR)",
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
    return parser


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
    args = build_parser().parse_args(argv)
    from ostplayer.paths import AppPaths

    paths = AppPaths.resolve(args.data_dir)
    if args.command is not None:
        from ostplayer.commands import run_command  # Qt-free: works without a display

        return run_command(args, paths)
    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    from ostplayer.app import run_gui  # deferred: Qt is not needed for the subcommands

    return run_gui(paths, [sys.argv[0]])
