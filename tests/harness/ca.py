"""A throw-away certificate authority for the emulators' HTTPS.

Made at test time with the openssl command line: a CA key and certificate,
and a server certificate for localhost / 127.0.0.1 / ::1 signed by it. The
tool trusts the CA through --cacert (or CURL_CA_BUNDLE), with verification
on, exactly as a user would point it at a private CA.

    ca = TestCA(tmpdir)        # creates ca.pem, server.pem, server.key
    ca.ca_file, ca.cert_file, ca.key_file
    ca.other_ca_file           # a second CA that did NOT sign the server
"""
import os
import subprocess


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


class TestCA:
    __test__ = False  # not a pytest test class

    def __init__(self, directory, names=("localhost",),
                 ips=("127.0.0.1", "::1")):
        self.dir = os.path.abspath(directory)
        os.makedirs(self.dir, exist_ok=True)
        self.ca_file = os.path.join(self.dir, "ca.pem")
        self.ca_key = os.path.join(self.dir, "ca.key")
        self.cert_file = os.path.join(self.dir, "server.pem")
        self.key_file = os.path.join(self.dir, "server.key")
        self.other_ca_file = os.path.join(self.dir, "other-ca.pem")
        if not os.path.exists(self.cert_file):
            self._make(names, ips)

    def _make(self, names, ips):
        d = self.dir
        _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt",
                 "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                 "-subj", "/CN=tlsrpt-publish test CA",
                 "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                 "-keyout", "ca.key", "-out", "ca.pem", cwd=d)
        san = ",".join(["DNS:" + n for n in names] + ["IP:" + i for i in ips])
        with open(os.path.join(d, "server.ext"), "w") as f:
            f.write("basicConstraints=CA:FALSE\n"
                    "keyUsage=digitalSignature\n"
                    "extendedKeyUsage=serverAuth\n"
                    "subjectAltName=%s\n" % san)
        _openssl("req", "-newkey", "ec", "-pkeyopt",
                 "ec_paramgen_curve:prime256v1", "-nodes",
                 "-subj", "/CN=localhost", "-keyout", "server.key",
                 "-out", "server.csr", cwd=d)
        _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem",
                 "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
                 "-extfile", "server.ext", "-out", "server.pem", cwd=d)
        # An unrelated CA: trusting it instead must make verification fail.
        _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt",
                 "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                 "-subj", "/CN=unrelated CA", "-keyout", "other-ca.key",
                 "-out", "other-ca.pem", cwd=d)

    def server_context(self):
        """An ssl.SSLContext for an HTTPS server using the server cert."""
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert_file, self.key_file)
        return ctx
