"""`inventory import`: a device sheet (xlsx, csv) read, mapped to platforms and sites, and merged into the inventory files."""
