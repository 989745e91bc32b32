"""callsheet's storage layer: one SQLite file, its schema and its domain rules."""
