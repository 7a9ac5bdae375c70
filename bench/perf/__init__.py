"""`make bench`: newsreader's speed at size, next to newsboat (see docs/PERFORMANCE.md)."""
