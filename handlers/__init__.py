"""Flows: one module per flow, each exporting a `router`; bot/app.py lists them in order."""
