"""Where the program keeps things: made once at start and passed in, never a module global."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DATA_DIR_ENV = "OSTPLAYER_DATA_DIR"


def resources_dir() -> Path:
    """The bundled resources: inside the installed package, else the checkout's ``resources/``."""
    here = Path(__file__).resolve().parent
    packaged = here / "resources"
    if packaged.is_dir():
        return packaged
    return here.parent.parent / "resources"


@dataclass(frozen=True, slots=True)
class AppPaths:
    """The user data dir and the files in it."""

    data_dir: Path

    @classmethod
    def resolve(cls, data_dir: str | os.PathLike[str] | None = None) -> AppPaths:
        """``--data-dir`` wins, then ``OSTPLAYER_DATA_DIR``, then the platform's user data dir."""
        chosen = data_dir or os.environ.get(DATA_DIR_ENV)
        if chosen:
            return cls(Path(chosen).expanduser().resolve())
        import platformdirs  # only needed when no override is given

        return cls(Path(platformdirs.user_data_dir("ostplayer", appauthor=False)))

    @property
    def database(self) -> Path:
        """The SQLite database of the library, the notes and the session."""
        return self.data_dir / "library.sqlite3"

    @property
    def backups_dir(self) -> Path:
        """Rotating database backups."""
        return self.data_dir / "backups"

    def ensure(self) -> None:
        """Create the data dir if it is missing."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
