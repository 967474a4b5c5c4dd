"""The New Mood Playlist dialog: pick moods, see the playlist they make, then play or save it.

Every change of a control rebuilds a live preview (after a short pause, so typing a length or
ticking several moods builds once). The preview is built from the mood service's
:class:`~ostplayer.library.playlists.Mixer`, which is read on a worker thread: building never
touches the database. With "Scenes only" the playlist is made of scene moments instead of whole
tracks, each playing just its span, always in series order.

Mood words, character names, episode titles, track titles and the reasons (cue descriptions)
come from tags, packs and notes: item views show them as plain text, and tooltips are escaped.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QSignalBlocker,
    QStringListModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ostplayer.domain.mixer import MomentRule, MoodRule, Order, Pick
from ostplayer.domain.mood import VOCABULARY, MoodCount, mood_key
from ostplayer.domain.playlist import Playlist
from ostplayer.domain.scene import Episode, episode_order
from ostplayer.domain.text import fold
from ostplayer.domain.timefmt import format_ms
from ostplayer.domain.track import Track
from ostplayer.library.playlists import Mixer, entries_of
from ostplayer.services.moods import MoodService
from ostplayer.services.playlists import PlaylistService
from ostplayer.services.scenes import SceneService
from ostplayer.ui.plain import isolate, plain_tooltip

_Index = QModelIndex | QPersistentModelIndex

#: The row's object: a :class:`Pick` (preview) or the choice's key (check lists).
OBJECT_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True, slots=True)
class Choice:
    """One row of a check list: a stable ``key``, the ``text`` shown and a plain ``tooltip``."""

    key: str
    text: str
    tooltip: str = ""
    #: Shown greyed: a choice that picks nothing today (a mood no track has yet).
    dimmed: bool = False


class CheckListModel(QAbstractListModel):
    """A list of choices, each with a check box; the checks survive a new set of choices."""

    #: A choice was checked or unchecked: its key and whether it is checked now.
    toggled = Signal(str, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._choices: list[Choice] = []
        self._checked: set[str] = set()

    def set_choices(self, choices: Sequence[Choice]) -> None:
        """Show these choices; a key that was checked and is still here stays checked."""
        self.beginResetModel()
        self._choices = list(choices)
        self._checked &= {choice.key for choice in self._choices}
        self.endResetModel()

    def choice_keys(self) -> list[str]:
        """Every choice's key, in row order."""
        return [choice.key for choice in self._choices]

    def checked(self) -> list[str]:
        """The checked keys, in row order."""
        return [choice.key for choice in self._choices if choice.key in self._checked]

    def is_checked(self, key: str) -> bool:
        """True when the choice ``key`` is checked."""
        return key in self._checked

    def row_of(self, key: str) -> int | None:
        """The row of the choice ``key``, or ``None`` when it is not in the list."""
        return next((row for row, c in enumerate(self._choices) if c.key == key), None)

    def set_checked(self, key: str, checked: bool) -> None:
        """Check or uncheck the choice ``key`` (nothing happens for a key not in the list)."""
        row = self.row_of(key)
        if row is None or (key in self._checked) == checked:
            return
        if checked:
            self._checked.add(key)
        else:
            self._checked.discard(key)
        index = self.index(row, 0)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.toggled.emit(key, checked)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._choices)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsUserCheckable
        )

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        choice = self._choices[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return choice.text
        if role == Qt.ItemDataRole.CheckStateRole:
            checked = choice.key in self._checked
            return Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole and choice.tooltip:
            return plain_tooltip(choice.tooltip)  # mood words and names come from tags and packs
        if role == Qt.ItemDataRole.ForegroundRole and choice.dimmed:
            # The disabled text colour: greyed like the rest when the whole list is disabled.
            palette = QGuiApplication.palette()
            return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        if role == OBJECT_ROLE:
            return choice.key
        return None

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.CheckStateRole:
            return False
        # The view hands over an int or a Qt.CheckState, depending on who sets it.
        state = value.value if isinstance(value, Qt.CheckState) else int(value)
        self.set_checked(self._choices[index.row()].key, state == Qt.CheckState.Checked.value)
        return True


class PreviewModel(QAbstractTableModel):
    """The preview: one row per pick, with its place, title, length and why it was picked."""

    NUMBER, TITLE, LENGTH, WHY = range(4)
    _HEADERS = ("#", "Title", "Length", "Why")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._picks: list[Pick] = []
        self._tracks: Mapping[int, Track] = {}

    def set_picks(self, picks: Sequence[Pick], tracks: Mapping[int, Track]) -> None:
        """Show these picks; ``tracks`` tells their titles."""
        self.beginResetModel()
        self._picks = list(picks)
        self._tracks = tracks
        self.endResetModel()

    def picks(self) -> list[Pick]:
        """The picks shown, in order."""
        return list(self._picks)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._picks)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(self._HEADERS[section])
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        pick = self._picks[index.row()]
        column = index.column()
        if role == OBJECT_ROLE:
            return pick
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(index.row(), column, pick)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.TITLE:
                track = self._tracks.get(pick.track_id)
                lines = [self._text(index.row(), column, pick)]
                if track is not None:
                    lines.append(" — ".join(part for part in (track.artist, track.album) if part))
                return plain_tooltip("\n".join(line for line in lines if line))
            if column == self.WHY and pick.reason:
                return plain_tooltip(pick.reason)  # a cue's description, shown as written
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (self.NUMBER, self.LENGTH):
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None

    def _text(self, row: int, column: int, pick: Pick) -> str:
        if column == self.NUMBER:
            return str(row + 1)
        if column == self.TITLE:
            track = self._tracks.get(pick.track_id)
            title = track.display_title if track is not None else self.tr("Unknown track")
            if pick.start_ms is None and pick.end_ms is None:
                return title
            # A moment: which stretch of the track it plays.
            end = format_ms(pick.end_ms, placeholder=self.tr("end"))
            return f"{title} · {format_ms(pick.start_ms or 0)}–{end}"
        if column == self.LENGTH:
            return format_ms(pick.duration_ms) if pick.duration_ms > 0 else ""
        return pick.reason


