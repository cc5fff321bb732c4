"""Runs composed from the stages in `signals/`: wiring only, no stage logic."""
