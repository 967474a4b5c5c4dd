"""A whole session of the real app, for tests/reliability/test_network.py to run offline.

``python session.py SETUP.json`` starts the app (real libvlc, offscreen Qt) on the data dir the
setup names, scans a folder whose tags carry web addresses, imports a scene pack and two
playlists full of them, plays a track with libvlc, shows the scene panel, saves a note with a
link, exports playlists, notes and the pack, and quits. It prints one JSON line of what it did.
Run it with ``netguard`` first on ``PYTHONPATH`` (and under ``strace``): any attempt to reach
the network is refused and recorded.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication


def main() -> int:
    setup = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    said: dict[str, object] = {"guard": os.environ.get("OSTPLAYER_NETGUARD_ACTIVE") == "1"}
    # The guard's own check: this one attempt must be refused (and is the only one recorded).
    try:
        socket.create_connection(("127.0.0.1", setup["port"]), timeout=1).close()
        said["self_check"] = "connected"
    except PermissionError:
        said["self_check"] = "refused"
    # And a local socket, which is allowed: strace must see it (it proves strace is watching).
    with tempfile.TemporaryDirectory() as folder:
        name = str(Path(folder) / "probe")
        with socket.socket(socket.AF_UNIX) as server, socket.socket(socket.AF_UNIX) as client:
            server.bind(name)
            server.listen(1)
            client.connect(name)

    from ostplayer.app import Application
    from ostplayer.domain.scene import Note
    from ostplayer.paths import AppPaths
    from ostplayer.playback.engine import PlaybackState

    qapp = QApplication(["ostplayer"])

    def wait_until(check: Callable[[], bool], seconds: float, what: str) -> None:
        deadline = time.monotonic() + seconds
        while not check():
            if time.monotonic() > deadline:
                raise TimeoutError(what)
            qapp.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            time.sleep(0.005)

    app = Application(qapp, AppPaths(Path(setup["data_dir"])))
    ready: list[bool] = []
    app.ready.connect(lambda: ready.append(True))
    app.start()
    wait_until(lambda: bool(ready), 60, "start-up")
    said["engine"] = type(app.engine).__name__

    scans: list[object] = []
    app.library.scan_finished.connect(scans.append)
    app.library.scan([Path(setup["music"])])
    wait_until(lambda: bool(scans), 60, "the scan")
    said["scanned"] = getattr(scans[0], "added", None)

    packs: list[object] = []
    app.scenes.import_pack_file(Path(setup["pack"]), packs.append)
    wait_until(lambda: bool(packs), 30, "the pack import")
    said["pack"] = type(packs[0]).__name__

    imported = []
    for name in ("m3u8", "xspf"):
        playlist, read = app.playlists.import_file(Path(setup[name]))
        imported.append((playlist.id, len(read.entries), len(read.missing)))
    said["playlists"] = imported

    track = next(t for t in app.library.tracks() if t.path == Path(setup["music"]) / "a.ogg")
    app.player.play_tracks([track.id])
    engine = app.engine
    assert engine is not None
    wait_until(lambda: engine.state() is PlaybackState.PLAYING, 30, "playing")
    wait_until(lambda: engine.position() > 800, 30, "playing on")
    app.window.scene_panel.show()
    qapp.processEvents()
    said["played_ms"] = engine.position()
    said["panel_rows"] = app.window.scene_panel.model.rowCount()

    app.scenes.add_note(
        Note(
            text="See http://127.0.0.1:{port}/note and https://example.invalid/x".format(**setup),
            position_ms=500,
            track_id=track.id,
            episode="S1E1",
        )
    )
    out = Path(setup["exports"])
    counts = [
        app.playlists.export(imported[0][0], out / f"list.{suffix}") for suffix in ("m3u8", "xspf")
    ]
    app.scenes.export_personal_pack(out / "notes.json")
    said["exported"] = counts
    said["files"] = sorted(p.name for p in out.iterdir())

    app.window.close()
    app.shutdown()
    print(json.dumps(said), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
