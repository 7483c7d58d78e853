"""Shared test helpers (imported by test modules; never import one test module from another)."""
