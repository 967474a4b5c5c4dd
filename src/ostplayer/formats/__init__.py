"""Scene packs, LRC, WebVTT, M3U8 and XSPF."""
