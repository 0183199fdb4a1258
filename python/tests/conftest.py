"""Shared paths for the Python tests (ctest sets TEXTAUDIT_SOURCE_DIR and TEXTAUDIT_CLI)."""
import os
import pathlib

SOURCE_DIR = pathlib.Path(os.environ.get("TEXTAUDIT_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
CLI = os.environ.get("TEXTAUDIT_CLI", str(SOURCE_DIR / "build" / "textaudit"))
