"""The bundled lab: simulated SSH devices on loopback that the sample workspace points at."""
