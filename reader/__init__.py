"""newsreader: a fast, offline-first terminal feed reader."""

__version__ = "0.1.0"
