"""Nornir tasks as plain functions. Only `collect.session` touches SSH."""
