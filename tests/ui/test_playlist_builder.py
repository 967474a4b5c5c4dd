"""The New Mood Playlist dialog: moods in, a live preview out, then play, enqueue or save.

The real app on a fresh data dir with the demo OST and its scene pack, and the fake engine.
The demo's tag moods are one a track (tender, tense, hopeful, warm); the pack lifts its cues'
moods onto the tracks too, so "First Love’s Whisper" is also hopeful and tense (pack).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QInputDialog,
    QListView,
    QPushButton,
    QRadioButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from ostplayer.app import Application
from ostplayer.domain.mixer import MoodRule
from ostplayer.domain.playlist import Playlist
from ostplayer.domain.timefmt import format_ms
from ostplayer.services.player import Span
from ostplayer.ui.plain import plain_tooltip
from ostplayer.ui.playlist_builder import CheckListModel, PlaylistBuilderDialog, PreviewModel

FIRST_LOVE = "First Love’s Whisper"
SHADOWS = "Shadows of Doubt"
PROMISE = "A Promise Kept"
HOMETOWN = "Hometown Serenade"


@pytest.fixture
def dialog(app: Application, qtbot: QtBot) -> Iterator[PlaylistBuilderDialog]:
    dialog = PlaylistBuilderDialog(app.moods, app.playlists, app.scenes, app.window)
    dialog.show()
    qtbot.waitExposed(dialog)
    yield dialog
    dialog.close()


def tick(qtbot: QtBot, view: QListView, key: str) -> None:
    """Tick (or untick) a row the way a keyboard user does: select it, press Space."""
    model = view.model()
    assert isinstance(model, CheckListModel)
    row = model.row_of(key)
    assert row is not None, f"{key!r} is not in the list"
    was = model.is_checked(key)
    view.setCurrentIndex(model.index(row, 0))
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert model.is_checked(key) is not was


def press(qtbot: QtBot, button: QAbstractButton) -> None:
    """Press a button, tick a check box or choose a radio button with the Space key."""
    qtbot.keyClick(button, Qt.Key.Key_Space)


def titles(app: Application, dialog: PlaylistBuilderDialog) -> list[str]:
    mixer = app.moods.mixer()
    assert mixer is not None
    return [mixer.tracks[p.track_id].display_title for p in dialog.preview_picks()]


def track_id(app: Application, title: str) -> int:
    return next(t.id for t in app.library.tracks() if t.display_title == title)


def answer_name_prompt(
    monkeypatch: pytest.MonkeyPatch, *answers: str | None
) -> list[tuple[str, str]]:
    """Answer the Save prompt with ``answers`` in turn (``None``: the offered name); returns
    each ``(prompt, offered name)`` it was asked with."""
    asked: list[tuple[str, str]] = []
    pending = list(answers)

    def get_text(
        _parent: QWidget, _title: str, label: str, _echo: object, text: str, *_args: object
    ) -> tuple[str, bool]:
        asked.append((label, text))
        answer = pending.pop(0)
        return (text if answer is None else answer), True

    monkeypatch.setattr(QInputDialog, "getText", get_text)
    return asked


def test_ticking_a_mood_previews_its_tracks_with_reasons(
    app: Application, dialog: PlaylistBuilderDialog, qtbot: QtBot
) -> None:
    assert dialog.windowTitle() == "New Mood Playlist"
    # Nothing ticked: every track that has a mood, in album order.
    assert sorted(titles(app, dialog)) == sorted([FIRST_LOVE, SHADOWS, PROMISE, HOMETOWN])

    tick(qtbot, dialog.include_list, "tender")
    # The preview follows by itself, after the debounce.
    qtbot.waitUntil(lambda: dialog.preview_model.rowCount() == 1)
    assert titles(app, dialog) == [FIRST_LOVE]
    (pick,) = dialog.preview_picks()
    assert pick.reason == "tender (tag, pack)"
    model = dialog.preview_model
    assert model.index(0, PreviewModel.WHY).data() == "tender (tag, pack)"
    assert model.index(0, PreviewModel.TITLE).data() == FIRST_LOVE
    assert model.index(0, PreviewModel.LENGTH).data() == "0:54"
    assert model.index(0, PreviewModel.WHY).data(Qt.ItemDataRole.ToolTipRole) == plain_tooltip(
        "tender (tag, pack)"
    )
    assert dialog.summary_label.text() == "1 track · 0:54"
    assert dialog.preview_stack.currentWidget() is dialog.preview
    assert dialog.play_button.isEnabled()
    assert dialog.save_button.isEnabled()

    # The moods are listed with their counts, the vocabulary first, described in the tooltip.
    include = dialog.include_model
    assert include.choice_keys()[:3] == ["serene", "tender", "melancholic"]
    tender = include.index(include.row_of("tender") or 0, 0)
    assert tender.data() == "tender  (1)"
    assert "Gentle and affectionate" in tender.data(Qt.ItemDataRole.ToolTipRole)
    assert "romantic" in include.choice_keys()  # a pack's word is listed after the vocabulary


def test_nothing_matching_shows_the_empty_state(
    app: Application, dialog: PlaylistBuilderDialog, qtbot: QtBot
) -> None:
    press(qtbot, dialog.all_radio)
    for mood in ("tender", "warm"):
        tick(qtbot, dialog.include_list, mood)
    assert dialog.preview_picks() == []
    assert dialog.preview_stack.currentWidget() is dialog.empty_label
    assert dialog.empty_label.text() == "No tracks have these moods yet."
    assert not dialog.play_button.isEnabled()
    assert not dialog.enqueue_button.isEnabled()
    assert not dialog.save_button.isEnabled()
    # Any of them again: both tracks, sorted by album.
    press(qtbot, dialog.any_radio)
    assert set(titles(app, dialog)) == {FIRST_LOVE, HOMETOWN, PROMISE}


def test_excluding_a_mood_removes_its_tracks(
    app: Application, dialog: PlaylistBuilderDialog, qtbot: QtBot
) -> None:
    tick(qtbot, dialog.include_list, "hopeful")
    assert sorted(titles(app, dialog)) == sorted([FIRST_LOVE, PROMISE])
    tick(qtbot, dialog.exclude_list, "tense")  # First Love's Whisper scores a tense scene
    assert titles(app, dialog) == [PROMISE]
    assert dialog.mood_rule() == MoodRule(include=("hopeful",), exclude=("tense",))

    # A mood is included or excluded, never both: ticking it on one side unticks the other.
    tick(qtbot, dialog.include_list, "tense")
    assert not dialog.exclude_model.is_checked("tense")
    tick(qtbot, dialog.exclude_list, "hopeful")
    assert not dialog.include_model.is_checked("hopeful")
    assert titles(app, dialog) == [SHADOWS]


def test_a_length_target_limits_the_preview(
    app: Application, dialog: PlaylistBuilderDialog
) -> None:
    assert dialog.minutes_spin.value() == 0
    assert dialog.minutes_spin.text() == "No limit"
    assert len(dialog.preview_picks()) == 4

    dialog.minutes_spin.setValue(1)
    picks = dialog.preview_picks()
    total = sum(p.duration_ms for p in picks)
    # Filled up to the minute, passing it by less than the last track.
    assert 0 < len(picks) < 4
    assert total >= 60_000
    assert total - picks[-1].duration_ms < 60_000
    assert dialog.summary_label.text() == f"{len(picks)} tracks · {format_ms(total)}"
    assert dialog.mood_rule().minutes == 1


def test_order_and_shuffle_again(app: Application, dialog: PlaylistBuilderDialog) -> None:
    assert not dialog.shuffle_button.isEnabled()  # album order has nothing to reshuffle
    before = set(titles(app, dialog))
    for order in ("shuffle", "arc"):
        dialog.order_combo.setCurrentIndex(dialog.order_combo.findData(order))
        assert dialog.shuffle_button.isEnabled()
        dialog.shuffle_button.click()
        assert set(titles(app, dialog)) == before  # another order, the same tracks
        assert dialog.mood_rule().order == order
    dialog.order_combo.setCurrentIndex(dialog.order_combo.findData("arc"))
    assert "peak" in {p.reason.split(" · ")[0] for p in dialog.preview_picks()}
    dialog.order_combo.setCurrentIndex(dialog.order_combo.findData("series"))
    assert not dialog.shuffle_button.isEnabled()
    assert dialog.preview_picks()[0].reason.startswith("first heard S1E1")


def test_a_word_of_your_own_is_added_from_the_box(
    app: Application, dialog: PlaylistBuilderDialog, qtbot: QtBot
) -> None:
    completions = dialog.own_mood_edit.completer().model()
    assert "nostalgic" in completions.stringList()  # a pack's mood is offered
    # Set, not typed: typing opens the completer's popup, which the offscreen platform
    # cannot grab the keyboard for.
    dialog.own_mood_edit.setText("Nostalgic")
    qtbot.keyClick(dialog.own_mood_edit, Qt.Key.Key_Return)
    assert dialog.include_model.is_checked("nostalgic")
    assert dialog.own_mood_edit.text() == ""
    assert set(titles(app, dialog)) == {FIRST_LOVE, HOMETOWN}

    # A new word joins both lists with no tracks yet, and picks nothing.
    dialog.own_mood_edit.setText("  rainy   day ")
    press(qtbot, dialog.add_mood_button)
    include = dialog.include_model
    row = include.row_of("rainy day")
    assert row is not None
    assert include.index(row, 0).data() == "rainy day  (0)"
    assert include.is_checked("rainy day")
    assert dialog.exclude_model.row_of("rainy day") is not None
    assert dialog.included() == ["nostalgic", "rainy day"]
    assert set(titles(app, dialog)) == {FIRST_LOVE, HOMETOWN}  # any of them


def test_moments_are_spans_in_series_order_filtered_by_character_and_episode(
    app: Application, dialog: PlaylistBuilderDialog, qtbot: QtBot
) -> None:
    assert not dialog.moments_box.isVisibleTo(dialog)
    press(qtbot, dialog.moments_check)
    assert dialog.moments_box.isVisibleTo(dialog)
    # Moments are always in series order, filtered by any mood: these controls do not apply.
    for widget in (
        dialog.exclude_list,
        dialog.all_radio,
        dialog.order_combo,
        dialog.shuffle_button,
        dialog.smart_check,
    ):
        assert not widget.isEnabled()

    tick(qtbot, dialog.include_list, "tender")
    picks = dialog.preview_picks()
    assert [p.reason.split(" — ")[0] for p in picks] == [
        "Ep 1, 38:05",
        "Ep 3, 41:20",
        "Ep 5, 22:40",
        "Ep 8, 57:30",
    ]
    assert all(p.start_ms is not None and p.end_ms is not None for p in picks)
    assert picks[0].start_ms == 0 and picks[0].end_ms == 12_500
    total = sum(p.duration_ms for p in picks)
    assert dialog.summary_label.text() == f"4 scenes · {format_ms(total)}"
    title = dialog.preview_model.index(0, PreviewModel.TITLE).data()
    assert title == f"{FIRST_LOVE} · 0:00–0:12"

    # The characters of the scenes, the leads first.
    characters = dialog.characters_model
    assert characters.choice_keys()[0] == "seo-yeon"
    assert {"jun-ho", "min-ji", "grandma bok-sun"} <= set(characters.choice_keys())
    tick(qtbot, dialog.characters_list, "min-ji")
    (pick,) = dialog.preview_picks()
    assert pick.reason == (
        "Ep 5, 22:40 — Lanterns drift down the river while Min-ji makes a wish for her cousin"
    )
    tick(qtbot, dialog.characters_list, "min-ji")

    # The episode range: from Ep 2 on leaves Ep 1 out; the range never runs backwards.
    first, last = dialog.first_episode_combo, dialog.last_episode_combo
    assert first.currentText() == "Ep 1 — The Last Bus Home"
    assert last.currentText() == "Ep 8 — Coming Home"
    first.setCurrentIndex(first.findData("S1E2"))
    assert [p.reason[:4] for p in dialog.preview_picks()] == ["Ep 3", "Ep 5", "Ep 8"]
    last.setCurrentIndex(last.findData("S1E5"))
    assert [p.reason[:4] for p in dialog.preview_picks()] == ["Ep 3", "Ep 5"]
    first.setCurrentIndex(first.findData("S1E7"))
    assert last.currentData() == "S1E7"
    assert dialog.preview_picks() == []
    assert dialog.empty_label.text() == "No scenes have these moods yet."

    # Off again: whole tracks, and the track controls come back.
    press(qtbot, dialog.moments_check)
    assert dialog.exclude_list.isEnabled() and dialog.order_combo.isEnabled()
    assert titles(app, dialog) == [FIRST_LOVE]


def test_the_episode_list_stops_at_the_spoiler_guard(
    app: Application, dialog: PlaylistBuilderDialog, qtbot: QtBot
) -> None:
    with qtbot.waitSignal(app.moods.moods_changed, timeout=10_000):
        app.scenes.set_watched_up_to("S1E4")
    combo = dialog.last_episode_combo
    assert [combo.itemData(i) for i in range(combo.count())] == ["S1E1", "S1E2", "S1E3", "S1E4"]
    press(qtbot, dialog.moments_check)
    tick(qtbot, dialog.include_list, "tender")
    assert [p.reason[:4] for p in dialog.preview_picks()] == ["Ep 1", "Ep 3"]


def test_save_makes_a_static_playlist_then_a_smart_one(
    app: Application,
    dialog: PlaylistBuilderDialog,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked = answer_name_prompt(monkeypatch, None, None)
    tick(qtbot, dialog.include_list, "tender")
    tick(qtbot, dialog.include_list, "warm")
    with qtbot.waitSignal(dialog.saved) as saved:
        press(qtbot, dialog.save_button)
    assert asked[0][1] == "tender + warm"  # the name offered: the moods
    static = saved.args[0]
    assert isinstance(static, Playlist)
    stored = app.playlists.get(static.id)
    assert stored is not None and not stored.is_smart
    expected = [track_id(app, t) for t in titles(app, dialog)]
    assert [e.track_id for e in stored.entries] == expected
    assert dialog.status_label.text() == "Saved “tender + warm”."

    press(qtbot, dialog.smart_check)
    smart = dialog.save()
    assert smart is not None
    assert asked[1][1] == "tender + warm (2)"  # made unique
    stored = app.playlists.get(smart.id)
    assert stored is not None and stored.is_smart
    assert stored.rule == MoodRule(include=("tender", "warm"))
    assert {p.name: p.kind for p in app.playlists.playlists()} == {
        "tender + warm": "static",
        "tender + warm (2)": "smart",
    }
    # A smart playlist plays what the rule finds now: the preview's tracks.
    assert {p.track_id for p in app.playlists.picks(smart.id)} == set(expected)


def test_a_smart_playlist_may_be_saved_before_any_track_has_its_moods(
    app: Application,
    dialog: PlaylistBuilderDialog,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answer_name_prompt(monkeypatch, None)
    tick(qtbot, dialog.include_list, "serene")
    assert dialog.preview_picks() == []
    assert not dialog.save_button.isEnabled()  # an empty static playlist is no use
    dialog.smart_check.setChecked(True)
    assert dialog.save_button.isEnabled()  # it fills as tracks become serene
    playlist = dialog.save()
    assert playlist is not None and playlist.is_smart and playlist.name == "serene"


def test_a_taken_name_is_asked_again_and_cancel_saves_nothing(
    app: Application,
    dialog: PlaylistBuilderDialog,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tick(qtbot, dialog.include_list, "tender")
    app.playlists.create("Rainy Days")
    asked = answer_name_prompt(monkeypatch, "rainy days", "Tender moments")
    playlist = dialog.save()
    assert playlist is not None and playlist.name == "Tender moments"
    assert "already a playlist called “rainy days”" in asked[1][0]
    assert asked[1][1] == "rainy days (2)"

    monkeypatch.setattr(QInputDialog, "getText", lambda *_args: ("ignored", False))
    before = len(app.playlists.playlists())
    assert dialog.save() is None
    assert len(app.playlists.playlists()) == before


def test_a_moment_playlist_is_saved_with_its_spans(
    app: Application,
    dialog: PlaylistBuilderDialog,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked = answer_name_prompt(monkeypatch, None)
    dialog.smart_check.setChecked(True)  # ignored for moments: they are saved as they are
    press(qtbot, dialog.moments_check)
    tick(qtbot, dialog.include_list, "romantic")
    playlist = dialog.save()
    assert asked[0][1] == "romantic scenes"
    assert playlist is not None
    stored = app.playlists.get(playlist.id)
    assert stored is not None and not stored.is_smart
    (entry,) = stored.entries
    assert (entry.track_id, entry.start_ms, entry.end_ms) == (
        track_id(app, FIRST_LOVE),
        12_500,
        25_000,
    )


def test_play_now_and_enqueue(
    app: Application, dialog: PlaylistBuilderDialog, qtbot: QtBot
) -> None:
    tick(qtbot, dialog.include_list, "hopeful")
    expected = [track_id(app, t) for t in titles(app, dialog)]
    press(qtbot, dialog.play_button)
    assert app.player.queue.items == expected
    assert app.player.spans() == []
    assert dialog.status_label.text() == "Playing 2 tracks."

    press(qtbot, dialog.enqueue_button)
    assert app.player.queue.items == expected * 2
    assert dialog.status_label.text() == "Added 2 tracks to the queue."

    # Scenes play their spans.
    press(qtbot, dialog.moments_check)
    tick(qtbot, dialog.include_list, "hopeful")  # untick: only tender
    tick(qtbot, dialog.include_list, "tender")
    picks = dialog.preview_picks()
    press(qtbot, dialog.play_button)
    assert app.player.spans() == [Span(p.track_id, p.start_ms or 0, p.end_ms) for p in picks]
    assert dialog.status_label.text() == "Playing 4 scenes."

    # Enter on a row plays from that row.
    dialog.preview.setCurrentIndex(dialog.preview_model.index(2, 0))
    qtbot.keyClick(dialog.preview, Qt.Key.Key_Return)
    assert app.player.spans()[0] == Span(picks[2].track_id, picks[2].start_ms or 0, picks[2].end_ms)


def test_the_preview_follows_when_the_moods_change(
    app: Application, dialog: PlaylistBuilderDialog, qtbot: QtBot
) -> None:
    tick(qtbot, dialog.include_list, "tender")
    assert titles(app, dialog) == [FIRST_LOVE]
    with qtbot.waitSignal(app.moods.moods_changed, timeout=10_000):
        app.moods.add([track_id(app, HOMETOWN)], "Tender")
    qtbot.waitUntil(lambda: len(dialog.preview_model.picks()) == 2)
    assert set(titles(app, dialog)) == {FIRST_LOVE, HOMETOWN}
    assert dialog.include_model.is_checked("tender")  # the tick survived the re-read
    tender = dialog.include_model.row_of("tender") or 0
    assert dialog.include_model.index(tender, 0).data() == "tender  (2)"
    hometown = next(p for p in dialog.preview_picks() if p.track_id == track_id(app, HOMETOWN))
    assert hometown.reason == "tender (yours)"


def test_every_control_is_named_explained_and_reachable_by_keyboard(
    dialog: PlaylistBuilderDialog, qtbot: QtBot
) -> None:
    press(qtbot, dialog.moments_check)  # show every control
    dialog.order_combo.setCurrentIndex(dialog.order_combo.findData("shuffle"))
    controls: list[QWidget] = [
        dialog.include_list,
        dialog.own_mood_edit,
        dialog.add_mood_button,
        dialog.any_radio,
        dialog.all_radio,
        dialog.exclude_list,
        dialog.minutes_spin,
        dialog.order_combo,
        dialog.shuffle_button,
        dialog.moments_check,
        dialog.characters_list,
        dialog.first_episode_combo,
        dialog.last_episode_combo,
        dialog.preview,
        dialog.smart_check,
        dialog.play_button,
        dialog.enqueue_button,
        dialog.save_button,
        dialog.close_button,
    ]
    for control in controls:
        assert control.accessibleName(), control
        assert control.toolTip(), control
    # And no button was forgotten in the list (the line edit's own clear button aside).
    for kind in (QPushButton, QCheckBox, QRadioButton):
        for button in dialog.findChildren(kind):
            assert button.accessibleName() and button.toolTip(), button.text()

    # Tab from the first control reaches every other one (the disabled ones are skipped
    # by Qt at run time, but they stay in the chain).
    seen: list[QWidget] = []
    widget = dialog.include_list.nextInFocusChain()
    while widget is not dialog.include_list and len(seen) < 500:
        seen.append(widget)
        widget = widget.nextInFocusChain()
    order = [seen.index(c) for c in controls[1:]]
    assert order == sorted(order)
