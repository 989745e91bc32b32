"""Programs the suite runs against for real: without one its tests are skipped, or fail where `CI` is set."""

from __future__ import annotations

import os
import shutil

import pytest


def required(name: str, package: str) -> str:
    """The path of program `name` (Debian package `package`); skipped without it, failed where CI is set."""
    found = shutil.which(name)
    if found is None:
        message = f"{name} is not installed (apt-get install -y {package})"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set and {message}")
        pytest.skip(message)
    return found