def _sources(count: MoodCount | None) -> str:
    """One line on where a mood's tracks got it, for its tooltip."""
    if count is None:
        return _tr("No track has this mood yet.")
    return _tr("Tracks: {total} (tags {tag}, packs {pack}, yours {listener})").format(
        total=count.total, tag=count.tag, pack=count.pack, listener=count.listener
    )


def _tr(text: str) -> str:
    return QCoreApplication.translate("PlaylistBuilderDialog", text)


def _person_key(name: str) -> str:
    return fold(" ".join(name.split()))


class PlaylistBuilderDialog(QDialog):
    """Build a playlist from moods (or scene moments), see it live, then play, queue or save it."""

    #: A playlist was saved: the :class:`~ostplayer.domain.playlist.Playlist`.
    saved = Signal(object)

    #: Changes are gathered this long (ms) before the preview is built again.
    DEBOUNCE_MS = 100

    def __init__(
        self,
        moods: MoodService,
        playlists: PlaylistService,
        scenes: SceneService,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._moods = moods
        self._playlists = playlists
        self._scenes = scenes
        # Shuffle and arc use this seed until "Shuffle Again": other changes keep the order.
        self._seed = random.randrange(1 << 31)
        self._mood_names: dict[str, str] = {}  # key → how the mood is shown and saved
        self._own_words: list[str] = []  # words the listener typed that no track has
        self._character_names: dict[str, str] = {}
        self._built = False

        self.setWindowTitle(self.tr("New Mood Playlist"))
        self.resize(1000, 640)
        self._rebuild_timer = QTimer(self)
        self._rebuild_timer.setSingleShot(True)
        self._rebuild_timer.setInterval(self.DEBOUNCE_MS)
        self._rebuild_timer.timeout.connect(self._rebuild)

        left = self._build_mood_side()
        right = self._build_options_and_preview()

        self.smart_check = QCheckBox(self.tr("Save as s&mart playlist (follows your moods)"))
        self.smart_check.setAccessibleName(self.tr("Save as smart playlist"))
        self.smart_check.setToolTip(
            self.tr(
                "Save the moods, not the tracks: the playlist changes as your moods change. "
                "Scene playlists are always saved as they are."
            )
        )
        #: What was just done (played, queued, saved), in one line.
        self.status_label = QLabel()
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)  # it names playlists
        self.status_label.setAccessibleName(self.tr("Playlist builder status"))

        self.play_button = self._button(
            self.tr("&Play Now"), self.tr("Play Now"), self.tr("Play the preview now")
        )
        self.enqueue_button = self._button(
            self.tr("&Enqueue"), self.tr("Enqueue"), self.tr("Add the preview to the play queue")
        )
        self.save_button = self._button(
            self.tr("&Save…"), self.tr("Save"), self.tr("Save the preview as a playlist")
        )
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        for button in (self.play_button, self.enqueue_button, self.save_button):
            self.buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setAccessibleName(self.tr("Close"))
        self.close_button.setToolTip(self.tr("Close the playlist builder"))
        # No default button: Enter in the mood box adds the mood, it never plays or saves.
        for button in self.buttons.buttons():
            if isinstance(button, QPushButton):
                button.setAutoDefault(False)
                button.setDefault(False)
        self.buttons.rejected.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(left, 1)
        top.addWidget(right, 3)
        bottom = QHBoxLayout()
        bottom.addWidget(self.smart_check)
        bottom.addWidget(self.status_label, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top, 1)
        layout.addLayout(bottom)
        layout.addWidget(self.buttons)

        self._connect()
        self._set_tab_order()
        self._reload_choices()
        self._update_modes()
        self._rebuild()

    # -- building the window -------------------------------------------------------------------
    def _button(self, text: str, name: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(name)
        button.setToolTip(tip)
        return button

    def _check_list(self, model: CheckListModel, name: str, tip: str) -> QListView:
        view = QListView()
        view.setModel(model)
        view.setUniformItemSizes(True)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setAccessibleName(name)
        view.setToolTip(tip)
        return view

    def _build_mood_side(self) -> QWidget:
        self.include_model = CheckListModel(self)
        self.include_list = self._check_list(
            self.include_model,
            self.tr("Include moods"),
            self.tr("Tick the moods the playlist is made of (Space ticks the selected one)"),
        )
        include_label = QLabel(self.tr("&Include moods:"))
        include_label.setBuddy(self.include_list)

        self.own_mood_edit = QLineEdit()
        self.own_mood_edit.setPlaceholderText(self.tr("Another mood…"))
        self.own_mood_edit.setClearButtonEnabled(True)
        self.own_mood_edit.setAccessibleName(self.tr("Add a mood of your own"))
        self.own_mood_edit.setToolTip(
            self.tr("Type any mood word and press Enter to include it too")
        )
        self._completions = QStringListModel(self)
        completer = QCompleter(self._completions, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.own_mood_edit.setCompleter(completer)
        self.add_mood_button = self._button(
            self.tr("&Add"), self.tr("Add the mood"), self.tr("Include the mood typed beside")
        )
        self.add_mood_button.setAutoDefault(False)

        self.any_radio = QRadioButton(self.tr("A&ny of these"))
        self.any_radio.setAccessibleName(self.tr("Any of these moods"))
        self.any_radio.setToolTip(self.tr("Take tracks that have at least one ticked mood"))
        self.all_radio = QRadioButton(self.tr("A&ll of these"))
        self.all_radio.setAccessibleName(self.tr("All of these moods"))
        self.all_radio.setToolTip(self.tr("Take only tracks that have every ticked mood"))
        self.any_radio.setChecked(True)
        self._match = QButtonGroup(self)
        self._match.addButton(self.any_radio)
        self._match.addButton(self.all_radio)

        self.exclude_model = CheckListModel(self)
        self.exclude_list = self._check_list(
            self.exclude_model,
            self.tr("Exclude moods"),
            self.tr("Tracks with a mood ticked here are left out"),
        )
        self.exclude_label = QLabel(self.tr("E&xclude moods:"))
        self.exclude_label.setBuddy(self.exclude_list)

        side = QWidget()
        layout = QVBoxLayout(side)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(include_label)
        layout.addWidget(self.include_list, 3)
        own = QHBoxLayout()
        own.addWidget(self.own_mood_edit, 1)
        own.addWidget(self.add_mood_button)
        layout.addLayout(own)
        match = QHBoxLayout()
        match.addWidget(self.any_radio)
        match.addWidget(self.all_radio)
        match.addStretch(1)
        layout.addLayout(match)
        layout.addSpacing(6)
        layout.addWidget(self.exclude_label)
        layout.addWidget(self.exclude_list, 2)
        return side

    def _build_options_and_preview(self) -> QWidget:
        self.minutes_spin = QSpinBox()
        self.minutes_spin.setRange(0, 24 * 60)
        self.minutes_spin.setSingleStep(5)
        self.minutes_spin.setSpecialValueText(self.tr("No limit"))  # shown for 0
        self.minutes_spin.setSuffix(self.tr(" min"))
        self.minutes_spin.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)
        self.minutes_spin.setAccessibleName(self.tr("Length in minutes"))
        self.minutes_spin.setToolTip(
            self.tr("About how long the playlist runs; it may pass this by up to one entry")
        )

        self.order_combo = QComboBox()
        orders: tuple[tuple[Order, str], ...] = (
            ("album", self.tr("Album order")),
            ("shuffle", self.tr("Shuffle")),
            ("arc", self.tr("Mood arc (calm → intense → release)")),
            ("series", self.tr("Series order (first appearance)")),
        )
        for order, text in orders:
            self.order_combo.addItem(text, order)
        self.order_combo.setAccessibleName(self.tr("Order"))
        self.order_combo.setToolTip(self.tr("The order the tracks play in"))
        self.shuffle_button = self._button(
            self.tr("S&huffle Again"),
            self.tr("Shuffle again"),
            self.tr("Draw another shuffle of the same moods"),
        )

        self.moments_check = QCheckBox(self.tr("S&cenes only (each plays its span)"))
        self.moments_check.setAccessibleName(self.tr("Scenes only"))
        self.moments_check.setToolTip(
            self.tr(
                "Make the playlist of scene moments instead of whole tracks: each plays only "
                "the part of the track heard in the scene, in series order"
            )
        )

        self.characters_model = CheckListModel(self)
        self.characters_list = self._check_list(
            self.characters_model,
            self.tr("Characters"),
            self.tr("Only scenes with one of the ticked characters (none ticked: any)"),
        )
        characters_label = QLabel(self.tr("Cha&racters:"))
        characters_label.setBuddy(self.characters_list)
        self.first_episode_combo = QComboBox()
        self.first_episode_combo.setAccessibleName(self.tr("First episode"))
        self.first_episode_combo.setToolTip(self.tr("Only scenes from this episode on"))
        self.last_episode_combo = QComboBox()
        self.last_episode_combo.setAccessibleName(self.tr("Last episode"))
        self.last_episode_combo.setToolTip(self.tr("Only scenes up to this episode"))
        for combo in (self.first_episode_combo, self.last_episode_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)

        options = QFormLayout()
        options.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        options.addRow(self._label(self.tr("&Length:"), self.minutes_spin), self.minutes_spin)
        order_row = QHBoxLayout()
        order_row.addWidget(self.order_combo)
        order_row.addWidget(self.shuffle_button)
        order_row.addStretch(1)
        options.addRow(self._label(self.tr("&Order:"), self.order_combo), order_row)

        episodes = QFormLayout()
        episodes.addRow(
            self._label(self.tr("&First:"), self.first_episode_combo), self.first_episode_combo
        )
        episodes.addRow(
            self._label(self.tr("Las&t:"), self.last_episode_combo), self.last_episode_combo
        )
        episodes_side = QVBoxLayout()
        episodes_title = QLabel(self.tr("Episodes:"))
        episodes_side.addWidget(episodes_title)
        episodes_side.addLayout(episodes)
        episodes_side.addStretch(1)
        characters_side = QVBoxLayout()
        characters_side.addWidget(characters_label)
        characters_side.addWidget(self.characters_list)
        #: The scene filters, shown only with "Scenes only".
        self.moments_box = QWidget()
        moments_layout = QHBoxLayout(self.moments_box)
        moments_layout.setContentsMargins(0, 0, 0, 0)
        moments_layout.addLayout(characters_side, 1)
        moments_layout.addLayout(episodes_side, 1)
        self.characters_list.setMaximumHeight(120)

        self.preview_model = PreviewModel(self)
        self.preview = QTableView()
        self.preview.setModel(self.preview_model)
        self.preview.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.preview.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.setShowGrid(False)
        self.preview.setWordWrap(False)
        self.preview.setAlternatingRowColors(True)
        self.preview.verticalHeader().hide()
        self.preview.setAccessibleName(self.tr("Preview"))
        self.preview.setToolTip(self.tr("What the playlist holds now; Enter plays from a row"))
        header = self.preview.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(PreviewModel.NUMBER, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(PreviewModel.LENGTH, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(PreviewModel.TITLE, 260)
        header.setStretchLastSection(True)
        preview_label = QLabel(self.tr("Pre&view:"))
        preview_label.setBuddy(self.preview)

        self.empty_label = QLabel()
        self.empty_label.setTextFormat(Qt.TextFormat.PlainText)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        # Framed on the view's background, so the preview keeps its place when it is empty.
        self.empty_label.setFrameShape(QFrame.Shape.StyledPanel)
        self.empty_label.setBackgroundRole(QPalette.ColorRole.Base)
        self.empty_label.setAutoFillBackground(True)
        self.empty_label.setAccessibleName(self.tr("Nothing to preview"))
        self.preview_stack = QStackedWidget()
        self.preview_stack.addWidget(self.preview)
        self.preview_stack.addWidget(self.empty_label)

        self.summary_label = QLabel()
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)
        self.summary_label.setAccessibleName(self.tr("Playlist length"))

        side = QWidget()
        layout = QVBoxLayout(side)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(options)
        layout.addWidget(self.moments_check)
        layout.addWidget(self.moments_box)
        layout.addWidget(preview_label)
        layout.addWidget(self.preview_stack, 1)
        layout.addWidget(self.summary_label)
        return side

    def _label(self, text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(buddy)  # Alt+letter, and screen readers name the field
        return label

    def _connect(self) -> None:
        self.include_model.toggled.connect(self._include_toggled)
        self.exclude_model.toggled.connect(self._exclude_toggled)
        self.characters_model.toggled.connect(self._schedule)
        self.own_mood_edit.returnPressed.connect(self.add_own_mood)
        self.add_mood_button.clicked.connect(self.add_own_mood)
        self._match.buttonToggled.connect(self._schedule)
        self.minutes_spin.valueChanged.connect(self._schedule)
        self.order_combo.currentIndexChanged.connect(self._order_changed)
        self.shuffle_button.clicked.connect(self.shuffle_again)
        self.moments_check.toggled.connect(self._moments_toggled)
        self.first_episode_combo.currentIndexChanged.connect(self._first_episode_changed)
        self.last_episode_combo.currentIndexChanged.connect(self._last_episode_changed)
        self.smart_check.toggled.connect(self._update_buttons)
        self.preview.activated.connect(lambda index: self.play(index.row()))
        self.play_button.clicked.connect(lambda: self.play())
        self.enqueue_button.clicked.connect(self.enqueue)
        self.save_button.clicked.connect(self.save)
        self._moods.moods_changed.connect(self._moods_changed)

    def _set_tab_order(self) -> None:
        chain = [
            self.include_list,
            self.own_mood_edit,
            self.add_mood_button,
            self.any_radio,
            self.all_radio,
            self.exclude_list,
            self.minutes_spin,
            self.order_combo,
            self.shuffle_button,
            self.moments_check,
            self.characters_list,
            self.first_episode_combo,
            self.last_episode_combo,
            self.preview,
            self.smart_check,
            self.play_button,
            self.enqueue_button,
            self.save_button,
            self.close_button,
        ]
        for before, after in pairwise(chain):
            QWidget.setTabOrder(before, after)

    # -- choices -------------------------------------------------------------------------------
    def _reload_choices(self) -> None:
        """Read the moods, characters and episodes again; the ticks stay where they were."""
        counts = {count.key: count for count in self._moods.counts()}
        choices: list[Choice] = []
        names: dict[str, str] = {}

        def add(key: str, name: str, description: str) -> None:
            count = counts.get(key)
            names[key] = name
            text = self.tr("{mood}  ({count})").format(mood=name, count=count.total if count else 0)
            tip = f"{description}\n{_sources(count)}"
            choices.append(Choice(key, text, tip, dimmed=count is None))

        # The vocabulary first, calm to intense, then the other words in use, most used first.
        for info in VOCABULARY:
            description = QCoreApplication.translate("MoodVocabulary", info.description)
            add(info.name, info.name, description)
        for key, count in counts.items():
            if key not in names:
                add(key, count.name, self.tr("A mood from your tags, scene packs or your own."))
        for word in self._own_words:
            if mood_key(word) not in names:
                add(mood_key(word), word, self.tr("Your own mood word."))
        self._mood_names = names
        self.include_model.set_choices(choices)
        self.exclude_model.set_choices(choices)
        self._completions.setStringList(self._moods.known_moods())
        self._reload_characters()
        self._reload_episodes()

    def _reload_characters(self) -> None:
        mixer = self._moods.mixer()
        scenes: dict[str, int] = {}
        names: dict[str, str] = {}
        for moment in mixer.moments() if mixer is not None else ():
            for name in moment.characters:
                key = _person_key(name)
                if not key:
                    continue
                names.setdefault(key, " ".join(name.split()))
                scenes[key] = scenes.get(key, 0) + 1
        self._character_names = names
        # The characters in the most scenes first: the leads are at the top.
        ordered = sorted(scenes, key=lambda key: (-scenes[key], key))
        self.characters_model.set_choices(
            [
                Choice(
                    key,
                    self.tr("{name}  ({count})").format(
                        name=isolate(names[key]), count=scenes[key]
                    ),
                    self.tr("{name} — scenes: {count}").format(
                        name=isolate(names[key]), count=scenes[key]
                    ),
                )
                for key in ordered
            ]
        )

    def _reload_episodes(self) -> None:
        episodes = self._episodes()
        for combo, fallback in ((self.first_episode_combo, 0), (self.last_episode_combo, -1)):
            kept = combo.currentData()
            blocker = QSignalBlocker(combo)  # one rebuild at the end, not one per item
            combo.clear()
            for episode in episodes:
                text = f"{episode.label} — {episode.title}" if episode.title else episode.label
                combo.addItem(text, episode.key)
            index = combo.findData(kept) if kept is not None else -1
            if index < 0 and episodes:
                index = fallback % len(episodes)
            combo.setCurrentIndex(index)
            blocker.unblock()
            combo.setEnabled(bool(episodes))

    def _episodes(self) -> list[Episode]:
        """The episodes to choose from: up to the one the listener has watched (no spoilers)."""
        episodes = self._scenes.repository.episodes()
        watched = self._scenes.watched_up_to()
        if watched is None:
            return episodes
        limit = episode_order(watched)
        return [e for e in episodes if (e.season, e.number) <= limit]

    def add_own_mood(self) -> None:
        """Include the mood typed in the box (added to the lists when it is a new word)."""
        word = " ".join(self.own_mood_edit.text().split())
        key = mood_key(word)
        if not key:
            return
        if key not in self._mood_names:
            self._own_words.append(word)
            self._reload_choices()
        self.include_model.set_checked(key, True)
        row = self.include_model.row_of(key)
        if row is not None:
            self.include_list.scrollTo(self.include_model.index(row, 0))
        self.own_mood_edit.clear()

    def _include_toggled(self, key: str, checked: bool) -> None:
        if checked:  # a mood is included or excluded, never both
            self.exclude_model.set_checked(key, False)
        self._schedule()

    def _exclude_toggled(self, key: str, checked: bool) -> None:
        if checked:
            self.include_model.set_checked(key, False)
        self._schedule()

    def _first_episode_changed(self, index: int) -> None:
        if index > self.last_episode_combo.currentIndex() >= 0:  # the range never runs back
            self.last_episode_combo.setCurrentIndex(index)
        self._schedule()

    def _last_episode_changed(self, index: int) -> None:
        if 0 <= index < self.first_episode_combo.currentIndex():
            self.first_episode_combo.setCurrentIndex(index)
        self._schedule()

    # -- the rules -----------------------------------------------------------------------------
    def included(self) -> list[str]:
        """The ticked moods to include, as shown."""
        return [self._mood_names[key] for key in self.include_model.checked()]

    def excluded(self) -> list[str]:
        """The ticked moods to leave out, as shown."""
        return [self._mood_names[key] for key in self.exclude_model.checked()]

    def is_moments(self) -> bool:
        """True when the playlist is made of scene moments."""
        return self.moments_check.isChecked()

    def mood_rule(self) -> MoodRule:
        """The rule the controls describe for a playlist of whole tracks."""
        minutes = self.minutes_spin.value()
        return MoodRule(
            include=tuple(self.included()),
            match_all=self.all_radio.isChecked(),
            exclude=tuple(self.excluded()),
            minutes=minutes or None,
            order=self.order_combo.currentData(),
        )

    def moment_rule(self) -> MomentRule:
        """The rule the controls describe for a playlist of scene moments."""
        first = self.first_episode_combo.currentIndex()
        last = self.last_episode_combo.currentIndex()
        count = self.first_episode_combo.count()
        return MomentRule(
            moods=tuple(self.included()),
            characters=tuple(self._character_names[k] for k in self.characters_model.checked()),
            # The ends of the list mean no limit: a scene of an unlisted episode still counts.
            first_episode=self.first_episode_combo.currentData() if first > 0 else None,
            last_episode=self.last_episode_combo.currentData() if 0 <= last < count - 1 else None,
            minutes=self.minutes_spin.value() or None,
        )

    # -- the preview ---------------------------------------------------------------------------
    def preview_picks(self) -> list[Pick]:
        """What the playlist holds now (a pending rebuild is done first)."""
        if self._rebuild_timer.isActive():
            self._rebuild()
        return self.preview_model.picks()

    def _schedule(self, *_args: object) -> None:
        self._rebuild_timer.start()

    def _moods_changed(self) -> None:
        self._reload_choices()
        self._schedule()

    def _order_changed(self, _index: int) -> None:
        self._update_modes()
        self._schedule()

    def _moments_toggled(self, _checked: bool) -> None:
        self._update_modes()
        self._schedule()

    def shuffle_again(self) -> None:
        """Draw another shuffle (or arc sample) of the same moods."""
        self._seed = random.randrange(1 << 31)
        self._schedule()

    def _update_modes(self) -> None:
        moments = self.is_moments()
        # Moments are always in series order and filtered by any mood: these do not apply.
        for widget in (
            self.exclude_label,
            self.exclude_list,
            self.any_radio,
            self.all_radio,
            self.order_combo,
            self.smart_check,
        ):
            widget.setEnabled(not moments)
        self.shuffle_button.setEnabled(
            not moments and self.order_combo.currentData() in ("shuffle", "arc")
        )
        self.moments_box.setVisible(moments)
        self._update_buttons()

    def _rebuild(self) -> None:
        self._rebuild_timer.stop()
        mixer = self._moods.mixer()
        picks = self._build(mixer) if mixer is not None else []
        self.preview_model.set_picks(picks, mixer.tracks if mixer is not None else {})
        self._built = mixer is not None
        total = sum(pick.duration_ms for pick in picks)
        if not picks:  # the empty state says it
            self.summary_label.clear()
        elif self.is_moments():
            self.summary_label.setText(
                (
                    self.tr("1 scene · {length}")
                    if len(picks) == 1
                    else self.tr("{count} scenes · {length}")
                ).format(count=len(picks), length=format_ms(total))
            )
        else:
            self.summary_label.setText(
                (
                    self.tr("1 track · {length}")
                    if len(picks) == 1
                    else self.tr("{count} tracks · {length}")
                ).format(count=len(picks), length=format_ms(total))
            )
        self.empty_label.setText(self._empty_text(mixer))
        self.preview_stack.setCurrentWidget(self.preview if picks else self.empty_label)
        self._update_buttons()

    def _build(self, mixer: Mixer) -> list[Pick]:
        if self.is_moments():
            return mixer.build_moments(self.moment_rule())
        return mixer.build(self.mood_rule(), seed=self._seed)

    def _empty_text(self, mixer: Mixer | None) -> str:
        if mixer is None:
            return self.tr("Reading your moods…")
        if self.is_moments():
            if self.characters_model.checked():
                return self.tr("No scenes with these moods and characters yet.")
            return self.tr("No scenes have these moods yet.")
        return self.tr("No tracks have these moods yet.")

    def _update_buttons(self, *_args: object) -> None:
        has_picks = self.preview_model.rowCount() > 0
        self.play_button.setEnabled(has_picks)
        self.enqueue_button.setEnabled(has_picks)
        # A smart playlist may be empty today: it fills as tracks get its moods.
        smart = self.smart_check.isChecked() and not self.is_moments()
        self.save_button.setEnabled(self._built and (has_picks or smart))

    # -- actions -------------------------------------------------------------------------------
    def play(self, start: int = 0) -> bool:
        """Play the preview from entry ``start``; False when there is nothing to play."""
        picks = self.preview_picks()
        if not self._playlists.play_picks(picks, start):
            return False
        self.status_label.setText(self._count_text(len(picks) - start, self.tr("Playing {what}.")))
        return True

    def enqueue(self) -> int:
        """Add the preview at the end of the play queue; returns how many entries."""
        added = self._playlists.enqueue_picks(self.preview_picks())
        if added:
            self.status_label.setText(
                self._count_text(added, self.tr("Added {what} to the queue."))
            )
        return added

    def default_name(self) -> str:
        """The name the Save prompt offers: the moods, e.g. "tender + warm"."""
        moods = " + ".join(self.included())
        if self.is_moments():
            what = moods or " + ".join(
                self._character_names[k] for k in self.characters_model.checked()
            )
            return self.tr("{what} scenes").format(what=what) if what else self.tr("Scenes")
        return moods or self.tr("Mood Playlist")

    def save(self) -> Playlist | None:
        """Ask for a name and save the playlist: its moods (smart) or its entries (static).

        Returns the new playlist, or ``None`` when the listener cancelled.
        """
        picks = self.preview_picks()
        smart = self.smart_check.isChecked() and not self.is_moments()
        name = self._playlists.free_name(self.default_name())
        prompt = self.tr("Name of the new playlist:")
        while True:
            text, ok = QInputDialog.getText(
                self, self.tr("Save Playlist"), prompt, QLineEdit.EchoMode.Normal, name
            )
            if not ok:
                return None
            wanted = " ".join(text.split())
            if not wanted:
                prompt = self.tr("A playlist needs a name:")
                continue
            free = self._playlists.free_name(wanted)
            if free == wanted:
                break
            # Taken: ask again, offering the next free variant of what was typed.
            prompt = self.tr("There is already a playlist called “{name}”. Another name:").format(
                name=wanted
            )
            name = free
        if smart:
            playlist = self._playlists.create(wanted, rule=self.mood_rule())
        else:
            playlist = self._playlists.create(wanted, entries_of(picks))
        if playlist is None:  # not saved: the window's banner says why
            self.status_label.setText(self.tr("Not saved."))
            return None
        self.status_label.setText(self.tr("Saved “{name}”.").format(name=isolate(playlist.name)))
        self.saved.emit(playlist)
        return playlist

    def _count_text(self, count: int, template: str) -> str:
        if self.is_moments():
            what = self.tr("1 scene") if count == 1 else self.tr("{n} scenes").format(n=count)
        else:
            what = self.tr("1 track") if count == 1 else self.tr("{n} tracks").format(n=count)
        return template.format(what=what)
