"""A process that claims a data dir with the real instance code, for the lock tests.

``python instance_child.py DATA_DIR [--go FILE] [--wait-s S]``: prints ``ready`` once imported,
waits for FILE to exist (so that several children claim at the same moment), then claims
DATA_DIR. The primary prints
``primary PID``, answers ``hello`` and ``quit`` and runs until told to quit; a secondary asks
the primary ``hello`` and prints ``secondary PRIMARY_PID``. An :class:`InstanceError` prints
``error MESSAGE`` and exits 1.

``python instance_child.py DATA_DIR --hold``: takes the lock and listens, prints ``holding``,
and sleeps: the test then kills it with SIGKILL, leaving a stale lock and socket behind.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from ostplayer.desktop.instance import (
    InstanceError,
    Message,
    Primary,
    Respond,
    Secondary,
    claim,
    failure,
    ok,
)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--go", type=Path)
    parser.add_argument("--wait-s", type=float, default=10.0)
    parser.add_argument("--hold", action="store_true")
    args = parser.parse_args()
    print("ready", flush=True)
    if args.go is not None:
        deadline = time.monotonic() + 30
        while not args.go.exists():  # every child is imported and ready: now claim at once
            if time.monotonic() > deadline:
                print("error no go signal", flush=True)
                return 1
            time.sleep(0.002)
    try:
        claimed = claim(args.data_dir, wait_s=args.wait_s)
    except InstanceError as exc:
        print(f"error {exc}", flush=True)
        return 1
    if isinstance(claimed, Secondary):
        reply = claimed.client.send({"cmd": "hello"}, timeout_s=20)
        claimed.client.close()
        print(f"secondary {reply.get('pid')}", flush=True)
        return 0
    return serve(claimed, hold=args.hold)


def serve(primary: Primary, *, hold: bool) -> int:
    app = QCoreApplication([])

    def handle(message: Message, respond: Respond) -> None:
        if message.get("cmd") == "hello":
            respond(ok(pid=os.getpid()))
        elif message.get("cmd") == "quit":
            respond(ok())
            app.quit()
        else:
            respond(failure("unknown"))

    server = primary.listen(handle)
    print("holding" if hold else f"primary {os.getpid()}", flush=True)
    try:
        return app.exec()
    finally:
        server.close()
        primary.release()


if __name__ == "__main__":
    sys.exit(main())
