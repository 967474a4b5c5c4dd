"""Links in the listener's notes: found strictly, opened only on the web, and only when asked.

A note is plain text; an address written in it can be opened from the note's context menu
("Open Link"). ``QDesktopServices.openUrl`` hands any URL to the desktop, and a ``file:`` URL
(or ``smb:``, or a ``.desktop`` file) can start a program, so:

- only ``http`` and ``https`` addresses are ever found, by a strict pattern: ASCII only (no
  bidi controls or look-alike letters can hide what the address is), no user name or password
  (``https://bank.example@evil.example``), a host, and nothing glued in front of the scheme
  (``javascript:http://…`` offers nothing);
- each is checked again with ``QUrl`` in strict mode before it is offered, and once more before
  it is opened;
- nothing opens until the listener has read the full address in a confirmation and chosen
  Open.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

#: The schemes a link may have. Nothing else is offered or opened, ever.
SCHEMES = frozenset({"http", "https"})
#: How long an address may be (browsers accept more; a note's link never needs it).
MAX_LINK_CHARS = 2000
#: How much of an address a menu entry shows (the confirmation shows all of it).
MENU_CHARS = 80

# "http://" or "https://" not glued to a word, a scheme or a path before it; then the
# characters RFC 3986 allows in a URI (ASCII only), up to a space, the end, or <, > or ".
# Anything else right after it (a bidi control, a look-alike letter) and nothing is found: a
# part of an address is never offered as if it were the whole.
_CANDIDATE = re.compile(
    r"(?<![\w:/.@%+\-])https?://[A-Za-z0-9\-._~%!$&'()*+,;=:@/?#\[\]]+(?=$|[\s<>\"])",
    re.IGNORECASE,
)
# Sentence punctuation that follows an address more often than it ends one.
_TRAILING = ".,;:!?'\"*"


def _tr(text: str) -> str:
    return QCoreApplication.translate("Links", text)


def _trim(candidate: str) -> str:
    while candidate:
        last = candidate[-1]
        if last in _TRAILING:
            candidate = candidate[:-1]
        elif last in ")]" and candidate.count(last) > candidate.count("(" if last == ")" else "["):
            candidate = candidate[:-1]  # "(see https://example.org)": the bracket is the note's
        else:
            break
    return candidate


def checked_url(text: str) -> QUrl | None:
    """``text`` as a web address that may be opened, or ``None``.

    It must parse in ``QUrl``'s strict mode as ``http`` or ``https`` with a host, and carry no
    user name or password.
    """
    if len(text) > MAX_LINK_CHARS or not text.isascii():
        return None
    url = QUrl(text, QUrl.ParsingMode.StrictMode)
    if not url.isValid() or url.scheme().lower() not in SCHEMES:
        return None
    if not url.host() or url.userName() or url.password():
        return None
    return url


def find_links(text: str) -> list[str]:
    """The web addresses written in ``text``, in order, each once."""
    found: dict[str, None] = {}
    for match in _CANDIDATE.finditer(text):
        candidate = _trim(match.group(0))
        if checked_url(candidate) is not None:
            found.setdefault(candidate, None)
    return list(found)


def confirm(parent: QWidget | None, link: str) -> bool:
    """Ask the listener whether to open ``link`` (shown in full); True for Open."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        _tr("Open Link"),
        _tr("Open this address in your web browser?\n\n{link}").format(link=link),
        QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.setTextFormat(Qt.TextFormat.PlainText)  # the address as written, never markup
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)  # Enter alone opens nothing
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return box.exec() == QMessageBox.StandardButton.Open


def open_link(
    parent: QWidget | None,
    link: str,
    opener: Callable[[QUrl], bool] | None = None,
) -> bool:
    """Open ``link`` in the browser once the listener confirms; True when it was handed over.

    ``link`` is checked again here, whatever offered it: nothing but http and https is ever
    passed to ``QDesktopServices.openUrl`` (or to ``opener``).
    """
    url = checked_url(link)
    if url is None or not confirm(parent, link):
        return False
    if opener is None:
        opener = QDesktopServices.openUrl
    return bool(opener(url))


def add_link_actions(menu: QMenu, text: str, parent: QWidget | None) -> QMenu | None:
    """Add "Open Link" to ``menu`` for the addresses in ``text``: one entry, or a submenu when
    there are several. Returns the submenu (or ``None`` when there is no address or just one).
    """
    links = find_links(text)
    if not links:
        return None
    if len(links) == 1:
        (link,) = links
        action = menu.addAction(_tr("Open &Link…"))
        action.setToolTip(link)
        action.triggered.connect(lambda: open_link(parent, link))
        return None
    submenu = menu.addMenu(_tr("Open &Link"))
    for link in links:
        shown = link if len(link) <= MENU_CHARS else link[: MENU_CHARS - 1] + "…"
        action = submenu.addAction(shown.replace("&", "&&") + "…")  # "&" is not a mnemonic
        action.triggered.connect(lambda _checked=False, link=link: open_link(parent, link))
    return submenu
