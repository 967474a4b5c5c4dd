"""Use cases that tie the lower layers together for the UI and the command line."""
