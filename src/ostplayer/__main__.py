"""``python -m ostplayer`` and the ``ostplayer`` command."""

from __future__ import annotations

import sys

from ostplayer.cli import main as _main


def main() -> None:
    """Entry point: exit with the code ``ostplayer.cli.main`` returns."""
    sys.exit(_main())


if __name__ == "__main__":
    main()
