"""Rendered outputs of a report snapshot: SVG charts, the board-pack PDF, CSV and XLSX tables."""
