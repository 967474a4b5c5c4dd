"""What the running app does with a remote-control request (see :mod:`.instance`).

The commands, with their arguments and results (every reply also has ``v`` and ``ok``):

=================  ==========================================  ===============================
``cmd``            arguments                                   reply
=================  ==========================================  ===============================
``hello``                                                      ``pid``, ``version``
``status``                                                     see :meth:`RemoteControl.status`
``play-pause``,
``play``,
``pause``,
``stop``,
``next``,
``previous``
``seek``           ``position_ms`` (from the start) or         ``position_ms``
                   ``offset_ms`` (from here, + or -)
``open``           ``paths``: absolute paths                   ``track_ids``, ``folders``,
                                                               ``problems``: [{path, message}]
``activate``                                                   (the window comes to the front)
``quit``                                                       (the app quits after replying)
=================  ==========================================  ===============================

Until start-up has finished (the saved session is back), requests that change what plays
wait, so that the session coming back never undoes them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer

from ostplayer import __version__
from ostplayer.desktop.instance import Message, Respond, failure, ok
from ostplayer.playback.engine import PlaybackState
from ostplayer.services.library import LibraryService, OpenedPaths
from ostplayer.services.player import PlayerService

#: Requests answered at once, even while the app is starting.
_AT_ONCE = frozenset({"hello", "status", "activate", "quit"})


def _tr(text: str) -> str:
    return QCoreApplication.translate("RemoteControl", text)


class RemoteControl(QObject):
    """Carries out remote-control requests with the player and the library.

    The window is reached through two callables, so that nothing here imports a widget:
    ``show_window`` brings it to the front, ``show_problems(headline, body)`` tells the
    listener about paths that could not be opened. ``quit_app`` ends the app.
    """

    def __init__(
        self,
        player: PlayerService,
        library: LibraryService,
        *,
        show_window: Callable[[], None],
        show_problems: Callable[[str, str], None],
        quit_app: Callable[[], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._player = player
        self._library = library
        self._show_window = show_window
        self._show_problems = show_problems
        self._quit_app = quit_app
        self._ready = False
        self._waiting: list[tuple[Message, Respond]] = []

    def set_ready(self) -> None:
        """Start-up has finished: carry out the requests that waited for it."""
        self._ready = True
        waiting, self._waiting = self._waiting, []
        for message, respond in waiting:
            self.handle(message, respond)

    def handle(self, message: Message, respond: Respond) -> None:
        """Carry out one request; ``respond`` gets the reply (now, or once files are read)."""
        command = message.get("cmd")
        if not isinstance(command, str):
            respond(failure(_tr("the request names no command")))
            return
        if not self._ready and command not in _AT_ONCE:
            self._waiting.append((message, respond))
            return
        handler = self._handlers().get(command)
        if handler is None:
            respond(failure(_tr("unknown command {command!r}").format(command=command)))
            return
        handler(message, respond)

    def open_paths(self, paths: list[Path], respond: Respond | None = None) -> None:
        """Open files and folders as the ``open`` command does (start-up arguments use it)."""
        self.handle({"cmd": "open", "paths": [os.fspath(p) for p in paths]}, respond or _ignore)

    # -- the commands ---------------------------------------------------------------------------
    def _handlers(self) -> dict[str, Callable[[Message, Respond], None]]:
        player = self._player

        def simple(action: Callable[[], None]) -> Callable[[Message, Respond], None]:
            def run(_message: Message, respond: Respond) -> None:
                action()
                respond(ok())

            return run

        return {
            "hello": lambda _m, respond: respond(ok(pid=os.getpid(), version=__version__)),
            "status": lambda _m, respond: respond(ok(**self.status())),
            "play-pause": self._needs_queue(player.play_pause),
            "play": self._needs_queue(player.play),
            "pause": simple(player.pause),
            "stop": simple(player.stop),
            "next": simple(player.next),
            "previous": simple(player.previous),
            "seek": self._seek,
            "open": self._open,
            "activate": simple(self._show_window),
            "quit": self._quit,
        }

    def status(self) -> dict[str, Any]:
        """What plays: ``state`` (playing, paused, stopped), ``track_id``, ``title``, ``artist``,
        ``album``, ``path``, ``position_ms``, ``duration_ms``, ``queue_index`` (from 0) and
        ``queue_length``. Track fields are ``None`` when the queue is empty."""
        player = self._player
        engine = player.engine
        track = player.current_track()
        state = engine.state() if engine is not None else PlaybackState.STOPPED
        position = engine.position() if engine is not None and track is not None else 0
        duration = (engine.duration() if engine is not None else 0) or (
            track.duration_ms if track is not None else 0
        )
        return {
            "state": state.value,
            "track_id": track.id if track is not None else None,
            "title": track.display_title if track is not None else None,
            "artist": track.artist if track is not None else None,
            "album": track.album if track is not None else None,
            "path": os.fspath(track.path) if track is not None else None,
            "position_ms": int(position),
            "duration_ms": int(duration) if track is not None else None,
            "queue_index": player.queue.current_index(),
            "queue_length": len(player.queue),
        }

    def _needs_queue(self, action: Callable[[], None]) -> Callable[[Message, Respond], None]:
        def run(_message: Message, respond: Respond) -> None:
            if self._player.queue.current() is None:
                respond(failure(_tr("Nothing to play: the queue is empty")))
                return
            action()
            respond(ok())

        return run

    def _seek(self, message: Message, respond: Respond) -> None:
        player = self._player
        if player.engine is None or player.current_track() is None:
            respond(failure(_tr("Nothing is playing")))
            return
        position, offset = message.get("position_ms"), message.get("offset_ms")
        if _is_int(position) and offset is None:
            player.seek(position)
        elif _is_int(offset) and position is None:
            player.seek_by(offset)
        else:
            respond(failure(_tr("seek needs position_ms or offset_ms, in whole milliseconds")))
            return
        respond(ok(position_ms=player.engine.position()))

    def _open(self, message: Message, respond: Respond) -> None:
        raw = message.get("paths")
        if not isinstance(raw, list) or not raw or not all(isinstance(p, str) for p in raw):
            respond(failure(_tr("open needs a list of paths")))
            return
        relative = [p for p in raw if not Path(p).is_absolute()]
        if relative:  # the app's working dir is not the sender's: guessing would be wrong
            respond(failure(_tr("paths must be absolute: {path}").format(path=relative[0])))
            return

        def opened(result: OpenedPaths) -> None:
            if result.track_ids:
                self._player.play_tracks(result.track_ids)
            if result.problems:
                headline = _tr("Some of what you opened could not be played")
                self._show_problems(headline, result.problem_text())
            respond(
                ok(
                    track_ids=result.track_ids,
                    folders=[os.fspath(folder) for folder in result.folders],
                    problems=[
                        {"path": os.fspath(path), "message": text} for path, text in result.problems
                    ],
                )
            )

        self._library.open_paths([Path(p) for p in raw], opened)

    def _quit(self, _message: Message, respond: Respond) -> None:
        respond(ok())  # written before the event loop ends
        QTimer.singleShot(0, self._quit_app)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _ignore(_reply: Message) -> None:
    """Start-up arguments have nobody waiting for a reply."""
