"""pytest fixture: one test CA per session."""
import pytest

from harness.ca import TestCA


@pytest.fixture(scope="session")
def test_ca(tmp_path_factory):
    return TestCA(tmp_path_factory.mktemp("ca"))
