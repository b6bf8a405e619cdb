"""netpatrol: config backup into Git and quarterly inspection of multi-vendor networks."""

__version__ = "0.1.0"
