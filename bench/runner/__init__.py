"""bench/run: builds nothing itself; runs every figure and writes the table (see bench/README.md)."""
