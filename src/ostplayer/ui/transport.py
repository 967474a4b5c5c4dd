"""The transport bar: previous, play/pause, next, the seek bar with times, volume and modes.

Wired only by signals. Updating the seek bar from the engine never seeks: the bar ignores
position updates while the listener drags it, and only a release or a click asks for a seek.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QRect, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QHelpEvent,
    QIcon,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSlider,
    QStyle,
    QStyleOptionSlider,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ostplayer.domain.timefmt import format_ms
from ostplayer.playback.engine import PlaybackState
from ostplayer.playback.queue import RepeatMode
from ostplayer.ui.plain import plain_tooltip


@dataclass(frozen=True, slots=True)
class Marker:
    """A cue on the seek bar: where it starts, where it ends (if known) and what it is."""

    start_ms: int
    end_ms: int | None
    label: str  # plain text, one line


@dataclass(frozen=True, slots=True)
class MarkerGroup:
    """Markers drawn as one because they sit a few pixels apart; the tooltip lists them all."""

    x: int  # pixel position of the first marker's start
    start_ms: int  # where a click on the group jumps to
    labels: tuple[str, ...]


class SeekSlider(QSlider):
    """A horizontal slider in ms that jumps to where it is clicked and seeks on release.

    It shows scene markers: a tick at each cue's start, with the cue's span shaded. Markers
    closer than :attr:`MERGE_PX` pixels are drawn as one; a click within :attr:`HIT_PX` of a
    marker jumps to its start, and hovering it names the scene(s).
    """

    seek_requested = Signal(int)

    MERGE_PX = 6
    HIT_PX = 5

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setRange(0, 0)
        self.setSingleStep(5000)
        self.setPageStep(10000)
        self._markers: list[Marker] = []
        self._groups: list[MarkerGroup] | None = None  # cached until size or markers change
        self.sliderReleased.connect(lambda: self.seek_requested.emit(self.value()))
        self.actionTriggered.connect(self._on_action)
        self.rangeChanged.connect(self._forget_groups)

    def set_position(self, position_ms: int) -> None:
        """Show the play position, unless the listener is dragging the handle."""
        if not self.isSliderDown():
            self.blockSignals(True)
            self.setValue(position_ms)
            self.blockSignals(False)

    # -- markers -----------------------------------------------------------------------------
    def set_markers(self, markers: list[Marker]) -> None:
        """Show these cues on the bar (an empty list clears them)."""
        self._markers = sorted(markers, key=lambda m: m.start_ms)
        self._forget_groups()

    def markers(self) -> list[Marker]:
        """The markers shown, by start."""
        return list(self._markers)

    def _forget_groups(self, *_args: object) -> None:
        self._groups = None
        self.update()

    def _span(self) -> tuple[int, int]:
        """The pixel x of value 0 and the pixel width of the value range (the handle's travel)."""
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        handle = self.style().subControlRect(
            QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, self
        )
        return handle.width() // 2, self.width() - handle.width()

    def marker_x(self, ms: int) -> int:
        """The pixel x of ``ms`` on the bar (the handle's centre at that value)."""
        offset, span = self._span()
        if self.maximum() <= self.minimum():
            return offset
        value = max(self.minimum(), min(self.maximum(), ms))
        return offset + QStyle.sliderPositionFromValue(self.minimum(), self.maximum(), value, span)

    def marker_groups(self) -> list[MarkerGroup]:
        """The markers as drawn: merged where they crowd together."""
        if self._groups is None:
            groups: list[MarkerGroup] = []
            if self.maximum() > self.minimum():
                for marker in self._markers:
                    x = self.marker_x(marker.start_ms)
                    if groups and x - groups[-1].x < self.MERGE_PX:
                        last = groups[-1]
                        groups[-1] = MarkerGroup(
                            last.x, last.start_ms, (*last.labels, marker.label)
                        )
                    else:
                        groups.append(MarkerGroup(x, marker.start_ms, (marker.label,)))
            self._groups = groups
        return self._groups

    def group_at(self, x: int) -> MarkerGroup | None:
        """The marker group within :attr:`HIT_PX` pixels of ``x``, if any."""
        best: MarkerGroup | None = None
        for group in self.marker_groups():
            distance = abs(group.x - x)
            if distance <= self.HIT_PX and (best is None or distance < abs(best.x - x)):
                best = group
        return best

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._groups = None
        super().resizeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self._markers or self.maximum() <= self.minimum():
            super().paintEvent(event)
            return
        # Groove, then the markers, then the handle on top: the handle is never hidden.
        painter = QPainter(self)
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        option.subControls = QStyle.SubControl.SC_SliderGroove
        self.style().drawComplexControl(QStyle.ComplexControl.CC_Slider, option, painter, self)
        groove = self.style().subControlRect(
            QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderGroove, self
        )
        accent = self.palette().color(QPalette.ColorRole.Highlight)
        shade = QColor(accent)
        shade.setAlpha(60)
        top, height = groove.top() - 2, groove.height() + 4
        for marker in self._markers:
            if marker.end_ms is not None and marker.end_ms > marker.start_ms:
                x0, x1 = self.marker_x(marker.start_ms), self.marker_x(marker.end_ms)
                painter.fillRect(QRect(x0, top, max(1, x1 - x0), height), shade)
        tick = QColor(accent.darker(130))
        for group in self.marker_groups():
            width = 3 if len(group.labels) > 1 else 2  # a merged marker is a little bolder
            painter.fillRect(QRect(group.x - width // 2, top - 2, width, height + 4), tick)
        option.subControls = QStyle.SubControl.SC_SliderHandle
        option.activeSubControls = (
            QStyle.SubControl.SC_SliderHandle if self.isSliderDown() else QStyle.SubControl.SC_None
        )
        self.style().drawComplexControl(QStyle.ComplexControl.CC_Slider, option, painter, self)
        painter.end()

    def tooltip_at(self, x: int) -> str | None:
        """The tooltip for pixel ``x``: the scenes of the marker there (escaped), or None."""
        group = self.group_at(x)
        return None if group is None else plain_tooltip("\n".join(group.labels))

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            tip = self.tooltip_at(event.pos().x())
            if tip is not None:
                QToolTip.showText(event.globalPos(), tip, self)
                return True
        return super().event(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        # Jump to the click instead of paging towards it, as every music player does.
        if event.button() == Qt.MouseButton.LeftButton and self.maximum() > 0:
            option = QStyleOptionSlider()
            self.initStyleOption(option)
            handle = self.style().subControlRect(
                QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, self
            )
            group = self.group_at(int(event.position().x()))
            if group is not None:  # near a marker: land exactly on the cue's start
                self.setSliderDown(True)
                self.setValue(group.start_ms)
            elif not handle.contains(event.position().toPoint()):
                value = QStyle.sliderValueFromPosition(
                    self.minimum(),
                    self.maximum(),
                    int(event.position().x()) - handle.width() // 2,
                    self.width() - handle.width(),
                )
                self.setSliderDown(True)
                self.setValue(value)
        super().mousePressEvent(event)

    def _on_action(self, action: int) -> None:
        # Keyboard and wheel steps on the focused bar seek too; dragging waits for release.
        if action != QSlider.SliderAction.SliderMove:
            self.seek_requested.emit(self.sliderPosition())


class TransportBar(QWidget):
    """The playback controls. It shows what it is told and says what the listener asks for."""

    previous_clicked = Signal()
    play_pause_clicked = Signal()
    next_clicked = Signal()
    seek_requested = Signal(int)
    volume_requested = Signal(int)
    mute_toggled = Signal(bool)
    shuffle_toggled = Signal(bool)
    repeat_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: Which standard icon each button shows (drawn again when the palette changes).
        self._icons: dict[QToolButton, QStyle.StandardPixmap] = {}
        self.previous_button = self._button(
            QStyle.StandardPixmap.SP_MediaSkipBackward,
            self.tr("Previous"),
            self.tr("Previous track (Ctrl+Left)"),
        )
        self.play_button = self._button(
            QStyle.StandardPixmap.SP_MediaPlay,
            self.tr("Play"),
            self.tr("Play or pause (Space)"),
        )
        self.next_button = self._button(
            QStyle.StandardPixmap.SP_MediaSkipForward,
            self.tr("Next"),
            self.tr("Next track (Ctrl+Right)"),
        )
        self.shuffle_button = self._button(None, self.tr("Shuffle"), self.tr("Shuffle"))
        self.shuffle_button.setText(self.tr("Shuffle"))
        self.shuffle_button.setCheckable(True)
        self.repeat_button = self._button(None, self.tr("Repeat"), "")
        self.mute_button = self._button(
            QStyle.StandardPixmap.SP_MediaVolume,
            self.tr("Mute"),
            self.tr("Mute or unmute (M)"),
        )
        self.mute_button.setCheckable(True)

        self.seek_slider = SeekSlider()
        self.seek_slider.setAccessibleName(self.tr("Seek"))
        self.seek_slider.setToolTip(self.tr("Position in the track (Left/Right: 5 s)"))
        self.elapsed_label = QLabel(format_ms(None))
        self.remaining_label = QLabel(format_ms(None))
        for label in (self.elapsed_label, self.remaining_label):
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setMinimumWidth(label.fontMetrics().horizontalAdvance("-0:00:00") + 4)
        self.elapsed_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.elapsed_label.setAccessibleName(self.tr("Elapsed time"))
        self.remaining_label.setAccessibleName(self.tr("Remaining time"))

        self.volume_slider = QSlider(Qt.Orientation.Horizontal)
        self.volume_slider.setRange(0, 100)
        self.volume_slider.setValue(100)
        self.volume_slider.setFixedWidth(100)
        self.volume_slider.setAccessibleName(self.tr("Volume"))
        self.volume_slider.setToolTip(self.tr("Volume"))

        buttons = QHBoxLayout()
        for button in (self.previous_button, self.play_button, self.next_button):
            buttons.addWidget(button)
        buttons.addSpacing(12)
        buttons.addWidget(self.shuffle_button)
        buttons.addWidget(self.repeat_button)
        buttons.addStretch(1)
        buttons.addWidget(self.mute_button)
        buttons.addWidget(self.volume_slider)

        seek = QHBoxLayout()
        seek.addWidget(self.elapsed_label)
        seek.addWidget(self.seek_slider, 1)
        seek.addWidget(self.remaining_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(seek)
        layout.addLayout(buttons)

        self.previous_button.clicked.connect(self.previous_clicked)
        self.play_button.clicked.connect(self.play_pause_clicked)
        self.next_button.clicked.connect(self.next_clicked)
        self.seek_slider.seek_requested.connect(self.seek_requested)
        self.volume_slider.valueChanged.connect(self.volume_requested)
        self.mute_button.toggled.connect(self.mute_toggled)
        self.shuffle_button.toggled.connect(self.shuffle_toggled)
        self.repeat_button.clicked.connect(self.repeat_clicked)
        self.show_repeat(RepeatMode.OFF)

    def _button(self, icon: QStyle.StandardPixmap | None, name: str, tip: str) -> QToolButton:
        button = QToolButton()
        if icon is not None:
            self._set_icon(button, icon)
        button.setAccessibleName(name)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        return button

    # -- icons -------------------------------------------------------------------------------
    def _set_icon(self, button: QToolButton, kind: QStyle.StandardPixmap) -> None:
        self._icons[button] = kind
        button.setIcon(self._icon(kind))

    def _icon(self, kind: QStyle.StandardPixmap) -> QIcon:
        """The style's media icon, redrawn in the text colour on a dark palette.

        Fusion's media icons are dark glyphs made for light backgrounds: on the dark theme
        they would all but vanish.
        """
        icon = self.style().standardIcon(kind)
        colour = self.palette().color(QPalette.ColorRole.ButtonText)
        if colour.lightness() < 128:  # a light palette: the glyphs already fit it
            return icon
        tinted = QIcon()
        for size in (16, 24, 32, 48):
            pixmap = icon.pixmap(size, size)
            if pixmap.isNull():
                continue
            painter = QPainter(pixmap)
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
            painter.fillRect(pixmap.rect(), colour)
            painter.end()
            tinted.addPixmap(pixmap)
        return tinted

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # the theme changed: redraw the icons
            for button, kind in self._icons.items():
                button.setIcon(self._icon(kind))

    # -- showing -----------------------------------------------------------------------------
    def show_state(self, state: PlaybackState) -> None:
        """Switch the play button between play and pause."""
        playing = state == PlaybackState.PLAYING
        pixmap = (
            QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        )
        self._set_icon(self.play_button, pixmap)
        self.play_button.setAccessibleName(self.tr("Pause") if playing else self.tr("Play"))

    def show_position(self, position_ms: int, duration_ms: int) -> None:
        """Show the play position and the time left."""
        if self.seek_slider.maximum() != duration_ms:
            # A hostile file's length can pass what a slider holds (a C int): clamp it.
            self.seek_slider.setRange(0, min(max(0, duration_ms), 2**31 - 1))
        self.seek_slider.set_position(position_ms)
        shown = (
            self.seek_slider.sliderPosition() if self.seek_slider.isSliderDown() else position_ms
        )
        self.elapsed_label.setText(format_ms(shown))
        remaining = format_ms(shown - duration_ms) if duration_ms else format_ms(None)
        self.remaining_label.setText(remaining)

    def show_volume(self, volume: int, muted: bool) -> None:
        """Show the volume and mute state without asking for a change."""
        for widget, setter, value in (
            (self.volume_slider, self.volume_slider.setValue, volume),
            (self.mute_button, self.mute_button.setChecked, muted),
        ):
            widget.blockSignals(True)
            setter(value)  # type: ignore[operator]
            widget.blockSignals(False)
        pixmap = (
            QStyle.StandardPixmap.SP_MediaVolumeMuted
            if muted
            else QStyle.StandardPixmap.SP_MediaVolume
        )
        self._set_icon(self.mute_button, pixmap)

    def show_modes(self, shuffle: bool, repeat: RepeatMode) -> None:
        """Show shuffle and repeat."""
        self.shuffle_button.blockSignals(True)
        self.shuffle_button.setChecked(shuffle)
        self.shuffle_button.blockSignals(False)
        self.show_repeat(repeat)

    def show_repeat(self, repeat: RepeatMode) -> None:
        """Show the repeat mode on its button."""
        texts = {
            RepeatMode.OFF: self.tr("Repeat: off"),
            RepeatMode.ALL: self.tr("Repeat: all"),
            RepeatMode.ONE: self.tr("Repeat: one"),
        }
        self.repeat_button.setText(texts[repeat])
        self.repeat_button.setToolTip(self.tr("Repeat off, all or one (click to change)"))
        self.repeat_button.setCheckable(True)
        self.repeat_button.setChecked(repeat != RepeatMode.OFF)
