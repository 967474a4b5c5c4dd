"""The scene panel: where the playing moment of the track is used in the series, in time.

It lists the playing track's items (pack cues and the listener's notes) in track-time order.
The item under the play head is highlighted and scrolled into view. A timer reads the engine's
interpolated clock every :data:`TICK_MS` while playing and the panel is visible; it repaints only
when the current item changes, so following the music costs almost nothing.

Every text from a pack or a note is drawn as plain text (``QPainter.drawText``, plain-text
labels, escaped tooltips): markup in a pack shows as written.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QColor, QFont, QKeySequence, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from ostplayer.domain.scene import SceneCue, episode_label, one_line
from ostplayer.domain.timefmt import format_ms
from ostplayer.domain.track import Track
from ostplayer.playback.engine import Engine, PlaybackState
from ostplayer.services.scenes import SceneItem, SceneService
from ostplayer.ui.plain import (
    MAX_SHOWN_CHARS,
    clip,
    isolate,
    let_shrink,
    plain_tooltip,
    shown,
)
from ostplayer.ui.transport import Marker

#: How often the highlight follows the clock while playing (ms): well inside the 50 ms target.
TICK_MS = 40
ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
CURRENT_ROLE = Qt.ItemDataRole.UserRole + 2
HIDDEN_ROLE = Qt.ItemDataRole.UserRole + 3  # a spoiler not revealed yet
NOTE_COLOUR = QColor("#d08700")  # the stripe that marks the listener's own notes


def _tr(text: str) -> str:
    from PySide6.QtCore import QCoreApplication

    return QCoreApplication.translate("ScenePanel", text)


def item_meta(item: SceneItem) -> str:
    """The first line of an entry: track time, episode and its time, whose it is."""
    parts = [format_ms(item.start_ms)]
    if item.episode is not None:
        where = episode_label(item.episode)
        if item.episode_start_ms is not None:
            where += f", {format_ms(item.episode_start_ms)}"
        parts.append(where)
    if item.is_note:
        parts.append(_tr("Your note"))
    return " · ".join(parts)


def item_people(item: SceneItem) -> str:
    """The third line: characters, then moods (each isolated: see :mod:`ostplayer.ui.plain`)."""
    parts = [
        ", ".join(isolate(name) for name in item.characters),
        ", ".join(isolate(mood) for mood in item.moods),
    ]
    return clip(" · ".join(p for p in parts if p))


def item_text(item: SceneItem) -> str:
    """The second line: the scene or the note on one line, clipped before it is joined (a
    megabyte-long note must not be split and joined on every paint)."""
    return shown(one_line(clip(item.text, 2 * MAX_SHOWN_CHARS)))


def entry_lines(item: SceneItem, hidden: bool) -> list[str]:
    """The lines :class:`SceneDelegate` draws for an entry, as plain text."""
    if hidden:
        return [spoiler_text(item), ""]
    return [item_meta(item), item_text(item), item_people(item)]


class SceneListModel(QAbstractListModel):
    """The playing track's items, with which one is under the play head and which are hidden."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[SceneItem] = []
        self._watched: str | None = None
        self._revealed: set[tuple[str, int]] = set()
        self._current: int | None = None

    def set_items(self, items: list[SceneItem], watched_up_to: str | None) -> None:
        """Show these items; the spoiler guard hides those after ``watched_up_to``."""
        self.beginResetModel()
        self._items = list(items)
        self._watched = watched_up_to
        self._current = None
        self.endResetModel()

    def forget_revealed(self) -> None:
        """Hide again every spoiler revealed so far (another track plays)."""
        self._revealed.clear()

    def item(self, row: int) -> SceneItem:
        """The item at ``row``."""
        return self._items[row]

    def is_hidden(self, row: int) -> bool:
        """True when the item is a spoiler the listener has not revealed."""
        item = self._items[row]
        return item.is_spoiler(self._watched) and item.key not in self._revealed

    def reveal(self, row: int) -> None:
        """Show a hidden spoiler."""
        self._revealed.add(self._items[row].key)
        index = self.index(row, 0)
        self.dataChanged.emit(index, index)

    def current(self) -> int | None:
        """The row under the play head."""
        return self._current

    def set_current(self, row: int | None) -> bool:
        """Mark ``row`` as under the play head; True when it changed (only then is anything
        repainted: the old and the new row)."""
        if row == self._current:
            return False
        old, self._current = self._current, row
        for changed in (old, row):
            if changed is not None and 0 <= changed < len(self._items):
                index = self.index(changed, 0)
                self.dataChanged.emit(index, index, [CURRENT_ROLE])
        return True

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        row = index.row()
        item = self._items[row]
        if role == ITEM_ROLE:
            return item
        if role == CURRENT_ROLE:
            return row == self._current
        if role == HIDDEN_ROLE:
            return self.is_hidden(row)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if self.is_hidden(row):
                return spoiler_text(item)
            return f"{item_meta(item)} — {isolate(item_text(item))}"
        if role == Qt.ItemDataRole.ToolTipRole:
            if self.is_hidden(row):
                return plain_tooltip(spoiler_text(item))
            lines = [item_meta(item), item.text, item_people(item)]
            if item.cue is not None and item.cue.place:
                lines.append(item.cue.place)
            if not item.is_note:
                lines.append(_tr("From the pack “{name}”").format(name=isolate(item.source)))
            return plain_tooltip("\n".join(line for line in lines if line))
        return None


