"""Silent Signals: Finnish + English customer text → topics and early-warning signals."""

__version__ = "0.1.0"
