"""The Episodes view: pick an episode, see its cue sheet in airing order, play its music.

Every text from a pack (episode titles, scenes) goes through item views as DisplayRole, which
draws plain text, and tooltips are escaped: markup in a pack shows as written.
"""

from __future__ import annotations

import enum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ostplayer.domain.scene import Episode, episode_label, one_line
from ostplayer.domain.timefmt import format_ms
from ostplayer.services.episodes import SheetRow, cue_sheet, scene_spans, whole_tracks
from ostplayer.services.library import LibraryService
from ostplayer.services.player import PlayerService
from ostplayer.services.scenes import SceneService
from ostplayer.ui.plain import MAX_SHOWN_CHARS, clip, isolate, let_shrink, plain_tooltip

EPISODE_ROLE = Qt.ItemDataRole.UserRole + 1  # the Episode
ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the SheetRow


class PlayMode(enum.Enum):
    """What "Play this episode's music" plays."""

    WHOLE_TRACKS = "tracks"
    SCENES = "scenes"


class EpisodeListModel(QAbstractListModel):
    """The episodes in airing order, shown as "Ep 3 — Title"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._episodes: list[Episode] = []

    def set_episodes(self, episodes: list[Episode]) -> None:
        """Replace the episodes (already in airing order)."""
        self.beginResetModel()
        self._episodes = list(episodes)
        self.endResetModel()

    def episode(self, row: int) -> Episode:
        """The episode at ``row``."""
        return self._episodes[row]

    def row_of(self, key: str) -> int | None:
        """The row of the episode ``key``, or ``None``."""
        return next((i for i, e in enumerate(self._episodes) if e.key == key), None)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._episodes)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._episodes):
            return None
        episode = self._episodes[index.row()]
        if role == EPISODE_ROLE:
            return episode
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            title = one_line(episode.title)
            text = f"{episode.label} — {isolate(title)}" if title else episode.label
            return text if role == Qt.ItemDataRole.DisplayRole else plain_tooltip(text)
        return None


class Column(enum.IntEnum):
    """The cue sheet's columns."""

    TIME = 0
    TRACK = 1
    SCENE = 2


