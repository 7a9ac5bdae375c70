"""The Textual UI. The only part of newsreader that imports Textual."""
