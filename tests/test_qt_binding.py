"""Guards against known-bad Qt bindings: a bad upgrade fails here, not for a listener."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QTimer


def test_void_calls_do_not_leak_references_to_none() -> None:
    # PySide6 6.12.0 on Python 3.11 drops a reference to None on every call that returns
    # nothing; after a few thousand calls the interpreter aborts ("none_dealloc").
    obj, timer = QObject(), QTimer()
    before = sys.getrefcount(None)
    for _ in range(500):
        obj.setObjectName("x")
        timer.setInterval(5)
    assert abs(sys.getrefcount(None) - before) < 50
