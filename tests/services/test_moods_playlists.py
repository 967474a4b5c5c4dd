"""The mood and playlist services in the running app: edits with undo, smart playlists that
follow the moods, play and enqueue, files in and out, and write-back on copies of the files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from ostplayer.app import Application
from ostplayer.domain.mixer import MoodRule
from ostplayer.domain.mood import VOCABULARY, mood_key
from ostplayer.domain.playlist import PlaylistEntry
from ostplayer.library.tagreader import read_tags
from tests.conftest import DATA, MakeApp


@pytest.fixture
def app(make_app: MakeApp, qtbot: QtBot) -> Application:
    app = make_app()
    qtbot.waitUntil(lambda: app.moods.mixer() is not None, timeout=10_000)
    return app


def ids_by_title(app: Application) -> dict[str, int]:
    return {t.title: t.id for t in app.library.tracks()}


def moods_of(app: Application, track_id: int) -> set[str]:
    track = app.library.get(track_id)
    assert track is not None
    return {mood_key(m) for m in track.moods}


def test_a_mood_edit_shows_at_once_and_undoes(app: Application, qtbot: QtBot) -> None:
    ids = list(ids_by_title(app).values())
    with qtbot.waitSignal(app.moods.moods_changed, timeout=5000):
        app.moods.add(ids, "Serene")
    assert all("serene" in moods_of(app, i) for i in ids)
    assert app.moods.tracks_with("SERENE ") == frozenset(ids)
    # The table row shows it too (the model updates in place).
    row = app.window.model.row_of(ids[0])
    assert row is not None and "serene" in app.window.model.track(row).moods
    with qtbot.waitSignal(app.moods.moods_changed, timeout=5000):
        app.scenes.undo_stack.undo()
    assert not any("serene" in moods_of(app, i) for i in ids)
    assert app.moods.tracks_with("serene") == frozenset()


def test_known_moods_offer_the_vocabulary_first(app: Application) -> None:
    known = app.moods.known_moods()
    assert known[: len(VOCABULARY)] == [info.name for info in VOCABULARY]
    assert "romantic" in known  # from the demo scene pack's cues


def test_smart_playlist_follows_mood_edits(app: Application, qtbot: QtBot) -> None:
    ids = ids_by_title(app)
    smart = app.playlists.create("Calm", rule=MoodRule(("serene",)))
    assert app.playlists.picks(smart.id) == []
    with qtbot.waitSignal(app.playlists.entries_changed, timeout=5000) as changed:
        app.moods.add([ids["Hometown Serenade"]], "serene")
    assert changed.args == [smart.id]
    assert [p.track_id for p in app.playlists.picks(smart.id)] == [ids["Hometown Serenade"]]


def test_delete_and_undo_brings_the_playlist_back_whole(app: Application) -> None:
    ids = list(ids_by_title(app).values())
    made = app.playlists.create("Mine", [PlaylistEntry(i) for i in ids])
    app.playlists.delete(made.id)
    assert app.playlists.get(made.id) is None
    app.scenes.undo_stack.undo()
    back = app.playlists.get(made.id)
    assert back is not None and back.name == "Mine" and len(back.entries) == len(ids)


def test_play_and_enqueue(app: Application) -> None:
    ids = list(ids_by_title(app).values())
    made = app.playlists.create("Two", [PlaylistEntry(ids[0]), PlaylistEntry(ids[1])])
    assert app.playlists.play(made.id)
    assert app.player.queue.items == ids[:2]
    app.playlists.enqueue(made.id)
    assert app.player.queue.items == ids[:2] * 2
    moments = app.playlists.create("Moments", [PlaylistEntry(ids[2], 1000, 4000)])
    assert app.playlists.play(moments.id)
    assert [(s.track_id, s.start_ms, s.end_ms) for s in app.player.spans()] == [
        (ids[2], 1000, 4000)
    ]


def test_export_then_import_round_trips(app: Application, tmp_path: Path) -> None:
    ids = list(ids_by_title(app).values())
    made = app.playlists.create("Round", [PlaylistEntry(i) for i in ids])
    for suffix in (".m3u8", ".xspf"):
        path = tmp_path / f"round{suffix}"
        assert app.playlists.export(made.id, path) == len(ids)
        back, imported = app.playlists.import_file(path)
        assert back.name.startswith("Round (") and imported.missing == ()
        assert [e.track_id for e in back.entries] == ids


def test_write_back_on_copies_changes_only_the_mood(
    make_app: MakeApp, qtbot: QtBot, tmp_path: Path
) -> None:
    folder = tmp_path / "music"
    folder.mkdir()
    for name in ("tone.ogg", "tone.mp3", "tone.flac"):
        shutil.copy2(DATA / name, folder / name)
    app = make_app()
    with qtbot.waitSignal(app.library.scan_finished, timeout=20_000):
        app.library.scan([folder])
    copies = [t for t in app.library.tracks() if t.path.parent == folder]
    assert len(copies) == 3
    ids = [t.id for t in copies]
    app.moods.add(ids, "tender")
    plans: list[object] = []
    app.moods.plan_write(ids, plans.append)
    qtbot.waitUntil(lambda: bool(plans), timeout=10_000)
    plan = plans[0]
    assert len(plan.changes) == 3  # type: ignore[attr-defined]
    reports: list[object] = []
    app.moods.write_finished.connect(reports.append)
    # The files changed: a rescan reads their tags again.
    with qtbot.waitSignal(app.library.scan_finished, timeout=20_000):
        assert app.moods.write(plan)  # type: ignore[arg-type]
    [report] = reports
    assert len(report.written) == 3 and not report.failed
    for track in copies:
        tags = read_tags(track.path)
        assert tags.mood == ("calm", "tender")
        assert tags.title == (track.title,)
        # Read back from the file, the mood is now the tag's: one source, one spelling.
        rows = app.moods.repository.rows([track.id])
        assert ("tender", "tag") in {(mood, origin) for _t, mood, origin in rows}
    # The demo OST ships with the app: it is never written.
    demo = [t.id for t in app.library.tracks() if app.library.is_demo_file(t.path)]
    app.moods.plan_write(demo, plans.append)
    qtbot.waitUntil(lambda: len(plans) == 2, timeout=10_000)
    assert plans[1].changes == ()  # type: ignore[attr-defined]
