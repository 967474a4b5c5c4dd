"""The track table's model on its own: adding tracks while a scan runs keeps what the view shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ostplayer.domain.text import search_text
from ostplayer.domain.track import Track
from ostplayer.ui import track_model
from ostplayer.ui.track_model import Column, TrackTableModel


def track(track_id: int, title: str, album: str = "OST") -> Track:
    return Track(path=Path(f"/m/{track_id}.ogg"), title=title, album=album, id=track_id)


def rows(model: TrackTableModel) -> list[str]:
    return [model.index(r, Column.TITLE).data() for r in range(model.rowCount())]


def test_added_tracks_are_inserted_not_reset(qapp: object, qtbot: QtBot) -> None:
    model = TrackTableModel()
    first = [track(1, "First Love's Whisper"), track(2, "Shadows of Doubt")]
    model.set_tracks(first)
    resets: list[None] = []
    inserted: list[tuple[int, int]] = []
    model.modelReset.connect(lambda: resets.append(None))
    model.rowsInserted.connect(lambda _parent, a, b: inserted.append((a, b)))

    more = [track(3, "A Promise Kept"), track(2, "Shadows of Doubt (retagged)")]
    model.add_tracks(more, [search_text(t) for t in more])

    assert rows(model) == ["First Love's Whisper", "Shadows of Doubt (retagged)", "A Promise Kept"]
    assert inserted == [(2, 2)]  # one new row, at the end; the known track changed in place
    assert resets == []  # a reset would lose the listener's selection and scroll position


def test_added_tracks_respect_the_filter(qapp: object) -> None:
    model = TrackTableModel()
    model.set_tracks([track(1, "Hometown Serenade")])
    model.set_filter_text("promise")
    assert rows(model) == []
    more = [track(2, "A Promise Kept"), track(3, "Shadows of Doubt")]
    model.add_tracks(more, [search_text(t) for t in more])
    assert rows(model) == ["A Promise Kept"]
    model.set_filter_text("")
    assert rows(model) == ["Hometown Serenade", "A Promise Kept", "Shadows of Doubt"]


def test_tooltips_from_file_names_and_tags_never_turn_into_markup(qapp: object) -> None:
    from PySide6.QtCore import Qt

    from ostplayer.ui.now_playing import NowPlaying
    from ostplayer.ui.problems import ProblemsModel

    model = TrackTableModel()
    model.set_tracks([Track(path=Path("/m/<b>bold</b>.ogg"), title="x", id=1)])
    tip = model.index(0, Column.TITLE).data(Qt.ItemDataRole.ToolTipRole)
    assert "&lt;b&gt;bold&lt;/b&gt;" in tip and "<b>" not in tip

    problems = ProblemsModel([(Path("/m/<i>odd</i>.mp3"), "corrupt", "damaged <u>header</u>")])
    assert problems.index(0, 0).data() == "/m/<i>odd</i>.mp3"  # shown as it is
    assert "&lt;i&gt;" in problems.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "&lt;u&gt;" in problems.index(0, 2).data(Qt.ItemDataRole.ToolTipRole)

    playing = NowPlaying()
    playing.show_track(Track(path=Path("/m/a.ogg"), title="<b>First Love</b>", id=2))
    assert "&lt;b&gt;" in playing.title.toolTip() and "<b>" not in playing.title.toolTip()


def test_typing_on_shows_what_a_fresh_filter_shows(qapp: object) -> None:
    # Typing on filters only the rows still shown, by the words that changed: every step must
    # show what the same text typed into an empty filter shows.
    titles = [
        "Shadows of Doubt", "Shadow Dance", "Doubting Shadows", "A Promise Kept",
        "Café Shadows", "Hometown Serenade", "Dawn over the Rooftop", "初恋の影",
    ]  # fmt: skip
    tracks = [track(i, title) for i, title in enumerate(titles, start=1)]
    steps = ["s", "sh", "shadow", "shadow d", "shadow do", "shadow dou", "shadow d",
             "shadows", "shadows cafe", "do shadow", "", "初", "初恋", "初恋 影", "r", "ro",
             "roof"]  # fmt: skip
    typed = TrackTableModel()
    typed.set_tracks(tracks)
    for text in steps:
        typed.set_filter_text(text)
        fresh = TrackTableModel()
        fresh.set_tracks(tracks)
        fresh.set_filter_text(text)
        assert rows(typed) == rows(fresh), text
    typed.set_filter_text("shadow dou")
    assert rows(typed) == ["Shadows of Doubt", "Doubting Shadows"]


@pytest.fixture
def small_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    """Slice the filter as over 100,000 tracks, but on a few dozen: first 3 rows, 7 per slice."""
    monkeypatch.setattr(track_model, "FIRST_ROWS", 3)
    monkeypatch.setattr(track_model, "FIRST_TESTED", 10)
    monkeypatch.setattr(track_model, "SLICE_ROWS", 7)
    monkeypatch.setattr(track_model, "FINISH_AFTER_MS", 0)


def many_tracks() -> list[Track]:
    titles = ["Shadows of Doubt", "A Promise Kept", "Hometown Serenade", "First Love's Whisper"]
    return [track(i, f"{titles[i % 4]} {i}") for i in range(1, 61)]


def model_of(tracks: list[Track]) -> tuple[TrackTableModel, list[tuple[int, int]], list[None]]:
    """A model of ``tracks``, with the inserts it makes and the filters it finishes."""
    model = TrackTableModel()
    model.set_tracks(tracks)
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _parent, a, b: inserted.append((a, b)))
    finished: list[None] = []
    model.filter_finished.connect(lambda: finished.append(None))
    return model, inserted, finished


def fresh_rows(tracks: list[Track], text: str) -> list[str]:
    fresh = TrackTableModel()
    fresh.set_tracks(tracks)
    fresh.set_filter_text(text)
    fresh.visible_tracks()
    return rows(fresh)


@pytest.mark.usefixtures("small_slices")
def test_a_big_filter_shows_its_first_rows_at_once_and_adds_the_rest_once(
    qapp: object, qtbot: QtBot
) -> None:
    tracks = many_tracks()
    model, inserted, _ = model_of(tracks)
    expected = fresh_rows(tracks, "promise")
    assert len(expected) == 15

    with qtbot.waitSignal(model.filter_finished, timeout=5000):
        model.set_filter_text("promise")
        first = rows(model)  # what the keystroke paints: the first matches, already final
        assert 3 <= len(first) < 15 and first == expected[: len(first)]
    assert rows(model) == expected
    # The rest came in one insert below the first rows: QTableView repaints on every insert.
    assert inserted == [(len(first), 14)]


@pytest.mark.usefixtures("small_slices")
def test_typing_while_a_filter_is_unfinished_shows_what_a_fresh_filter_shows(
    qapp: object, qtbot: QtBot
) -> None:
    tracks = many_tracks()
    model, _, finished = model_of(tracks)
    for text in ["s", "sh", "shadows 1", "shadows", "", "e", "ke", "kept 4"]:
        model.set_filter_text(text)  # no event loop in between: each drops the last's rest
    expected = fresh_rows(tracks, "kept 4")
    assert rows(model) == expected[: len(rows(model))]  # a start of it (none: 41 is far down)
    qtbot.waitUntil(lambda: rows(model) == expected, timeout=5000)
    qtbot.wait(20)
    assert rows(model) == expected  # and nothing more came after
    assert len(finished) == 2  # the cleared box at once, then the last: the others dropped


@pytest.mark.usefixtures("small_slices")
def test_the_rest_waits_for_a_pause_in_typing(
    qapp: object, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Adding rows repaints the table: not while the listener may still be typing.
    monkeypatch.setattr(track_model, "FINISH_AFTER_MS", 600_000)  # a pause that never comes
    tracks = many_tracks()
    model, inserted, _ = model_of(tracks)
    model.set_filter_text("promise")
    qtbot.waitUntil(lambda: model._rest_at >= len(model._rest), timeout=5000)  # all tested
    qtbot.wait(10)
    assert inserted == [] and len(rows(model)) < 15
    model.set_filter_text("promise kept")  # the next key: the rest so far is dropped
    assert inserted == []
    assert [t.title for t in model.visible_tracks()] == fresh_rows(tracks, "promise kept")


@pytest.mark.usefixtures("small_slices")
def test_whatever_needs_every_row_finishes_the_filter_first(qapp: object) -> None:
    tracks = many_tracks()
    expected = fresh_rows(tracks, "whisper")
    model, _, finished = model_of(tracks)

    model.set_filter_text("whisper")
    assert len(rows(model)) < len(expected) and finished == []
    assert [t.title for t in model.visible_tracks()] == expected  # play the list: all of it
    assert finished == [None]

    model.set_filter_text("serenade")
    assert model.row_of(58) == len(fresh_rows(tracks, "serenade")) - 1  # the last one

    model.set_filter_text("doubt")
    more = [track(61, "Shadows of Doubt 61"), track(62, "A Promise Kept 62")]
    model.add_tracks(more, [search_text(t) for t in more])  # a scan adds tracks meanwhile
    assert rows(model) == [*fresh_rows(tracks, "doubt"), "Shadows of Doubt 61"]

    model.set_filter_text("kept")
    model.sort(Column.TITLE, Qt.SortOrder.DescendingOrder)  # a click on a column's header
    assert rows(model) == sorted(fresh_rows([*tracks, *more], "kept"), reverse=True)

    model.sort(-1)
    model.set_filter_text("love")
    model.set_only(frozenset(range(1, 31)))  # a mood picked in the sidebar
    assert rows(model) == [t for t in fresh_rows(tracks, "love") if int(t.split()[-1]) <= 30]


def test_a_filter_over_more_tracks_than_one_frame_can_test(qapp: object, qtbot: QtBot) -> None:
    # The real limits, on a library bigger than a keystroke tests before painting.
    tracks = many_tracks() * 500  # 30,000 rows, ids repeat: rows only
    tracks = [track(i, t.title) for i, t in enumerate(tracks, start=1)]
    assert len(tracks) > track_model.FIRST_TESTED
    model = TrackTableModel()
    model.set_tracks(tracks)
    with qtbot.waitSignal(model.filter_finished, timeout=5000):
        model.set_filter_text("whisper 3")  # both words: a quarter of the titles, then a 3
        assert model.rowCount() >= track_model.FIRST_ROWS
    expected = [t.title for t in tracks if "Whisper" in t.title and "3" in t.title]
    assert rows(model) == expected
