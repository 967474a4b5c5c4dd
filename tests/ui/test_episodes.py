"""The Episodes view and span playback, in the real app with the demo scene pack.

The database is real SQLite; the engine is the fake one with a hand-driven clock, so spans end
exactly when the test moves time past them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ostplayer.app import Application
from ostplayer.domain.scene import PERSONAL, Note, SceneCue
from ostplayer.domain.track import Track
from ostplayer.playback.engine import PlaybackState
from ostplayer.services.episodes import SheetRow, scene_spans, whole_tracks
from ostplayer.services.player import Span
from ostplayer.ui.episodes import Column, EpisodesView, PlayMode
from tests.conftest import MakeApp
from tests.fakes import FakeEngine

FIRST = "First Love’s Whisper"
PROMISE = "A Promise Kept"
SERENADE = "Hometown Serenade"
SHADOWS = "Shadows of Doubt"


class HandClock:
    """A monotonic clock the test moves by hand (seconds)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def hand_app(make_app: MakeApp) -> tuple[Application, HandClock]:
    clock = HandClock()
    return make_app(lambda: FakeEngine(now=clock)), clock


def track_id(app: Application, title: str) -> int:
    return next(t.id for t in app.library.tracks() if t.title == title)


def title_of(app: Application, tid: int | None) -> str:
    track = app.library.get(tid) if tid is not None else None
    return track.title if track is not None else ""


def episodes(app: Application) -> EpisodesView:
    view = app.window.show_episodes()
    assert app.window.tabs.currentWidget() is view
    return view


def column(view: EpisodesView, col: Column) -> list[str]:
    model = view.sheet_model
    return [model.index(r, col).data() for r in range(model.rowCount())]


def play_episode(view: EpisodesView, key: str, mode: PlayMode, qtbot: QtBot) -> None:
    assert view.select_episode(key)
    view.mode_combo.setCurrentIndex(view.mode_combo.findData(mode))
    qtbot.mouseClick(view.play_button, Qt.MouseButton.LeftButton)


def test_the_episode_list_is_in_airing_order(make_app: MakeApp) -> None:
    view = episodes(make_app())
    model = view.episode_model
    shown = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert shown[:3] == [
        "Ep 1 — The Last Bus Home",
        "Ep 2 — Flour on Her Sleeves",
        "Ep 3 — The Rooftop Confession",
    ]
    assert [model.episode(r).number for r in range(model.rowCount())] == list(range(1, 9))


def test_an_episode_shows_its_cue_sheet_in_episode_time_order(make_app: MakeApp) -> None:
    view = episodes(make_app())
    assert view.select_episode("S1E1")
    assert column(view, Column.TIME) == ["0:00", "5:30", "38:05"]
    assert column(view, Column.TRACK) == [PROMISE, SERENADE, FIRST]
    assert column(view, Column.SCENE)[2].startswith("Seo-yeon sees Jun-ho again")
    assert view.heading.text() == "Ep 1 — The Last Bus Home"
    assert view.play_button.isEnabled()
    view.select_episode("S1E7")  # another episode replaces the sheet
    assert column(view, Column.TRACK) == [SHADOWS, FIRST]


def test_the_spoiler_guard_hides_scenes_of_unwatched_episodes(make_app: MakeApp) -> None:
    app = make_app()
    view = episodes(app)
    app.scenes.set_watched_up_to("S1E2")
    view.select_episode("S1E3")
    scenes = column(view, Column.SCENE)
    assert scenes[0] == "Spoiler: Ep 3 — not watched yet"
    assert scenes[1] == "Spoiler: Ep 8 — not watched yet"  # this cue gives away Ep 8
    app.scenes.set_watched_up_to(None)
    assert column(view, Column.SCENE)[0] == "The rooftop confession"
    assert column(view, Column.TRACK) == [FIRST, PROMISE]  # the music itself is no spoiler


def test_whole_tracks_queues_the_episodes_tracks_in_scene_order(
    make_app: MakeApp, qtbot: QtBot
) -> None:
    app = make_app()
    view = episodes(app)
    play_episode(view, "S1E1", PlayMode.WHOLE_TRACKS, qtbot)
    expected = [track_id(app, t) for t in (PROMISE, SERENADE, FIRST)]
    assert app.player.queue.items == expected
    qtbot.waitUntil(lambda: app.engine.state() == PlaybackState.PLAYING, timeout=2000)
    assert app.player.queue.current() == expected[0]
    assert app.player.span_index() is None  # whole tracks: no spans


def test_whole_tracks_plays_a_track_once_for_consecutive_scenes() -> None:
    def row(tid: int) -> SheetRow:
        return SheetRow(SceneCue(0, "S1E1", "x", track_id=tid), _track(tid))

    assert whole_tracks([row(1), row(1), row(2), row(1), row(2), row(2)]) == [1, 2, 1, 2]
    gone = SheetRow(SceneCue(0, "S1E1", "x", track_id=9), None)
    assert whole_tracks([gone, row(3)]) == [3]


