"""OST Player: a soundtrack player that shows where each moment of the music is used."""

__version__ = "0.1.0"
APP_ID = "io.github.ostplayer.OSTPlayer"
APP_NAME = "OST Player"
