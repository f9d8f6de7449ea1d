"""What every provider sandbox (an emulator wired to Knot) shares.

    class MySandbox(SandboxBase):      # sets self.emu, self.knots,
        ...                            # self.ca_file, self.port
        def api(self, method, path, body=None, ...):
            return self.call(method, "/prefix" + path, body,
                             {"Authorization": ...}, headers, conn, timeout)

    @pytest.fixture
    def my_factory(test_ca, tmp_path):
        with factory(lambda **kw: MySandbox(test_ca, tmp_path, **kw)) as make:
            yield make
"""
import contextlib
import http.client
import json
import ssl


class SandboxBase:
    knots = ()
    emu = None
    EMPTY_BODY = None   # what call() gives for an empty answer body

    @property
    def knot(self):
        return self.knots[0]

    @property
    def knot_addr(self):
        return self.knot.addr

    def txt(self, owner, server=0, flush=True):
        """TXT values Knot serves at owner, after pending pushes."""
        if flush:
            self.control.dns_flush()
        return self.knots[server].txt(owner)

    def connection(self, timeout=10):
        """An http.client connection verifying the test CA (keep-alive)."""
        ctx = ssl.create_default_context(cafile=self.ca_file)
        return http.client.HTTPSConnection("127.0.0.1", self.port,
                                           context=ctx, timeout=timeout)

    def call(self, method, path, body, auth, headers=None, conn=None,
             timeout=10):
        """One request -> (status, headers, json, or the raw bytes when
        the body is not JSON, or EMPTY_BODY when there is none). auth:
        the credential headers (may be empty)."""
        h = dict(auth)
        data = None
        if body is not None:
            data = body if isinstance(body, (bytes, str)) \
                else json.dumps(body)
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        own = conn is None
        c = conn or self.connection(timeout)
        try:
            c.request(method, path, body=data, headers=h)
            r = c.getresponse()
            raw = r.read()
            if not raw:
                parsed = self.EMPTY_BODY
            else:
                try:
                    parsed = json.loads(raw)
                except ValueError:
                    parsed = raw
            return r.status, dict(r.getheaders()), parsed
        finally:
            if own:
                c.close()

    def stop(self):
        if self.emu is not None:
            self.emu.stop()
            self.emu = None
        for k in self.knots:
            k.stop()
        self.knots = []


@contextlib.contextmanager
def factory(build):
    """make(**kw) -> build(**kw), every sandbox made stopped at the end."""
    made = []

    def make(*args, **kw):
        sb = build(*args, **kw)
        made.append(sb)
        return sb
    try:
        yield make
    finally:
        for sb in made:
            sb.stop()
