"""The track table's model on its own: adding tracks while a scan runs keeps what the view shows."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from ostplayer.domain.text import search_text
from ostplayer.domain.track import Track
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
