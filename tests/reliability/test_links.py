"""Links in notes open only for http and https, and only after the listener confirms.

``QDesktopServices.openUrl`` is replaced by a recorder in every test (on a file: URL it could
start a program); the confirmation is the real ``QMessageBox``, answered by a stand-in for its
``exec`` or, once, by clicking the real dialog's button.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QTimer, QUrl
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox
from pytestqt.qtbot import QtBot

from ostplayer.app import Application
from ostplayer.domain.scene import Note
from ostplayer.playback.engine import PlaybackState
from ostplayer.ui import links
from ostplayer.ui.links import SCHEMES, checked_url, find_links, open_link
from ostplayer.ui.note_editor import NoteEditor
from tests.conftest import MakeApp

NOT_WEB = [
    "file:///etc/passwd",
    "file://localhost/usr/bin/xterm",
    "javascript:alert(1)",
    "javascript:http://example.org/",
    "data:text/html,<script>alert(1)</script>",
    "smb://server/share/run.exe",
    "ftp://example.org/x",
    "mailto:someone@example.org",
    "//example.org/relative",
    "/home/me/notes.txt",
    "../../etc/passwd",
    "www.example.org",
    "vlc://quit",
    "x-scheme-handler:http://example.org",
]
SPOOFS = [
    "https://bank.example@evil.example/",  # a user name that reads like the host
    "https://user:secret@example.org/",
    "http://exa\u202emple.org/",  # a bidi override inside the address
    "https://exаmple.org/",  # a Cyrillic "а" (look-alike)
    "https://",
    "http:///path",
]


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[QUrl]:
    """What was handed to the desktop to open (nothing is, for real)."""
    calls: list[QUrl] = []

    def record(url: QUrl) -> bool:
        calls.append(QUrl(url))
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(record))
    return calls


class Answers:
    """Stands in for ``QMessageBox.exec``: records each question and gives the next answer."""

    def __init__(self) -> None:
        self.asked: list[QMessageBox] = []
        self.texts: list[str] = []
        self.answer = QMessageBox.StandardButton.Cancel

    def __call__(self, box: QMessageBox) -> int:
        self.asked.append(box)
        self.texts.append(box.text())
        assert box.textFormat().name == "PlainText"
        return int(self.answer.value)


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Iterator[Answers]:
    stand_in = Answers()
    monkeypatch.setattr(QMessageBox, "exec", lambda box: stand_in(box))
    yield stand_in


# -- finding links -----------------------------------------------------------------------------
def test_only_web_addresses_are_found_in_a_note() -> None:
    text = (
        "Rooftop scene, see https://example.org/ep3?t=41m20s#scene. Also (http://[::1]:8080/x) "
        "and HTTPS://Fans.Example.org/a_b-c~d/%E2%99%AA, and again https://example.org/ep3?t=41m20s#scene"
    )
    assert find_links(text) == [
        "https://example.org/ep3?t=41m20s#scene",
        "http://[::1]:8080/x",
        "HTTPS://Fans.Example.org/a_b-c~d/%E2%99%AA",
    ]
    assert all(checked_url(link).scheme().lower() in SCHEMES for link in find_links(text))


@pytest.mark.parametrize("address", NOT_WEB + SPOOFS)
def test_anything_but_a_plain_web_address_is_never_offered(address: str) -> None:
    assert find_links(f"see {address} here") == []
    assert find_links(address) == []
    assert checked_url(address) is None


def test_a_link_that_is_not_http_is_refused_before_anything_is_asked(
    qapp: QApplication, opened: list[QUrl], answers: Answers
) -> None:
    answers.answer = QMessageBox.StandardButton.Open
    for address in NOT_WEB + SPOOFS:
        assert not open_link(None, address)
    assert answers.asked == []  # never even asked
    assert opened == []


def test_a_web_address_opens_only_after_open_is_chosen(
    qapp: QApplication, opened: list[QUrl], answers: Answers
) -> None:
    link = "https://example.org/ep3?t=41m20s&lang=en"
    assert not open_link(None, link)  # Cancel
    assert opened == []
    assert link in answers.texts[0]  # the full address, as written
    answers.answer = QMessageBox.StandardButton.Open
    assert open_link(None, link)
    assert [url.toString() for url in opened] == [link]
    assert opened[0].scheme() == "https"


def test_the_real_confirmation_names_the_address_and_defaults_to_cancel(
    qapp: QApplication, qtbot: QtBot, opened: list[QUrl]
) -> None:
    link = "http://example.org/<b>not-bold</b>"  # not a link: "<" ends an address
    assert find_links(link) == ["http://example.org/"]
    link = "http://example.org/a&b"
    seen: list[QMessageBox] = []

    def answer(button: QMessageBox.StandardButton) -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box)
        assert link in box.text()
        assert box.textFormat().name == "PlainText"
        assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
        box.button(button).click()

    QTimer.singleShot(0, lambda: answer(QMessageBox.StandardButton.Cancel))
    assert not open_link(None, link)
    QTimer.singleShot(0, lambda: answer(QMessageBox.StandardButton.Open))
    assert open_link(None, link)
    assert len(seen) == 2
    assert [url.toString() for url in opened] == [link]


# -- in the note views ---------------------------------------------------------------------------
def actions_of(menu: QMenu) -> list[QAction]:
    found = []
    for action in menu.actions():
        found.append(action)
        if action.menu() is not None:
            found.extend(action.menu().actions())
    return found


def link_actions(menu: QMenu) -> list[QAction]:
    words = ("Open &Link", "http")
    return [a for a in actions_of(menu) if a.menu() is None and any(w in a.text() for w in words)]


NOTE = (
    "Listen from 1:05. https://example.org/scene (fan wiki) and http://example.net/clip\n"
    "Never: file:///etc/passwd javascript:alert(1) data:text/html,x smb://h/s ../x\n"
    "https://bank.example@evil.example/ http://exa\u202emple.org/"
)


@pytest.fixture
def app(make_app: MakeApp, qtbot: QtBot) -> Application:
    app = make_app()
    track = app.library.tracks()[0]
    app.scenes.add_note(Note(text=NOTE, position_ms=0, track_id=track.id))
    app.scenes.add_note(
        Note(text="One link: https://example.org/only.", position_ms=500, track_id=track.id)
    )
    app.scenes.add_note(
        Note(text="No link here: file:///bin/sh", position_ms=900, track_id=track.id)
    )
    app.player.play_tracks([track.id])
    qtbot.waitUntil(lambda: app.engine is not None)
    qtbot.waitUntil(lambda: app.engine.state() == PlaybackState.PLAYING)
    return app


def note_row(app: Application, start: str) -> int:
    model = app.window.scene_panel.model
    return next(
        row
        for row in range(model.rowCount())
        if model.item(row).note is not None and model.item(row).text.startswith(start)
    )


def test_the_scene_panel_offers_only_the_web_links_of_a_note(
    app: Application, qtbot: QtBot, opened: list[QUrl], answers: Answers
) -> None:
    panel = app.window.scene_panel
    qtbot.waitUntil(lambda: panel.model.rowCount() >= 3)
    menu = panel.menu_for(note_row(app, "Listen"))
    offered = link_actions(menu)
    assert [a.text() for a in offered] == [
        "https://example.org/scene…",
        "http://example.net/clip…",
    ]
    offered[1].trigger()  # Cancel
    assert opened == []
    assert "http://example.net/clip" in answers.texts[-1]
    answers.answer = QMessageBox.StandardButton.Open
    offered[1].trigger()
    assert [url.toString() for url in opened] == ["http://example.net/clip"]

    single = link_actions(panel.menu_for(note_row(app, "One link")))
    assert [a.text() for a in single] == ["Open &Link…"]
    single[0].trigger()
    assert opened[-1].toString() == "https://example.org/only"

    assert link_actions(panel.menu_for(note_row(app, "No link"))) == []
    # Pack cues are not the listener's words: no links are offered on them.
    cue_rows = [r for r in range(panel.model.rowCount()) if panel.model.item(r).note is None]
    for row in cue_rows:
        assert link_actions(panel.menu_for(row)) == []
    assert all(url.scheme() in SCHEMES for url in opened)


def test_the_note_editor_offers_the_same_links(
    app: Application, qtbot: QtBot, opened: list[QUrl], answers: Answers
) -> None:
    note_id = app.window.scene_panel.model.item(note_row(app, "Listen")).note.id
    editor = app.window.scene_panel.edit_note(note_id)
    assert isinstance(editor, NoteEditor)
    menu = editor.text_menu()
    offered = link_actions(menu)
    assert [a.text() for a in offered] == [
        "https://example.org/scene…",
        "http://example.net/clip…",
    ]
    answers.answer = QMessageBox.StandardButton.Open
    offered[0].trigger()
    assert [url.toString() for url in opened] == ["https://example.org/scene"]
    # What the listener types counts, saved or not.
    editor.text_edit.setPlainText("only file:///etc/shadow and javascript:void(0)")
    assert link_actions(editor.text_menu()) == []
    editor.reject()


def test_the_pattern_is_the_only_way_in(monkeypatch: pytest.MonkeyPatch) -> None:
    # Even a caller that skips find_links cannot get a file: URL opened.
    monkeypatch.setattr(links, "confirm", lambda _parent, _link: True)
    handed: list[QUrl] = []
    for address in NOT_WEB + SPOOFS:
        assert not open_link(None, address, opener=lambda url: handed.append(url) or True)
    assert handed == []
    assert open_link(None, "https://example.org/", opener=lambda url: handed.append(url) or True)
    assert [url.scheme() for url in handed] == ["https"]
