"""Single instance, MPRIS, tray and remote-control commands."""
