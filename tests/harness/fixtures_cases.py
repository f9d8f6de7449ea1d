"""pytest fixtures: one sandbox per provider with the same three domains
(harness/providercase.py), for tests that run one scenario against every
provider.

    @pytest.mark.parametrize("case", PROVIDERS, indirect=True)
    def test_x(binary, case):      # a Case, reset to its seed
        case.values("a.test"), case.served("a.test"), case.fault({...})

Each provider's sandbox starts once per test module, at its first use,
and is reset (state, DNS, faults, counters, log) before every test.
"""
import collections

import pytest


@pytest.fixture(scope="module")
def provider_cases(test_ca, tmp_path_factory):
    """get(name) -> that provider's Case for this module."""
    # Imported here: an import at the top would load the emulator fixture
    # modules before pytest loads them as plugins.
    from harness.providercase import open_case
    tmp = tmp_path_factory.mktemp("cases")
    made = {}

    def get(name):
        if name not in made:
            made[name] = open_case(name, test_ca, tmp)
        return made[name]
    yield get
    for c in made.values():
        c.stop()


@pytest.fixture
def case(request, provider_cases):
    """The Case named by the test's parameter, back at its seed (checked
    in the API and in DNS)."""
    from harness.providercase import DOMAINS, SEED
    c = provider_cases(request.param)
    c.reset()
    for d in DOMAINS:
        assert collections.Counter(c.values(d)) == \
            collections.Counter(SEED[d]), d
        assert collections.Counter(c.served(d)) == \
            collections.Counter(SEED[d]), d
    return c
