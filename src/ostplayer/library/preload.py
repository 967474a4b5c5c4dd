"""Imported by the tag readers' fork server: everything a worker needs, loaded once."""

# What every worker's start would otherwise import: the shared index it writes (ctypes), the
# process machinery, and what runs the app's main module again in the child (about 14 ms).
import multiprocessing.popen_forkserver
import multiprocessing.sharedctypes  # noqa: F401
import pkgutil  # noqa: F401
import runpy  # noqa: F401

from ostplayer.library import tagreader, workers  # noqa: F401 - imported for its side effect

# The format classes and tag readers are imported on first use; make that use happen here.
tagreader._by_suffix()
tagreader._tag_readers()
tagreader._probe_options()
