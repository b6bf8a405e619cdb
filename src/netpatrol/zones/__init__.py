"""Collectors per network zone: each zone's devices collected by that zone's Celery workers."""
