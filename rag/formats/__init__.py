"""One reader a file format: `read(data: bytes) -> Parsed`. The registry is `READERS` in loaders.py."""
