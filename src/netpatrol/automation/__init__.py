"""Unattended work: due periods, cron/systemd units, notifications, syslog-triggered backups."""
