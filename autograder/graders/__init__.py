"""The hidden graders: pytest tests, one file per part (plugin.py explains how they run)."""
