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
    return parser


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
