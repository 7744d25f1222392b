"""Question sets stored in the database: loading and updating them (``loader``), the import
of a file with its change preview (``imports``), their media files (``media``), their export
(``export``) and the ``bank`` commands (``cli``).

The pure parts (the document model, the YAML format, validation, drafting) live in
``quizapp.bank``, the file formats in ``quizapp.formats``; this package is where they meet the
database. Its functions add and flush but never commit: the view or command owns the
transaction.
"""