def spoiler_text(item: SceneItem) -> str:
    """What a hidden spoiler says instead of its scene."""
    assert item.cue is not None
    return _tr("Spoiler: {episode} — click to reveal").format(
        episode=episode_label(item.cue.spoiler_episode)
    )


class SceneDelegate(QStyledItemDelegate):
    """Draws an entry in three plain-text lines: when and where, the scene, who and how.

    Drawing the text ourselves (elided, with ``drawText``) keeps it plain text and lets every
    row have the same height, which keeps scrolling and the highlight cheap.
    """

    PAD = 6
    STRIPE = 4

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        line = option.fontMetrics.height()
        return QSize(200, 3 * line + 2 * self.PAD + 2)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        item: SceneItem = index.data(ITEM_ROLE)
        current: bool = index.data(CURRENT_ROLE)
        hidden: bool = index.data(HIDDEN_ROLE)
        palette = option.palette
        rect = QRect(option.rect)
        painter.save()
        if current:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.Highlight))
            text_colour = palette.color(QPalette.ColorRole.HighlightedText)
        else:
            if index.row() % 2:
                painter.fillRect(rect, palette.color(QPalette.ColorRole.AlternateBase))
            text_colour = palette.color(QPalette.ColorRole.Text)
        if item.is_note:
            painter.fillRect(
                QRect(rect.left(), rect.top(), self.STRIPE, rect.height()), NOTE_COLOUR
            )
        if option.state & QStyle.StateFlag.State_HasFocus:
            painter.setPen(palette.color(QPalette.ColorRole.Mid))
            painter.drawRect(rect.adjusted(0, 0, -1, -1))
        inner = rect.adjusted(self.PAD + self.STRIPE, self.PAD, -self.PAD, -self.PAD)
        metrics = option.fontMetrics
        line = metrics.height()
        bold = QFont(option.font)
        bold.setBold(True)
        muted = QColor(text_colour)
        muted.setAlpha(170)
        styles = [(bold, text_colour), (option.font, text_colour), (option.font, muted)]
        if hidden:
            styles[1] = (option.font, muted)
        lines = [
            (text, *style) for text, style in zip(entry_lines(item, hidden), styles, strict=False)
        ]
        for i, (text, font, colour) in enumerate(lines):
            if not text:
                continue
            painter.setFont(font)
            painter.setPen(colour)
            box = QRect(inner.left(), inner.top() + i * line, inner.width(), line)
            elided = painter.fontMetrics().elidedText(
                text, Qt.TextElideMode.ElideRight, box.width()
            )
            painter.drawText(
                box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, elided
            )
        painter.restore()


