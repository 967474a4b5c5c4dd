"""The listener's moods on selected tracks: a small dialog to add and remove them, and the
write-back of moods into the files, asked for and confirmed.

Each add or remove is saved at once and can be undone (Ctrl+Z), like a note.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ostplayer.domain.mood import mood_info, mood_key
from ostplayer.domain.track import Track
from ostplayer.services.moods import MoodService, WritePlan
from ostplayer.ui.plain import let_shrink, shown

_Index = QModelIndex | QPersistentModelIndex


class _SharedMoods(QAbstractListModel):
    """The moods of a set of tracks, each with how many of them have it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[tuple[str, int]] = []  # (mood as shown, tracks with it)
        self.total = 0

    def set_tracks(self, tracks: Sequence[Track]) -> None:
        """Show the moods of ``tracks``, the most shared first."""
        names: dict[str, str] = {}
        counts: Counter[str] = Counter()
        for track in tracks:
            keys = {mood_key(mood): mood for mood in track.moods}
            counts.update(keys.keys())  # a mapping would add its values
            for key, mood in keys.items():
                names.setdefault(key, mood)
        self.beginResetModel()
        self.rows = sorted(
            ((names[key], n) for key, n in counts.items()),
            key=lambda row: (-row[1], row[0].casefold()),
        )
        self.total = len(tracks)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        name, count = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if self.total == 1:
                return name
            return self.tr("{mood}  ({n} of {total})").format(mood=name, n=count, total=self.total)
        if role == Qt.ItemDataRole.ToolTipRole:
            info = mood_info(name)
            if info is None:
                return None
            return QCoreApplication.translate("MoodVocabulary", info.description)
        if role == Qt.ItemDataRole.UserRole:
            return name
        return None


class MoodDialog(QDialog):
    """Add and remove moods on the selected tracks, with completion from every known mood."""

    def __init__(
        self,
        moods: MoodService,
        track_ids: Sequence[int],
        lookup: Callable[[int], Track | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._moods = moods
        self._ids = list(track_ids)
        self._lookup = lookup
        count = len(self._ids)
        self.setWindowTitle(
            self.tr("Moods of 1 Track")
            if count == 1
            else self.tr("Moods of {n} Tracks").format(n=count)
        )
        self.heading = QLabel()
        self.heading.setTextFormat(Qt.TextFormat.PlainText)  # a track title, from its tags
        self.heading.setWordWrap(True)
        let_shrink(self.heading)  # a title may be one word a thousand letters long

        self.model = _SharedMoods(self)
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setAccessibleName(self.tr("Moods of the selected tracks"))
        self.list.setToolTip(self.tr("Select moods and press Remove (or Delete) to take them off"))

        self.mood_edit = QLineEdit()
        self.mood_edit.setPlaceholderText(self.tr("Add a mood: tender, hopeful, your own word…"))
        self.mood_edit.setAccessibleName(self.tr("Mood to add"))
        self.mood_edit.setToolTip(self.tr("Type a mood and press Enter to give it to every track"))
        completer = QCompleter(moods.known_moods(), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.mood_edit.setCompleter(completer)
        self.add_button = QPushButton(self.tr("&Add"))
        self.add_button.setAccessibleName(self.tr("Add mood"))
        self.add_button.setToolTip(self.tr("Give this mood to every selected track"))
        self.remove_button = QPushButton(self.tr("&Remove"))
        self.remove_button.setAccessibleName(self.tr("Remove moods"))
        self.remove_button.setToolTip(
            self.tr("Take the selected moods off every selected track (Ctrl+Z brings them back)")
        )
        self.add_button.clicked.connect(self._add)
        self.mood_edit.returnPressed.connect(self._add)
        self.remove_button.clicked.connect(self._remove)
        self.list.selectionModel().selectionChanged.connect(self._update_buttons)
        self.mood_edit.textChanged.connect(self._update_buttons)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAccessibleName(self.tr("Close"))
        close.setToolTip(self.tr("Close; every change is saved already (Ctrl+Z undoes it)"))
        buttons.rejected.connect(self.reject)
        adding = QHBoxLayout()
        adding.addWidget(self.mood_edit, 1)
        adding.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignRight)
        layout.addLayout(adding)
        layout.addWidget(buttons)
        self.resize(420, 360)
        self._reload()
        self.mood_edit.setFocus()

    def _tracks(self) -> list[Track]:
        return [t for i in self._ids if (t := self._lookup(i)) is not None]

    def _reload(self) -> None:
        tracks = self._tracks()
        if len(tracks) == 1:
            self.heading.setText(shown(tracks[0].display_title))  # clipped, as in the table
        else:
            self.heading.setText(self.tr("{n} tracks selected").format(n=len(tracks)))
        self.model.set_tracks(tracks)
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.add_button.setEnabled(bool(mood_key(self.mood_edit.text())))
        self.remove_button.setEnabled(self.list.selectionModel().hasSelection())

    def _add(self) -> None:
        mood = self.mood_edit.text()
        if not mood_key(mood):
            return
        self._moods.add(self._ids, mood)
        self.mood_edit.clear()
        self._reload()

    def _remove(self) -> None:
        names = [
            i.data(Qt.ItemDataRole.UserRole) for i in self.list.selectionModel().selectedRows()
        ]
        for name in names:
            self._moods.remove(self._ids, name)
        self._reload()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Delete in the list removes the selected moods."""
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.list.hasFocus():
            self._remove()
            return
        super().keyPressEvent(event)


def confirm_write(parent: QWidget, plan: WritePlan) -> bool:
    """Ask before writing moods into files: how many will change. True to go ahead."""
    count = len(plan.changes)
    if count == 0:
        QMessageBox.information(
            parent,
            parent.tr("Write Moods to Files"),
            parent.tr("The files already hold these moods; nothing needs writing."),
        )
        return False
    text = (
        parent.tr("Write your moods into 1 file?")
        if count == 1
        else parent.tr("Write your moods into {n} files?").format(n=count)
    )
    box = QMessageBox(
        QMessageBox.Icon.Question,
        parent.tr("Write Moods to Files"),
        text,
        QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.setInformativeText(
        parent.tr(
            "Each file's mood tag will hold the moods from its tags and your own; moods from "
            "scene packs stay in OST Player. The music and other tags are not touched. "
            "Other players will see these moods."
        )
    )
    go = box.addButton(parent.tr("&Write"), QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is go
