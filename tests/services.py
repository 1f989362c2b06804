"""The service rule shared by all tests: skip when a service is missing, fail under REQUIRE_SERVICES=1."""

import os

import pytest


def require_service(name: str, available: bool, detail: str = "") -> None:
    """Skip the calling test when a service is missing, or fail it when REQUIRE_SERVICES=1 (as in CI)."""
    if available:
        return
    message = f"{name} is not available{': ' + detail if detail else ''}"
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message} (REQUIRE_SERVICES=1)")
    pytest.skip(message)
