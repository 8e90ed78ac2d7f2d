"""Formats the archive exchanges with other tools."""
