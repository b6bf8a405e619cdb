"""Backup: the Nornir task, config text cleaning, the sanitiser and the backup service."""
