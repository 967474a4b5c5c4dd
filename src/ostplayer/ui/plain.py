"""Showing text from tags, packs, notes and file names as plain text, wherever Qt guesses.

Four dangers, and what meets each:

- **Markup.** Qt guesses rich text (``Qt::mightBeRichText``) in tooltips, message boxes and
  labels left on ``AutoText``. Labels are set to ``PlainText``; a tooltip, which has no such
  switch, goes through :func:`plain_tooltip`, which escapes it.
- **Length.** A tag or a note may hold a megabyte. Laying out a megabyte of text on every paint
  freezes the window, and no cell, label or tooltip can show it anyway: :func:`clip` keeps the
  first :data:`MAX_SHOWN_CHARS` characters (the stored text is never touched), and
  :func:`let_shrink` keeps a label's longest word from setting the window's minimum width.
- **Direction.** Bidirectional controls (U+202A..U+202E, U+2066..U+2069) in a tag would reorder
  *our* words around it ("Scenes for “…”", "… — OST Player"). :func:`isolate` puts a text that
  goes inside a sentence of ours between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE, after
  balancing its own controls, so its direction is worked out on its own and ends with it
  (Unicode UAX #9, section 6.3; HTML's ``<bdi>``). The text itself keeps its controls: a Hebrew
  or Arabic title still reads right, and stripping them would change what the listener wrote.
- **Paths.** A name suggested for a file to save (a playlist's, a pack's) may hold ``../``:
  :func:`file_stem` makes it a plain file name.
"""

from __future__ import annotations

import re

from PySide6.QtWidgets import QLabel, QSizePolicy

#: The most characters of one text shown in a cell, a label or one line of a tooltip.
MAX_SHOWN_CHARS = 1000
#: The most characters of one text in a window title (a title bar shows far fewer).
MAX_TITLE_CHARS = 200
#: The most characters a tooltip shows in all.
MAX_TOOLTIP_CHARS = 2000
ELLIPSIS = "…"

_LRE, _RLE, _PDF, _LRO, _RLO = "\u202a", "\u202b", "\u202c", "\u202d", "\u202e"
_LRI, _RLI, _FSI, _PDI = "\u2066", "\u2067", "\u2068", "\u2069"
_EMBEDDINGS = frozenset({_LRE, _RLE, _LRO, _RLO})
_ISOLATES = frozenset({_LRI, _RLI, _FSI})
# Paragraph separators (bidi class B): every embedding and isolate ends at one.
_PARAGRAPH = frozenset("\n\r\x1c\x1d\x1e\x85\u2029")
# Anything that can make text right-to-left: explicit controls, marks, and the right-to-left
# scripts' blocks. Text without any of these lays out the same isolated or not.
_NEEDS_ISOLATION = re.compile(
    "[\u202a-\u202e\u2066-\u2069\u200f\u061c\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe"
    "\U00010800-\U00010fff\U0001e800-\U0001efff]"
)


def clip(text: str, limit: int = MAX_SHOWN_CHARS) -> str:
    """``text`` cut to ``limit`` characters, the last one an ellipsis when it was cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1] + ELLIPSIS


def balanced(text: str) -> str:
    """``text`` with its bidirectional controls balanced: a closer with no opener is dropped,
    and an opener still open at the end of a line (or of the text) is closed there.

    A stray POP DIRECTIONAL ISOLATE would otherwise close *our* isolate early, and an override
    left open would run on into our words.
    """
    if not _NEEDS_ISOLATION.search(text):
        return text
    out: list[str] = []
    stack: list[str] = []  # the openers still open, innermost last

    def close_all() -> None:
        while stack:
            out.append(_PDI if stack.pop() in _ISOLATES else _PDF)

    for char in text:
        if char in _EMBEDDINGS or char in _ISOLATES:
            stack.append(char)
        elif char == _PDF:
            if not stack or stack[-1] in _ISOLATES:
                continue  # nothing of its own to close (UAX #9 ignores it; so do we)
            stack.pop()
        elif char == _PDI:
            if not any(opener in _ISOLATES for opener in stack):
                continue  # it would close the isolate we put around the text
            while stack.pop() not in _ISOLATES:  # a PDI closes the embeddings inside it too
                pass
        elif char in _PARAGRAPH:
            close_all()
        out.append(char)
    close_all()
    return "".join(out)


def isolate(text: str) -> str:
    """``text`` (clipped and balanced) ready to go inside a sentence of ours.

    Text that holds nothing right-to-left comes back as it is: isolation would change nothing.
    """
    text = clip(text)
    if not _NEEDS_ISOLATION.search(text):
        return text
    return _FSI + balanced(text) + _PDI


def shown(text: str) -> str:
    """``text`` as a cell or a label shows it on its own: clipped, its controls balanced."""
    return balanced(clip(text))


def let_shrink(label: QLabel) -> QLabel:
    """Let a label that shows someone else's text be narrower than that text.

    A label's minimum width is its longest line (its longest *word*, when it wraps): a tag of
    a thousand letters without a space would make the whole window thousands of pixels wide.
    With its width policy ``Ignored`` the layout gives it the room there is, and what does not
    fit is cut at its edge.
    """
    policy = label.sizePolicy()
    policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
    label.setSizePolicy(policy)
    return label


def file_stem(name: str, fallback: str) -> str:
    """A name (a playlist's, a pack's) as the suggested name of a file to save it in.

    The name is someone's text: it may hold ``/`` or ``..`` (a save dialog would take it as a
    path into another folder), characters Windows refuses, control characters, or a megabyte.
    Those are replaced, and the stem is cut to 50 characters (200 bytes at most: a folder entry
    holds 255, and an extension and an atomic save's temp name must fit too).
    """
    stem = "".join("_" if c in '/\\:*?"<>|' or not c.isprintable() else c for c in clip(name, 50))
    return stem.strip(". ") or fallback


def window_title_part(text: str) -> str:
    """``text`` as part of a window title: clipped to :data:`MAX_TITLE_CHARS`, isolated, and
    with Qt's ``[*]`` placeholder (the "modified" mark) escaped, so a title that holds ``[*]``
    shows it as written."""
    return isolate(clip(text, MAX_TITLE_CHARS)).replace("[*]", "[*][*]")


def plain_tooltip(text: str) -> str:
    """``text`` as a tooltip that shows it literally.

    QToolTip guesses rich text from the content (``Qt::mightBeRichText``), and there is no
    plain-text switch, so the text is escaped: markup from a pack shows as written. Long lines
    wrap (``pre-wrap`` keeps the text's own spaces and line breaks). Each line is clipped to
    :data:`MAX_SHOWN_CHARS` (so one long line leaves room for the others), the whole to
    :data:`MAX_TOOLTIP_CHARS`, and each line's bidi controls are balanced on their own.
    """
    import html  # only when a tooltip is shown: not needed for the first paint

    lines = [clip(line) for line in clip(text, 8 * MAX_TOOLTIP_CHARS).split("\n")]
    body = clip("\n".join(lines), MAX_TOOLTIP_CHARS)
    body = "\n".join(balanced(line) for line in body.split("\n"))
    return "<p style='white-space:pre-wrap'>" + html.escape(body) + "</p>"
