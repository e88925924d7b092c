"""Planwatch: a forms pipeline for UK support services."""

__version__ = "0.1.0"
