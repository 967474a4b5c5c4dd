"""The transport bar: previous, play/pause, next, the seek bar with times, volume and modes.

Wired only by signals. Updating the seek bar from the engine never seeks: the bar ignores
position updates while the listener drags it, and only a release or a click asks for a seek.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSlider,
    QStyle,
    QStyleOptionSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ostplayer.domain.timefmt import format_ms
from ostplayer.playback.engine import PlaybackState
from ostplayer.playback.queue import RepeatMode


class SeekSlider(QSlider):
    """A horizontal slider in ms that jumps to where it is clicked and seeks on release."""

    seek_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setRange(0, 0)
        self.setSingleStep(5000)
        self.setPageStep(10000)
        self.sliderReleased.connect(lambda: self.seek_requested.emit(self.value()))
        self.actionTriggered.connect(self._on_action)

    def set_position(self, position_ms: int) -> None:
        """Show the play position, unless the listener is dragging the handle."""
        if not self.isSliderDown():
            self.blockSignals(True)
            self.setValue(position_ms)
            self.blockSignals(False)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        # Jump to the click instead of paging towards it, as every music player does.
        if event.button() == Qt.MouseButton.LeftButton and self.maximum() > 0:
            option = QStyleOptionSlider()
            self.initStyleOption(option)
            handle = self.style().subControlRect(
                QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, self
            )
            if not handle.contains(event.position().toPoint()):
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
        style = self.style()
        self.previous_button = self._button(
            style.standardIcon(QStyle.StandardPixmap.SP_MediaSkipBackward),
            self.tr("Previous"),
            self.tr("Previous track (Ctrl+Left)"),
        )
        self.play_button = self._button(
            style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay),
            self.tr("Play"),
            self.tr("Play or pause (Space)"),
        )
        self.next_button = self._button(
            style.standardIcon(QStyle.StandardPixmap.SP_MediaSkipForward),
            self.tr("Next"),
            self.tr("Next track (Ctrl+Right)"),
        )
        self.shuffle_button = self._button(None, self.tr("Shuffle"), self.tr("Shuffle"))
        self.shuffle_button.setText(self.tr("Shuffle"))
        self.shuffle_button.setCheckable(True)
        self.repeat_button = self._button(None, self.tr("Repeat"), "")
        self.mute_button = self._button(
            style.standardIcon(QStyle.StandardPixmap.SP_MediaVolume),
            self.tr("Mute"),
            self.tr("Mute"),
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

    def _button(self, icon: object, name: str, tip: str) -> QToolButton:
        button = QToolButton()
        if icon is not None:
            button.setIcon(icon)  # type: ignore[arg-type]
        button.setAccessibleName(name)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        return button

    # -- showing -----------------------------------------------------------------------------
    def show_state(self, state: PlaybackState) -> None:
        """Switch the play button between play and pause."""
        playing = state == PlaybackState.PLAYING
        pixmap = (
            QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        )
        self.play_button.setIcon(self.style().standardIcon(pixmap))
        self.play_button.setAccessibleName(self.tr("Pause") if playing else self.tr("Play"))

    def show_position(self, position_ms: int, duration_ms: int) -> None:
        """Show the play position and the time left."""
        if self.seek_slider.maximum() != duration_ms:
            self.seek_slider.setRange(0, max(0, duration_ms))
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
        self.mute_button.setIcon(self.style().standardIcon(pixmap))

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
