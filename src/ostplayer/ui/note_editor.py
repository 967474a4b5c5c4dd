"""The note editor: the listener's own words at a moment of the track, optionally a full scene.

Only the text is required. The episode (``S1E3``), its time (``m:ss``), characters and moods
(comma lists) and the place make the note a scene cue that shows on the panel like a pack's.
Fields are checked as they are typed; Save stays disabled until everything reads.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QPoint, QStringListModel, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ostplayer.domain.scene import Note, Role, normalise_episode_key
from ostplayer.domain.timefmt import format_ms, parse_time


def split_list(text: str) -> tuple[str, ...]:
    """A comma list as its items: trimmed, empty ones and repeats dropped, order kept."""
    seen: dict[str, None] = {}
    for part in text.split(","):
        part = " ".join(part.split())
        if part and part.casefold() not in {s.casefold() for s in seen}:
            seen[part] = None
    return tuple(seen)


class _ListCompleter(QCompleter):
    """Completes the last item of a comma list, keeping what comes before it."""

    def splitPath(self, path: str) -> list[str]:
        return [path.rsplit(",", 1)[-1].strip()]

    def pathFromIndex(self, index: object) -> str:
        chosen = super().pathFromIndex(index)  # type: ignore[arg-type]
        widget = self.widget()
        text = widget.text() if isinstance(widget, QLineEdit) else ""
        head = text.rsplit(",", 1)[0] + ", " if "," in text else ""
        return head + chosen


class NoteEditor(QDialog):
    """Edit a note: text, position, episode and its time, characters, moods, place, role."""

    def __init__(self, note: Note, moods: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._note = note
        self.setWindowTitle(self.tr("Edit Note") if note.id else self.tr("Add Note"))
        self.text_edit = QPlainTextEdit(note.text)
        self.text_edit.setAccessibleName(self.tr("Note text"))
        self.text_edit.setToolTip(self.tr("What happens at this moment (required)"))
        self.text_edit.setTabChangesFocus(True)
        self.text_edit.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.text_edit.customContextMenuRequested.connect(self._text_menu_requested)
        self.position_edit = self._line(
            format_ms(note.position_ms), self.tr("Track time"), self.tr("Where in the track (m:ss)")
        )
        self.episode_edit = self._line(
            note.episode or "", self.tr("Episode"), self.tr("The episode, as S1E3 (optional)")
        )
        self.episode_edit.setPlaceholderText(self.tr("S1E3"))
        self.episode_time_edit = self._line(
            format_ms(note.episode_start_ms) if note.episode_start_ms is not None else "",
            self.tr("Episode time"),
            self.tr("Where in the episode, as m:ss or h:mm:ss (optional)"),
        )
        self.episode_time_edit.setPlaceholderText(self.tr("41:20"))
        self.characters_edit = self._line(
            ", ".join(note.characters), self.tr("Characters"), self.tr("Who is in it, comma list")
        )
        self.moods_edit = self._line(
            ", ".join(note.moods), self.tr("Moods"), self.tr("Moods of the moment, comma list")
        )
        completer = _ListCompleter(QStringListModel(moods, self), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.moods_edit.setCompleter(completer)
        self.place_edit = self._line(note.place, self.tr("Place"), self.tr("Where the scene is"))
        self.role_combo = QComboBox()
        self.role_combo.setAccessibleName(self.tr("Role"))
        self.role_combo.setToolTip(self.tr("How the music is used in the scene"))
        labels = {
            Role.SCORE: self.tr("Background score"),
            Role.INSERT: self.tr("Insert song"),
            Role.OPENING: self.tr("Opening"),
            Role.ENDING: self.tr("Ending"),
        }
        for role, label in labels.items():
            self.role_combo.addItem(label, role)
        self.role_combo.setCurrentIndex(self.role_combo.findData(note.role))

        self.error_label = QLabel()
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow(self.tr("&Note:"), self.text_edit)
        form.addRow(self.tr("&Track time:"), self.position_edit)
        form.addRow(self.tr("&Episode:"), self.episode_edit)
        form.addRow(self.tr("Episode &time:"), self.episode_time_edit)
        form.addRow(self.tr("&Characters:"), self.characters_edit)
        form.addRow(self.tr("&Moods:"), self.moods_edit)
        form.addRow(self.tr("&Place:"), self.place_edit)
        form.addRow(self.tr("&Role:"), self.role_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

        for edit in (self.position_edit, self.episode_edit, self.episode_time_edit):
            edit.textChanged.connect(self._check)
        self.text_edit.textChanged.connect(self._check)
        self._check()
        self.text_edit.setFocus()

    def text_menu(self) -> QMenu:
        """The note text's context menu: the usual editing entries, and "Open Link" for a web
        address written in the note (opened only after a confirmation)."""
        from ostplayer.ui.links import add_link_actions, find_links  # only when a menu opens

        menu = self.text_edit.createStandardContextMenu()
        text = self.text_edit.toPlainText()
        if find_links(text):
            menu.addSeparator()
            add_link_actions(menu, text, self)
        return menu

    def _text_menu_requested(self, pos: QPoint) -> None:
        menu = self.text_menu()
        menu.exec(self.text_edit.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def _line(self, text: str, name: str, tip: str) -> QLineEdit:
        edit = QLineEdit(text)
        edit.setAccessibleName(name)
        edit.setToolTip(tip)
        return edit

    def problem(self) -> str:
        """What stops the note from being saved, for people; empty when it can be saved."""
        if not self.text_edit.toPlainText().strip():
            return self.tr("Write what happens at this moment.")
        try:
            parse_time(self.position_edit.text())
        except ValueError:
            return self.tr("Write the track time as m:ss, for example 1:05.")
        episode = self.episode_edit.text().strip()
        if episode:
            try:
                normalise_episode_key(episode)
            except ValueError:
                return self.tr("Write the episode as S1E3 (season 1, episode 3).")
        elif self.episode_time_edit.text().strip():
            return self.tr("An episode time needs an episode.")
        if self.episode_time_edit.text().strip():
            try:
                parse_time(self.episode_time_edit.text())
            except ValueError:
                return self.tr("Write the episode time as m:ss, for example 41:20.")
        return ""

    def _check(self) -> None:
        problem = self.problem()
        self.error_label.setText(problem)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not problem)

    def accept(self) -> None:
        if self.problem():
            return
        super().accept()

    def note(self) -> Note:
        """The note as edited (its id and track are the original's)."""
        episode = self.episode_edit.text().strip()
        episode_time = self.episode_time_edit.text().strip()
        position = self._note.position_ms
        if self.position_edit.text().strip() != format_ms(position):
            position = parse_time(self.position_edit.text())  # moved by hand
        # else the clock's exact ms stay: m:ss shown would round the moment away
        return replace(
            self._note,
            text=self.text_edit.toPlainText().strip(),
            position_ms=position,
            episode=normalise_episode_key(episode) if episode else None,
            episode_start_ms=parse_time(episode_time) if episode and episode_time else None,
            characters=split_list(self.characters_edit.text()),
            moods=split_list(self.moods_edit.text()),
            place=" ".join(self.place_edit.text().split()),
            role=Role(self.role_combo.currentData()),
        )
