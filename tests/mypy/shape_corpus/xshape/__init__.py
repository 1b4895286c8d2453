"""Cross-file shape programs: annotations in `models.py`, calls in the other files."""
