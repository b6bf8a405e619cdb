"""The workspace: settings, inventory loading and validation, typed device run records."""
