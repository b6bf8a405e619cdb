"""The Git store: git calls, the lock, file writes, refs and periods, drift."""
