"""pytest set-up for the end-to-end tests: the built binary and every
fixture module tests/harness/fixtures_*.py (each concern adds its own
module, so fixtures never collide in one file)."""
import glob
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
ROOT = os.path.dirname(TESTS)
sys.path.insert(0, TESTS)

# fixtures_emulators first: other fixture modules import it, and a plugin
# module imported before pytest loads it cannot have its asserts rewritten.
pytest_plugins = sorted(
    ("harness." + os.path.splitext(os.path.basename(p))[0]
     for p in glob.glob(os.path.join(TESTS, "harness", "fixtures_*.py"))),
    key=lambda m: (m != "harness.fixtures_emulators", m))


@pytest.fixture(scope="session")
def binary():
    """Path of the tlsrpt-publish binary under test (the Makefile passes
    the plain or sanitized build in TLSRPT_PUBLISH_BIN); with MEMCHECK=1,
    a script running it under Valgrind (harness/memcheck.py)."""
    path = os.environ.get("TLSRPT_PUBLISH_BIN",
                          os.path.join(ROOT, "tlsrpt-publish"))
    assert os.access(path, os.X_OK), "build the binary first: make"
    if os.environ.get("MEMCHECK") == "1":
        from harness.memcheck import wrapper
        return wrapper(path)
    return path
