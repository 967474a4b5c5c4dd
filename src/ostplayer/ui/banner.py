"""A banner across the top of the window, for something the listener should know and fix."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)


class Banner(QFrame):
    """A headline and a longer explanation (selectable, so a command can be copied)."""

    def __init__(
        self,
        parent: QWidget | None = None,
        color: str = "#fff4ce",
        action: str = "",
        action_tip: str = "",
    ) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        # A palette, not a style sheet: a style sheet switches on Qt's style-sheet engine,
        # which costs ~10 ms at start-up and slows every later paint.
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(color))
        palette.setColor(QPalette.ColorRole.WindowText, QColor("#3b2f00"))
        self.setPalette(palette)
        self.setAutoFillBackground(True)
        self.headline = QLabel()
        font = self.headline.font()
        font.setBold(True)
        self.headline.setFont(font)
        self.body = QLabel()
        for label in (self.headline, self.body):
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton()
        close.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_DialogCloseButton))
        close.setAutoRaise(True)
        close.setAccessibleName(self.tr("Close"))
        close.setToolTip(self.tr("Hide this message"))
        close.clicked.connect(self.hide)
        text = QVBoxLayout()
        text.addWidget(self.headline)
        text.addWidget(self.body)
        layout = QHBoxLayout(self)
        layout.addLayout(text, 1)
        #: The banner's one action (for example "Add Music Folder…"), when it has one.
        self.action_button = QPushButton(action)
        self.action_button.setAccessibleName(action.replace("&", ""))
        self.action_button.setToolTip(action_tip or action.replace("&", ""))
        self.action_button.setVisible(bool(action))
        layout.addWidget(self.action_button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_message(self, headline: str, body: str) -> None:
        """Show the banner with this text."""
        self.headline.setText(headline)
        self.body.setText(body)
        self.body.setVisible(bool(body))
        self.show()

    def append_message(self, headline: str, body: str) -> None:
        """Show this message under the one already showing, so that neither is lost.

        Start-up may have two things to say (the library was restored, VLC is missing). The
        same message twice is shown once; a hidden banner simply shows this one.
        """
        if self.isHidden() or not self.headline.text():
            self.show_message(headline, body)
            return
        added = "\n".join(part for part in (headline, body) if part)
        shown = self.body.text()
        if headline == self.headline.text() and body == shown:
            return
        if added in shown.split("\n\n"):
            return
        self.body.setText(f"{shown}\n\n{added}" if shown else added)
        self.body.setVisible(True)
        self.show()
