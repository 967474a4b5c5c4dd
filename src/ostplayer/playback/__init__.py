"""The libvlc engine, the position clock and the play queue."""
