"""Widgets, Qt item models, dialogs and the main window."""
