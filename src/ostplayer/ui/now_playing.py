"""The now-playing area: cover art, title, and artist and album of the current track."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette, QPixmap, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ostplayer.domain.track import Track
from ostplayer.ui.plain import isolate, plain_tooltip, shown

COVER_SIZE = 72


class _ElidedLabel(QLabel):
    """A one-line label that elides what does not fit, instead of widening its layout."""

    def __init__(self) -> None:
        super().__init__()
        self._full = ""
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def set_full_text(self, text: str) -> None:
        self._full = shown(text)  # clipped: eliding a megabyte on every resize would freeze
        self.setToolTip(plain_tooltip(text) if text else "")  # titles come from tags
        self._elide()

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        metrics = self.fontMetrics()
        super().setText(metrics.elidedText(self._full, Qt.TextElideMode.ElideRight, self.width()))


class NowPlaying(QWidget):
    """Shows a track; every text from tags is plain text, never rich text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cover = QLabel()
        self.cover.setFixedSize(COVER_SIZE, COVER_SIZE)
        self.cover.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.cover.setAccessibleName(self.tr("Cover art"))
        self.cover.setBackgroundRole(QPalette.ColorRole.Mid)
        self.cover.setAutoFillBackground(True)
        self.title = _ElidedLabel()
        self.details = _ElidedLabel()
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setAccessibleName(self.tr("Title"))
        self.details.setAccessibleName(self.tr("Artist and album"))

        text = QVBoxLayout()
        text.addStretch(1)
        text.addWidget(self.title)
        text.addWidget(self.details)
        text.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.cover)
        layout.addLayout(text, 1)
        self.show_track(None)

    def show_track(self, track: Track | None) -> None:
        """Show ``track``'s title and album; nothing playing shows a hint."""
        if track is None:
            self.title.set_full_text(self.tr("Nothing playing"))
            self.details.set_full_text(self.tr("Double-click a track, or press Enter, to play it"))
            self.show_cover(None)
            return
        self.title.set_full_text(track.display_title)
        # Each part isolated: bidi controls in the artist must not reorder the album.
        parts = [isolate(p) for p in (track.artist, track.album) if p]
        self.details.set_full_text(" — ".join(parts))

    def show_cover(self, data: bytes | None) -> None:
        """Show cover art from image bytes; ``None`` or a bad image clears it."""
        pixmap = QPixmap()
        if data and pixmap.loadFromData(data):
            self.cover.setPixmap(
                pixmap.scaled(
                    COVER_SIZE,
                    COVER_SIZE,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
        else:
            self.cover.clear()
