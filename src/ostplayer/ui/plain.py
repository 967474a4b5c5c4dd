"""Showing text from tags, packs, notes and file names as plain text, wherever Qt guesses."""

from __future__ import annotations


def plain_tooltip(text: str) -> str:
    """``text`` as a tooltip that shows it literally.

    QToolTip guesses rich text from the content (``Qt::mightBeRichText``), and there is no
    plain-text switch, so the text is escaped: markup from a pack shows as written.
    """
    import html  # only when a tooltip is shown: not needed for the first paint

    return "<p style='white-space:pre'>" + html.escape(text) + "</p>"
