"""What the sidebar and the playlist view share: a smart rule in words, status messages, the
export dialog, and activation that respects the desktop's single-click setting.

Kept apart from the playlist view so that the sidebar, built before the first paint, does not
load the view's code; the view is made when a playlist is first shown.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QFileDialog, QMessageBox, QStyle, QWidget

from ostplayer.domain.playlist import Playlist
from ostplayer.ui.plain import file_stem, isolate

if TYPE_CHECKING:
    from ostplayer.domain.mixer import MoodRule
    from ostplayer.services.playlists import PlaylistService


def _tr(text: str) -> str:
    return QCoreApplication.translate("PlaylistView", text)


_ORDER_WORDS = {
    "album": "album order",
    "shuffle": "shuffled",
    "arc": "arc",
    "series": "series order",
}


def describe_rule(rule: MoodRule | None) -> str:
    """A smart playlist's rule in one line: ``"tender, warm · arc · 30 min"``."""
    if rule is None:
        return _tr("no rule (damaged)")
    joiner = " & " if rule.match_all else ", "
    parts = [joiner.join(rule.include) if rule.include else _tr("any mood")]
    if rule.exclude:
        parts.append(_tr("not {moods}").format(moods=", ".join(rule.exclude)))
    parts.append(_tr(_ORDER_WORDS.get(rule.order, rule.order)))
    if rule.minutes is not None:
        parts.append(_tr("{n} min").format(n=rule.minutes))
    return " · ".join(parts)


def entries_text(count: int) -> str:
    """``"1 entry"`` / ``"12 entries"``."""
    return _tr("1 entry") if count == 1 else _tr("{n} entries").format(n=count)


def play_message(played: bool, name: str) -> str:
    """What the status bar says after asking a playlist to play."""
    name = isolate(name)  # the listener's text inside our sentence
    if played:
        return _tr("Playing “{name}”").format(name=name)
    return _tr("“{name}” has nothing to play").format(name=name)


def enqueue_message(count: int, name: str) -> str:
    """What the status bar says after adding a playlist to the queue."""
    name = isolate(name)
    if count == 0:
        return _tr("“{name}” has nothing to play").format(name=name)
    if count == 1:
        return _tr("Added 1 track from “{name}” to the queue").format(name=name)
    return _tr("Added {n} tracks from “{name}” to the queue").format(n=count, name=name)


def export_playlist_dialog(
    parent: QWidget, service: PlaylistService, playlist: Playlist
) -> str | None:
    """Ask where to save ``playlist`` (M3U8 or XSPF) and write it there.

    Returns a status message when the file was written; ``None`` when the listener cancelled
    or the write failed (a message box said why).
    """
    from ostplayer.formats.playlist_file import PlaylistFileError  # only when exporting

    m3u8, xspf = _tr("M3U8 playlist (*.m3u8)"), _tr("XSPF playlist (*.xspf)")
    stem = file_stem(playlist.name, "playlist")  # a name may hold "/", "..", or a megabyte
    path, chosen = QFileDialog.getSaveFileName(
        parent,
        _tr("Export Playlist"),
        str(Path.home() / f"{stem}.m3u8"),
        f"{m3u8};;{xspf}",
    )
    if not path:
        return None
    target = Path(path)
    if target.suffix.lower() not in (".m3u8", ".m3u", ".xspf"):
        # Dialogs that do not add the filter's extension themselves (most non-native ones).
        target = target.with_name(target.name + (".xspf" if chosen == xspf else ".m3u8"))
    try:
        count = service.export(playlist.id, target)
    except PlaylistFileError as exc:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            _tr("Export Playlist"),
            str(exc),
            QMessageBox.StandardButton.Ok,
            parent,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)  # the message quotes a file name
        box.exec()
        return None
    return _tr("Exported {entries} to {file}").format(
        entries=entries_text(count), file=isolate(target.name)
    )


def on_activate(view: QAbstractItemView, slot: Callable[[QModelIndex], None]) -> None:
    """Call ``slot`` when a row is double-clicked or Enter is pressed on it.

    Where the desktop opens items with a single click (a KDE setting), ``activated`` comes on
    every click, and a click is how a row is selected: there only a double-click plays.
    """
    single = view.style().styleHint(
        QStyle.StyleHint.SH_ItemView_ActivateItemOnSingleClick, None, view
    )
    (view.doubleClicked if single else view.activated).connect(slot)
