"""The question bank: its YAML format, validation, loading into the database and drafting."""
