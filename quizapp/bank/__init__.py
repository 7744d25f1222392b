"""The question set as a document (pure: no Flask, no database): its model, its YAML format,
validation, and drafting a set from a source document. Storing sets is ``quizapp.sets``."""
