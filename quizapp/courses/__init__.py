"""Courses: an instructor's class, joined with a code, with its sets and its statistics.

The blueprint lives in ``routes`` (not here) so that the pure ``stats`` module can be imported
without Flask.
"""
