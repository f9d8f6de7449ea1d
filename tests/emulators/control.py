"""Client for an emulator's control interface (see base.py for the API).

Every emulator built on tests/emulators/base.py answers a small JSON API on
a separate plain-HTTP loopback port. Tests and benchmarks use this client;
it only needs the standard library, so it also works from the system's
python3.

    ctl = ControlClient("http://127.0.0.1:PORT")
    ctl.add_fault({"match": {"method": "POST"}, "action": "status",
                   "status": 503})
    ctl.counters()["by_endpoint"]["POST /zones/{zone_id}/dns_records"]
"""
import json
import urllib.error
import urllib.request


class ControlError(RuntimeError):
    pass


class ControlClient:
    """The same verbs as the in-process Emulator methods, over HTTP."""

    def __init__(self, url, timeout=30.0):
        self.url = url.rstrip("/")
        self.timeout = timeout

    def _call(self, method, path, body=None, timeout=None):
        data = None
        headers = {}
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.url + path, data=data,
                                     method=method, headers=headers)
        try:
            with urllib.request.urlopen(
                    req, timeout=timeout or self.timeout) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as e:
            raise ControlError("%s %s: HTTP %d: %s" % (
                method, path, e.code, e.read().decode(errors="replace")))
        return json.loads(raw) if raw else None

    # --- faults, latency, rate limit -----------------------------------
    def add_fault(self, spec):
        """Queue one fault (dict) or several (list); returns their ids."""
        return self._call("POST", "/faults", spec)["ids"]

    def faults(self):
        return self._call("GET", "/faults")["faults"]

    def clear_faults(self):
        return self._call("DELETE", "/faults")

    def set_latency(self, seconds, match=None):
        return self._call("POST", "/latency",
                          {"seconds": seconds, "match": match})

    def set_rate_limit(self, limit=None, window=None, rps=None, block=None,
                       off=False):
        body = {"off": off}
        for k, v in (("limit", limit), ("window", window), ("rps", rps),
                     ("block", block)):
            if v is not None:
                body[k] = v
        return self._call("POST", "/ratelimit", body)

    # --- counters, log, state --------------------------------------------
    def counters(self):
        return self._call("GET", "/counters")

    def log(self, since=0):
        return self._call("GET", "/log?since=%d" % since)["entries"]

    def secrets(self):
        """Secret header values received, in full (see Emulator.secrets)."""
        return self._call("GET", "/secrets")["secrets"]

    def reset(self, **parts):
        """reset() resets everything; reset(counters=True) only counters.
        Parts: counters, log, faults, latency, ratelimit, state, dns."""
        return self._call("POST", "/reset", parts or {})

    def seed(self, data):
        return self._call("POST", "/seed", data)

    def state(self):
        return self._call("GET", "/state")

    # --- DNS (RFC 2136 pushes to Knot) -----------------------------------
    def dns(self):
        return self._call("GET", "/dns")

    def set_dns_delay(self, seconds, server=None):
        body = {"delay": seconds}
        if server is not None:
            body["server"] = server
        return self._call("POST", "/dns", body)

    def dns_flush(self, timeout=10.0):
        """Wait until every queued push (delays included) has been sent."""
        return self._call("POST", "/dns/flush", {"timeout": timeout},
                          timeout=timeout + 5)
