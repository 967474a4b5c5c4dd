"""Finding audio files and reading their tags with mutagen."""
