"""Running `tlsrpt-publish check` from the end-to-end tests."""
import json
import subprocess
import time


class Run:
    """A finished run: returncode, stdout, stderr, seconds, and the JSON
    objects of --output json/jsonl (results and summary)."""

    def __init__(self, proc, seconds):
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.seconds = seconds
        self.results = []
        self.summary = None
        text = self.stdout.strip()
        if text.startswith("{\"results\""):
            doc = json.loads(text)
            self.results = doc["results"]
            self.summary = doc["summary"]
        elif text.startswith("{"):
            for line in text.splitlines():
                obj = json.loads(line)
                if obj["type"] == "summary":
                    self.summary = obj
                else:
                    self.results.append(obj)

    def result(self, domain=None):
        """The one result (for domain, when given)."""
        rs = [r for r in self.results if domain in (None, r["domain"])]
        assert len(rs) == 1, (domain, self.stdout, self.stderr)
        return rs[0]

    def codes(self, domain=None):
        return [d["code"] for d in self.result(domain)["diagnostics"]]

    def __repr__(self):
        return "rc=%d stdout=%s stderr=%s" % (self.returncode, self.stdout,
                                              self.stderr)


def check(binary, *args, timeout=60, stdin=None, output="json", env=None):
    """Run `check ARGS` with --output OUTPUT (None: text); env replaces
    the environment when given."""
    argv = [binary, "check"] + [str(a) for a in args]
    if output is not None:
        argv += ["--output", output]
    t = time.monotonic()
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                       input=stdin, env=env)
    return Run(p, time.monotonic() - t)