def test_only_the_scenes_plays_each_span_then_moves_on(make_app: MakeApp, qtbot: QtBot) -> None:
    app, clock = hand_app(make_app)
    view = episodes(app)
    # Ep 3: First Love's Whisper 12.5-25 s, then A Promise Kept 15-28 s.
    play_episode(view, "S1E3", PlayMode.SCENES, qtbot)
    player, engine = app.player, app.engine
    qtbot.waitUntil(lambda: engine.state() == PlaybackState.PLAYING, timeout=2000)
    assert title_of(app, player.queue.current()) == FIRST
    assert engine.position() == 12_500
    assert player.span_index() == 0
    clock.now += 12.0  # 24.5 s: still inside the first span
    qtbot.wait(120)
    assert player.span_index() == 0 and title_of(app, player.queue.current()) == FIRST
    clock.now += 0.6  # 25.1 s: past the first span's end
    qtbot.waitUntil(lambda: player.span_index() == 1, timeout=2000)
    assert title_of(app, player.queue.current()) == PROMISE
    assert engine.state() == PlaybackState.PLAYING
    assert 15_000 <= engine.position() < 15_200
    clock.now += 13.1  # past 28 s: the last span is over, so playback stops
    qtbot.waitUntil(lambda: engine.state() == PlaybackState.STOPPED, timeout=2000)
    assert player.span_index() is None


def test_a_span_without_an_end_runs_to_the_tracks_end(make_app: MakeApp, qtbot: QtBot) -> None:
    app, clock = hand_app(make_app)
    first, serenade = track_id(app, FIRST), track_id(app, SERENADE)
    app.player.play_spans([Span(first, 50_000, None), Span(serenade, 2_000, 12_000)])
    engine = app.engine
    qtbot.waitUntil(lambda: engine.state() == PlaybackState.PLAYING, timeout=2000)
    assert engine.position() == 50_000
    clock.now += 4.5  # First Love's Whisper is 54 s long: it ends
    qtbot.waitUntil(lambda: app.player.span_index() == 1, timeout=2000)
    assert app.player.queue.current() == serenade
    qtbot.waitUntil(lambda: engine.state() == PlaybackState.PLAYING, timeout=2000)
    assert 2_000 <= engine.position() < 2_200


def test_next_by_the_listener_leaves_span_mode(make_app: MakeApp, qtbot: QtBot) -> None:
    app, clock = hand_app(make_app)
    view = episodes(app)
    play_episode(view, "S1E3", PlayMode.SCENES, qtbot)
    player, engine = app.player, app.engine
    qtbot.waitUntil(lambda: engine.state() == PlaybackState.PLAYING, timeout=2000)
    app.window.next_action.trigger()
    assert player.span_index() is None
    qtbot.waitUntil(lambda: engine.state() == PlaybackState.PLAYING, timeout=2000)
    assert title_of(app, player.queue.current()) == PROMISE
    assert engine.position() < 200  # a plain Next: from the start, not from the span's start
    clock.now += 30  # past the old span's end (28 s): the track plays on
    qtbot.wait(150)
    assert engine.state() == PlaybackState.PLAYING
    assert title_of(app, player.queue.current()) == PROMISE


def test_double_click_plays_the_track_from_the_cues_start(make_app: MakeApp, qtbot: QtBot) -> None:
    app, _clock = hand_app(make_app)
    view = episodes(app)
    view.select_episode("S1E4")  # Hometown Serenade from 24 s, then Shadows of Doubt from 11 s
    qtbot.waitUntil(lambda: view.sheet.isVisible(), timeout=2000)
    rect = view.sheet.visualRect(view.sheet_model.index(1, Column.TRACK))
    # A view needs the press and release before the double click, as a real mouse sends.
    qtbot.mouseClick(view.sheet.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.sheet.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: app.engine.state() == PlaybackState.PLAYING, timeout=2000)
    assert title_of(app, app.player.queue.current()) == SHADOWS
    assert app.engine.position() == 11_000


def test_ctrl_e_switches_to_the_episodes_tab(make_app: MakeApp, qtbot: QtBot) -> None:
    app = make_app()
    window = app.window
    assert window.tabs.currentWidget() is window.track_stack
    assert window.episodes_action.shortcut().toString() == "Ctrl+E"
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.episodes_view
    assert window.episodes_view.episode_model.rowCount() == 8


@dataclass
class _Repo:
    """Just the store reads :func:`scene_spans` makes."""

    by_track: dict[int, list[SceneCue]] = field(default_factory=dict)

    def cues(self, track_id: int) -> list[SceneCue]:
        return self.by_track.get(track_id, [])


def _track(tid: int) -> Track:
    from pathlib import Path

    return Track(id=tid, path=Path(f"/music/{tid}.ogg"), title=f"T{tid}")


