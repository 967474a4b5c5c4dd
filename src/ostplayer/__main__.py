"""``python -m ostplayer`` and the ``ostplayer`` command."""

from __future__ import annotations

import multiprocessing
import sys

from ostplayer.cli import main as _main


def main() -> None:
    """Entry point: exit with the code ``ostplayer.cli.main`` returns."""
    # A frozen app (PyInstaller) starts the tag readers' processes through this entry point:
    # without this they would run the command line instead. A no-op when not frozen.
    multiprocessing.freeze_support()
    sys.exit(_main())


if __name__ == "__main__":
    main()
