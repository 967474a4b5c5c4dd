"""The script PyInstaller freezes: the ``ostplayer`` command, made safe for worker processes.

The tag reader runs in worker processes (``ostplayer.library.workers``). In a frozen app, the
multiprocessing fork server and spawned workers are started by running the app's own
executable again with multiprocessing's arguments; ``freeze_support()`` (PyInstaller's version,
set by its runtime hook) recognises those runs and turns them into the helper process, before
``ostplayer``'s argument parser could reject them.
"""

from __future__ import annotations

import multiprocessing

if __name__ == "__main__":
    multiprocessing.freeze_support()

    from ostplayer.__main__ import main

    main()