class CueSheetModel(QAbstractTableModel):
    """An episode's cues in airing order: episode time, track title, scene.

    The listener's own notes that name the episode are lines too, their scene marked
    "Your note:".
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[SheetRow] = []
        self._watched: str | None = None

    def set_rows(self, rows: list[SheetRow], watched_up_to: str | None = None) -> None:
        """Show ``rows``; scenes after ``watched_up_to`` are hidden as spoilers."""
        self.beginResetModel()
        self._rows = list(rows)
        self._watched = watched_up_to
        self.endResetModel()

    def rows(self) -> list[SheetRow]:
        """The rows, in airing order."""
        return list(self._rows)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        names = {
            Column.TIME: self.tr("Episode time"),
            Column.TRACK: self.tr("Track"),
            Column.SCENE: self.tr("Scene"),
        }
        return names.get(Column(section)) if 0 <= section < len(Column) else None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == Column.TIME:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        text = self._text(row, Column(index.column()))
        return text if role == Qt.ItemDataRole.DisplayRole else plain_tooltip(text)

    def _text(self, row: SheetRow, column: Column) -> str:
        if column == Column.TIME:
            return format_ms(row.cue.episode_start_ms, placeholder="–")
        if column == Column.TRACK:
            return clip(row.track_title) or self.tr("(not in the library)")
        if row.cue.is_spoiler(self._watched):
            return self.tr("Spoiler: {episode} — not watched yet").format(
                episode=episode_label(row.cue.spoiler_episode)
            )
        text = one_line(clip(row.cue.description, 2 * MAX_SHOWN_CHARS))  # a note may be huge
        # The listener's own notes sit among the pack's cues; say whose line it is.
        if row.is_personal:
            return self.tr("Your note: {text}").format(text=isolate(text))
        return clip(text)


class EpisodesView(QWidget):
    """The episode list beside the selected episode's cue sheet, with a play button."""

    def __init__(
        self,
        scenes: SceneService,
        library: LibraryService,
        player: PlayerService,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._scenes, self._library, self._player = scenes, library, player

        self.episode_model = EpisodeListModel(self)
        self.episode_list = QListView()
        self.episode_list.setModel(self.episode_model)
        self.episode_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.episode_list.setAccessibleName(self.tr("Episodes"))
        self.episode_list.setToolTip(self.tr("Pick an episode to see the music it uses"))

        self.sheet_model = CueSheetModel(self)
        self.sheet = QTableView()
        self.sheet.setModel(self.sheet_model)
        self.sheet.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.sheet.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.sheet.setAlternatingRowColors(True)
        self.sheet.setShowGrid(False)
        self.sheet.setWordWrap(False)
        self.sheet.verticalHeader().hide()
        header = self.sheet.horizontalHeader()
        header.setSectionResizeMode(Column.TIME, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(Column.TRACK, 170)
        header.setStretchLastSection(True)
        self.sheet.setAccessibleName(self.tr("Cue sheet"))
        self.sheet.setToolTip(self.tr("The episode's music in airing order; double-click to play"))

        self.heading = QLabel(self.tr("Pick an episode"))
        self.heading.setTextFormat(Qt.TextFormat.PlainText)  # an episode title from a pack
        let_shrink(self.heading)

        self.mode_combo = QComboBox()
        self.mode_combo.addItem(self.tr("Whole tracks"), PlayMode.WHOLE_TRACKS)
        self.mode_combo.addItem(self.tr("Only the scenes"), PlayMode.SCENES)
        self.mode_combo.setAccessibleName(self.tr("What to play"))
        self.mode_combo.setToolTip(
            self.tr("Play each track whole, or only the part of it heard in each scene")
        )
        self.play_button = QPushButton(self.tr("Play This Episode’s Music"))
        self.play_button.setAccessibleName(self.tr("Play this episode's music"))
        self.play_button.setToolTip(self.tr("Queue the episode's music in scene order"))
        self.play_button.setEnabled(False)

        buttons = QHBoxLayout()
        buttons.addWidget(self.mode_combo)
        buttons.addWidget(self.play_button)
        buttons.addStretch(1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.heading)
        right_layout.addWidget(self.sheet, 1)
        right_layout.addLayout(buttons)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.episode_list)
        splitter.addWidget(right)
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([180, 460])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

        self.episode_list.selectionModel().currentChanged.connect(self._show_selected)
        self.sheet.doubleClicked.connect(self._play_row)
        self.play_button.clicked.connect(self.play_episode)
        # Episodes come with packs (the demo's arrives after start) and tracks with scans.
        scenes.demo_imported.connect(lambda _summary: self.refresh())
        scenes.watched_changed.connect(self.refresh)
        library.tracks_changed.connect(self.refresh)

    # -- reading -----------------------------------------------------------------------------
    def selected_episode(self) -> Episode | None:
        """The episode whose cue sheet is shown."""
        index = self.episode_list.currentIndex()
        return index.data(EPISODE_ROLE) if index.isValid() else None

    def mode(self) -> PlayMode:
        """What the play button plays."""
        return self.mode_combo.currentData()

    # -- commands ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the episodes and the cue sheet, keeping the selected episode."""
        selected = self.selected_episode()
        self.episode_model.set_episodes(self._scenes.repository.episodes())
        row = self.episode_model.row_of(selected.key) if selected is not None else None
        if row is not None:
            self.episode_list.setCurrentIndex(self.episode_model.index(row, 0))
        self._show_sheet(self.selected_episode())

    def select_episode(self, key: str) -> bool:
        """Show the episode ``key`` (``"S1E3"``); False when it is not known."""
        row = self.episode_model.row_of(key)
        if row is None:
            return False
        self.episode_list.setCurrentIndex(self.episode_model.index(row, 0))
        return True

    def play_episode(self) -> None:
        """Queue the selected episode's music in scene order, as the mode says."""
        rows = self.sheet_model.rows()
        if self.mode() == PlayMode.SCENES:
            spans = scene_spans(self._scenes.repository, rows)
            if spans:
                self._player.play_spans(spans)
            return
        ids = whole_tracks(rows)
        if ids:
            self._player.play_tracks(ids)

    # -- internals ---------------------------------------------------------------------------
    def _show_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_sheet(current.data(EPISODE_ROLE) if current.isValid() else None)

    def _show_sheet(self, episode: Episode | None) -> None:
        if episode is None:
            self.sheet_model.set_rows([])
            self.heading.setText(self.tr("Pick an episode"))
            self.play_button.setEnabled(False)
            return
        rows = cue_sheet(self._scenes.repository, self._library.get, episode.key)
        self.sheet_model.set_rows(rows, self._scenes.watched_up_to())
        title = one_line(episode.title)
        self.heading.setText(f"{episode.label} — {isolate(title)}" if title else episode.label)
        self.play_button.setEnabled(any(row.track is not None for row in rows))

    def _play_row(self, index: QModelIndex) -> None:
        row: SheetRow | None = index.data(ROW_ROLE) if index.isValid() else None
        if row is not None and row.track is not None:
            self._player.play_at(row.track.id, row.cue.start_ms)

    def showEvent(self, event: QShowEvent) -> None:
        # A pack imported or a note written since the view was last seen shows up now.
        self.refresh()
        super().showEvent(event)