def test_a_span_without_an_end_stops_at_the_next_cue_on_its_track() -> None:
    open_cue = SceneCue(10_000, "S1E2", "open", track_id=1)
    later = SceneCue(30_000, "S1E5", "later", end_ms=40_000, track_id=1)
    last = SceneCue(5_000, "S1E2", "last", track_id=2)
    repo = _Repo({1: [open_cue, later], 2: [last]})
    rows = [SheetRow(c, _track(c.track_id)) for c in (open_cue, last)]
    assert scene_spans(repo, rows) == [Span(1, 10_000, 30_000), Span(2, 5_000, None)]  # type: ignore[arg-type]


# --- the listener's own notes on the cue sheet -------------------------------------------------


def _add_notes(app: Application) -> tuple[int, int]:
    """Notes on Ep 3 around the demo's two cues (41:20 and 52:10), and some that must not show."""
    repo = app.scenes.repository
    early = repo.add_note(
        Note(
            "the bus stop <i>flashback</i>",
            position_ms=30_000,
            end_ms=36_000,
            episode="S1E3",
            episode_start_ms=600_000,  # 10:00, before both pack cues
            track_id=track_id(app, SERENADE),
        )
    )
    middle = repo.add_note(
        Note(
            "Dae-su on the stairs",
            position_ms=11_000,  # no end: runs to the next cue on Shadows of Doubt
            episode="S1E3",
            episode_start_ms=2_700_000,  # 45:00, between the pack cues
            track_id=track_id(app, SHADOWS),
        )
    )
    repo.add_note(Note("no time given", 1_000, episode="S1E3", track_id=track_id(app, FIRST)))
    repo.add_note(Note("another episode", 2_000, episode="S1E5", track_id=track_id(app, FIRST)))
    repo.add_note(Note("a plain note", 3_000, track_id=track_id(app, FIRST)))
    repo.add_note(Note("on no track", 4_000, episode="S1E3", episode_start_ms=1_000))
    return early.id, middle.id


def test_the_listeners_notes_join_the_cue_sheet_in_episode_time_order(
    make_app: MakeApp,
) -> None:
    app = make_app()
    view = episodes(app)
    early, middle = _add_notes(app)
    view.refresh()
    assert view.select_episode("S1E3")
    assert column(view, Column.TIME) == ["10:00", "41:20", "45:00", "52:10", "–"]
    assert column(view, Column.TRACK) == [SERENADE, FIRST, SHADOWS, PROMISE, FIRST]
    scenes = column(view, Column.SCENE)
    assert scenes[0] == "Your note: the bus stop <i>flashback</i>"  # plain text, marked as own
    assert scenes[1] == "The rooftop confession"  # a pack cue, unmarked
    assert scenes[2] == "Your note: Dae-su on the stairs"
    assert scenes[4] == "Your note: no time given"  # no episode time: last
    rows = view.sheet_model.rows()
    assert [row.is_personal for row in rows] == [True, False, True, False, True]
    assert (rows[0].cue.id, rows[2].cue.id) == (early, middle)  # the note's id, for editing


def test_only_the_scenes_plays_a_notes_span_too(make_app: MakeApp, qtbot: QtBot) -> None:
    app, clock = hand_app(make_app)
    view = episodes(app)
    _add_notes(app)
    view.refresh()
    assert view.select_episode("S1E3")
    shadows = track_id(app, SHADOWS)
    next_on_shadows = min(
        c.start_ms for c in app.scenes.repository.cues(shadows) if c.start_ms > 11_000
    )
    spans = scene_spans(app.scenes.repository, view.sheet_model.rows())
    assert spans[0] == Span(track_id(app, SERENADE), 30_000, 36_000)
    assert spans[2] == Span(shadows, 11_000, next_on_shadows)
    assert whole_tracks(view.sheet_model.rows())[0] == track_id(app, SERENADE)

    play_episode(view, "S1E3", PlayMode.SCENES, qtbot)
    player, engine = app.player, app.engine
    qtbot.waitUntil(lambda: engine.state() == PlaybackState.PLAYING, timeout=2000)
    assert title_of(app, player.queue.current()) == SERENADE  # the note's scene comes first
    assert engine.position() == 30_000
    clock.now += 6.1  # past the note's end (36 s): on to the rooftop confession
    qtbot.waitUntil(lambda: player.span_index() == 1, timeout=2000)
    assert title_of(app, player.queue.current()) == FIRST
    qtbot.waitUntil(lambda: engine.state() == PlaybackState.PLAYING, timeout=2000)
    assert 12_500 <= engine.position() < 12_700


def test_a_note_without_an_end_stops_at_the_next_line_of_the_sheet_on_its_track() -> None:
    note = SceneCue(10_000, "S1E3", "mine", track_id=1, source=PERSONAL)
    after = SceneCue(20_000, "S1E3", "also mine", end_ms=25_000, track_id=1, source=PERSONAL)
    rows = [SheetRow(c, _track(1)) for c in (note, after)]
    # No pack cue on the track: the next note on it is where the first one's scene ends.
    assert scene_spans(_Repo(), rows) == [Span(1, 10_000, 20_000), Span(1, 20_000, 25_000)]  # type: ignore[arg-type]