class WhereElseModel(QAbstractListModel):
    """The track's cues across every episode, in airing order (one line each)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._cues: list[SceneCue] = []
        self._watched: str | None = None

    def set_cues(self, cues: list[SceneCue], watched_up_to: str | None) -> None:
        """Show these cues."""
        self.beginResetModel()
        self._cues, self._watched = list(cues), watched_up_to
        self.endResetModel()

    def cue(self, row: int) -> SceneCue:
        """The cue at ``row``."""
        return self._cues[row]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._cues)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._cues):
            return None
        cue = self._cues[index.row()]
        if cue.is_spoiler(self._watched):
            text = _tr("Spoiler: {episode}").format(episode=episode_label(cue.spoiler_episode))
        else:
            text = isolate(cue.headline)
        text = (
            f"{format_ms(cue.start_ms)} · {text}"  # the track time first: it is what a click plays
        )
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return text  # item views draw DisplayRole as plain text
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(text)
        return None


class ScenePanel(QWidget):
    """The scene panel beside the track table."""

    seek_requested = Signal(int)
    #: The row under the play head changed (-1: between items). For tests and benchmarks.
    current_changed = Signal(int)
    #: The seek bar's markers for the playing track changed.
    markers_changed = Signal(object)  # list[Marker]

    def __init__(self, scenes: SceneService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scenes = scenes
        self._engine: Engine | None = None
        self._track: Track | None = None
        self.setAccessibleName(self.tr("Scenes"))

        self.header = QLabel()
        self.header.setTextFormat(Qt.TextFormat.PlainText)
        self.header.setWordWrap(True)
        let_shrink(self.header)  # a title may be one word a thousand letters long
        font = self.header.font()
        font.setBold(True)
        self.header.setFont(font)
        self.header.setAccessibleName(self.tr("Scenes of the playing track"))
        self.add_button = QPushButton(self.tr("Add Note Here"))
        self.add_button.setAccessibleName(self.tr("Add note here"))
        self.add_button.setToolTip(
            self.tr("Write a note at this moment of the track; playback goes on (Ctrl+N)")
        )
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        let_shrink(self.status)
        # Two lines, always: a status that wraps differently between cues must not move the list.
        self.status.setFixedHeight(self.status.fontMetrics().lineSpacing() * 2 + 2)
        self.status.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.status.setAccessibleName(self.tr("Scene under the play head"))

        self.model = SceneListModel(self)
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setItemDelegate(SceneDelegate(self.list))
        self.list.setUniformItemSizes(True)  # every row is three lines: cheap layout
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.setAccessibleName(self.tr("Scenes"))
        self.list.setToolTip(self.tr("Click a scene to play from it; double-click a note to edit"))

        self.where_label = QLabel(self.tr("Where else this track plays"))
        self.where_label.setTextFormat(Qt.TextFormat.PlainText)
        self.where_label.setFont(font)
        self.where_model = WhereElseModel(self)
        self.where_list = QListView()
        self.where_list.setModel(self.where_model)
        self.where_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.where_list.setAccessibleName(self.tr("Where else this track plays"))
        self.where_list.setToolTip(self.tr("Every episode that uses this track; click to play"))
        self.where_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.where_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.where_list.setUniformItemSizes(True)
        self.where_list.setMaximumHeight(self.where_list.fontMetrics().height() * 7)

        top = QHBoxLayout()
        top.addWidget(self.header, 1)
        top.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.where_label)
        layout.addWidget(self.where_list)

        self.edit_action = QAction(self.tr("&Edit Note…"), self)
        self.edit_action.triggered.connect(self._edit_current)
        self.delete_action = QAction(self.tr("&Delete Note"), self)
        self.delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.delete_action.triggered.connect(self._delete_current)
        self.list.addAction(self.delete_action)

        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.sync)

        self.add_button.clicked.connect(self.add_note_here)
        self.list.clicked.connect(self._clicked)
        self.list.doubleClicked.connect(self._double_clicked)
        self.list.customContextMenuRequested.connect(self._context_menu)
        self.where_list.clicked.connect(
            lambda index: self.seek_requested.emit(self.where_model.cue(index.row()).start_ms)
        )
        scenes.items_changed.connect(self._reload)
        scenes.watched_changed.connect(self._reload)
        self._status_text = ""
        self.show_track(None)

    # -- wiring ------------------------------------------------------------------------------
    def set_engine(self, engine: Engine) -> None:
        """Follow this engine's clock."""
        self._engine = engine
        engine.state_changed.connect(self._on_state)
        engine.seeked.connect(lambda _ms: self.sync())
        self._on_state(engine.state())

    def show_track(self, track: Track | None) -> None:
        """Say which track the panel is about."""
        if track is None or track != self._track:
            self.model.forget_revealed()
        self._track = track
        if track is None:
            self.header.setText(self.tr("Scenes"))
        else:
            self.header.setText(
                self.tr("Scenes for “{title}”").format(title=isolate(track.display_title))
            )
        self.add_button.setEnabled(track is not None)

    def _on_state(self, state: PlaybackState) -> None:
        if state == PlaybackState.PLAYING and self.isVisible():
            self._timer.start()
        else:
            self._timer.stop()
        self.sync()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self._engine is not None:
            self._on_state(self._engine.state())

    def hideEvent(self, event: Any) -> None:
        super().hideEvent(event)
        self._timer.stop()  # nothing to follow while nobody sees it

    def is_following(self) -> bool:
        """True while the timer follows the clock."""
        return self._timer.isActive()

    # -- following the music -----------------------------------------------------------------
    def _reload(self) -> None:
        watched = self._scenes.watched_up_to()
        self.model.set_items(self._scenes.items(), watched)
        track_id = self._scenes.track_id()
        self.where_model.set_cues(
            self._scenes.where_else(track_id) if track_id is not None else [], watched
        )
        self.where_label.setVisible(self.where_model.rowCount() > 0)
        self.where_list.setVisible(self.where_model.rowCount() > 0)
        self.markers_changed.emit(self.markers())
        self.sync(force=True)

    def markers(self) -> list[Marker]:
        """The seek bar's markers: one per item, named as the panel names it."""
        markers = []
        for row in range(self.model.rowCount()):
            item = self.model.item(row)
            label = spoiler_text(item) if self.model.is_hidden(row) else item.headline
            markers.append(
                Marker(item.start_ms, item.end_ms, f"{format_ms(item.start_ms)} {isolate(label)}")
            )
        return markers

    def position(self) -> int:
        """The play position from the engine's interpolated clock (0 without an engine)."""
        return self._engine.position() if self._engine is not None else 0

    def sync(self, force: bool = False) -> None:
        """Highlight the item under the play head; repaint only when that item changes."""
        position = self.position()
        timeline = self._scenes.timeline()
        row = timeline.current(position)
        changed = self.model.set_current(row)
        if changed and row is not None:
            self.list.scrollTo(self.model.index(row, 0), QAbstractItemView.ScrollHint.EnsureVisible)
        if changed or force or row is None:
            self._set_status(self._status_for(row, position))
        if changed or force:
            self.current_changed.emit(-1 if row is None else row)

    def _status_for(self, row: int | None, position: int) -> str:
        if self._scenes.track_id() is None:
            return self.tr("Nothing is playing.")
        if self.model.rowCount() == 0:
            return self.tr("No scenes for this track yet. Add one with Ctrl+N.")
        if row is not None:
            item = self.model.item(row)
            if self.model.is_hidden(row):
                return self.tr("Now: a spoiler")
            return self.tr("Now: {scene}").format(scene=isolate(item.headline))
        following = self._scenes.timeline().next_after(position)
        if following is None:
            return self.tr("No scene here — no more scenes in this track.")
        item = self.model.item(following)
        if item.episode is not None:
            return self.tr("No scene here — next: {episode} at {time}").format(
                episode=episode_label(item.episode), time=format_ms(item.start_ms)
            )
        return self.tr("No scene here — next: your note at {time}").format(
            time=format_ms(item.start_ms)
        )

    def _set_status(self, text: str) -> None:
        if text != self._status_text:  # setText relayouts: only when the words change
            self._status_text = text
            self.status.setText(text)

    # -- the listener's actions --------------------------------------------------------------
    def _clicked(self, index: QModelIndex) -> None:
        if self.model.is_hidden(index.row()):
            self.model.reveal(index.row())
            self.markers_changed.emit(self.markers())
            self.sync(force=True)
            return
        self.seek_requested.emit(self.model.item(index.row()).start_ms)

    def _double_clicked(self, index: QModelIndex) -> None:
        item = self.model.item(index.row())
        if item.note is not None:
            self.edit_note(item.note.id)

    def _context_menu(self, pos: QPoint) -> None:
        index = self.list.indexAt(pos)
        if not index.isValid():
            return
        self.list.setCurrentIndex(index)
        menu = self.menu_for(index.row())
        menu.exec(self.list.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def menu_for(self, row: int) -> QMenu:
        """The context menu of the entry at ``row``: play, and for a note edit, delete and
        open a web address written in it (after a confirmation; see :mod:`ostplayer.ui.links`).
        """
        item = self.model.item(row)
        menu = QMenu(self)
        menu.addAction(self.tr("Play From Here"), lambda: self.seek_requested.emit(item.start_ms))
        if item.note is not None:
            menu.addAction(self.edit_action)
            menu.addAction(self.delete_action)
            if not self.model.is_hidden(row):
                from ostplayer.ui.links import add_link_actions  # only when a menu opens

                add_link_actions(menu, item.note.text, self)
        return menu

    def _current_note_id(self) -> int | None:
        index = self.list.currentIndex()
        if not index.isValid():
            return None
        note = self.model.item(index.row()).note
        return note.id if note is not None else None

    def _edit_current(self) -> None:
        note_id = self._current_note_id()
        if note_id is not None:
            self.edit_note(note_id)

    def _delete_current(self) -> None:
        note_id = self._current_note_id()
        if note_id is not None:
            self._scenes.delete_note(note_id)

    def add_note_here(self) -> Any:
        """Open the note editor at the play position, read now from the interpolated clock.

        Playback goes on; the note is saved when the editor is accepted. Returns the editor
        (``None`` when no track is playing).
        """
        position = self.position()  # first: the moment the listener asked for
        track_id = self._scenes.track_id()
        if track_id is None:
            return None
        from ostplayer.domain.scene import Note
        from ostplayer.ui.note_editor import NoteEditor

        editor = NoteEditor(
            Note(text="", position_ms=position, track_id=track_id),
            self._scenes.known_moods(),
            self,
        )
        editor.setWindowTitle(self.tr("Add Note at {time}").format(time=format_ms(position)))
        editor.accepted.connect(lambda: self._scenes.add_note(editor.note()))
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.open()
        return editor

    def edit_note(self, note_id: int) -> Any:
        """Open the editor on a saved note; saving it is undoable."""
        note = self._scenes.repository.note(note_id)
        if note is None:
            return None
        from ostplayer.ui.note_editor import NoteEditor

        editor = NoteEditor(note, self._scenes.known_moods(), self)
        editor.accepted.connect(lambda: self._scenes.update_note(editor.note()))
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.open()
        return editor
