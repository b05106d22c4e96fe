"""One fake of each extension point, each a single file that tests/test_extension_points.py
registers with one registry entry and uses through the real service."""
