"""The Git store: its path layout, git calls, the lock, file writes, history, refs and periods, drift."""
