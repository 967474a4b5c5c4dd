"""Imported by the tag readers' fork server: everything a worker needs, loaded once."""

from ostplayer.library import tagreader, workers  # noqa: F401 - imported for its side effect

# The format classes and tag readers are imported on first use; make that use happen here.
tagreader._by_suffix()
tagreader._tag_readers()
tagreader._probe_options()
