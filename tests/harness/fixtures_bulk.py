"""pytest fixture: a portfolio of domains on the Cloudflare, GoDaddy and
Route 53 emulators, all served by one Knot DNS server (harness/portfolio.py).

    def test_x(portfolio_factory):
        pf = portfolio_factory({"cloudflare": ["c1.test"], "godaddy": [...],
                                "route53": [...]},
                               records={"c1.test": ["v=spf1 -all"]},
                               rate=50, latency=0.01)
        subprocess.run([binary, "publish", "--all", ...], env=pf.env())

Everything is stopped when the test ends.
"""
import pytest

from harness.portfolio import Portfolio


@pytest.fixture
def portfolio_factory(test_ca, tmp_path):
    made = []

    def make(zones, **kw):
        pf = Portfolio(test_ca, tmp_path, zones, **kw)
        made.append(pf)
        return pf.start()
    yield make
    for pf in made:
        pf.stop()
