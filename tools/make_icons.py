#!/usr/bin/env python3
"""Render OST Player's app icon from its SVG into the PNG sizes of the hicolor icon theme.

The SVG in ``resources/icons/hicolor/scalable/apps/`` is the source; this writes
``resources/icons/hicolor/<size>x<size>/apps/<app id>.png`` for every size in :data:`SIZES`.
The PNGs are committed (Windows, macOS and old desktops want bitmaps); run this again after
changing the SVG. It uses QtSvg from PySide6, so it needs nothing beyond the app's own
dependencies, and no display (it sets ``QT_QPA_PLATFORM=offscreen`` unless one is given).

Usage::

    python tools/make_icons.py            # write the PNGs
    python tools/make_icons.py --check    # exit 1 when a PNG is missing or out of date
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))  # the checkout's package, even without an install

from ostplayer import APP_ID  # noqa: E402 - needs the sys.path line above

#: The sizes desktops, docks and installers ask the hicolor theme for.
SIZES: tuple[int, ...] = (16, 22, 24, 32, 48, 64, 128, 256, 512)

ICONS_DIR = ROOT / "resources" / "icons"
SVG = ICONS_DIR / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"

#: Largest mean difference per channel (0-255) between a committed PNG and a fresh render that
#: still counts as the same picture: anti-aliasing may differ a little between Qt versions.
TOLERANCE = 2.0


def png_path(size: int, icons_dir: Path = ICONS_DIR) -> Path:
    """Where the PNG of ``size`` pixels lives in the hicolor tree."""
    return icons_dir / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def render(svg: Path, size: int) -> QImage:
    """The SVG drawn on a transparent ``size`` x ``size`` image."""
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not an SVG that QtSvg can read")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image


def difference(a: QImage, b: QImage) -> float:
    """Mean absolute difference per channel (0-255) of two images; 255 when the sizes differ."""
    if a.size() != b.size():
        return 255.0
    a = a.convertToFormat(QImage.Format.Format_RGBA8888)
    b = b.convertToFormat(QImage.Format.Format_RGBA8888)
    bytes_a, bytes_b = bytes(a.constBits()), bytes(b.constBits())
    return sum(abs(x - y) for x, y in zip(bytes_a, bytes_b, strict=True)) / len(bytes_a)


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check``, verify) every PNG size; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the committed PNGs")
    args = parser.parse_args(argv)

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # read when the app is made
    _app = QGuiApplication.instance() or QGuiApplication([])
    stale: list[str] = []
    for size in SIZES:
        image = render(SVG, size)
        target = png_path(size)
        if args.check:
            committed = QImage(str(target))
            if committed.isNull() or difference(committed, image) > TOLERANCE:
                stale.append(str(target.relative_to(ROOT)))
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target), "PNG"):
            print(f"make_icons: could not write {target}", file=sys.stderr)
            return 1
        print(f"wrote {target.relative_to(ROOT)}")
    if stale:
        print("make_icons: out of date (run tools/make_icons.py):", *stale, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
