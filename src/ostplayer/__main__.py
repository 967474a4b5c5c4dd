"""``python -m ostplayer`` and the ``ostplayer`` command."""

from __future__ import annotations

import sys

from ostplayer.cli import main as _main


def main() -> None:
    """Entry point: exit with the code ``ostplayer.cli.main`` returns."""
    if getattr(sys, "frozen", False):
        # A frozen app (PyInstaller) starts the tag readers' processes through this entry
        # point: without this they would run the command line instead. Only then, since
        # importing multiprocessing costs every start ~14 ms before the first paint.
        import multiprocessing

        multiprocessing.freeze_support()
    sys.exit(_main())


if __name__ == "__main__":
    main()
