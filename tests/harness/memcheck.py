"""`make memcheck`: the binary under test wrapped in Valgrind's memcheck.

With MEMCHECK=1 the `binary` fixture (tests/e2e/conftest.py) returns a
shell script next to the real binary that runs it under

    valgrind --error-exitcode=97 --leak-check=full
             --errors-for-leak-kinds=definite,indirect
             --suppressions=tests/supp/valgrind.supp
             --log-file=$MEMCHECK_LOG_DIR/vg.%p.log

so every run a test makes is checked: an invalid read or write, a use of
uninitialised memory, or a definite or indirect leak makes it exit 97
(which the test sees as a wrong exit status) and leaves its log in
MEMCHECK_LOG_DIR, which scripts/run-tests.sh sums up at the end ("memcheck:
N runs, N with errors"). Runs are 20 to 50 times slower under Valgrind,
so tests with tight deadlines may fail for time alone: the summary of the
logs is the verdict on memory.
"""
import os
import shlex

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
SUPP = os.path.join(ROOT, "tests", "supp", "valgrind.supp")


def wrapper(binary, log_dir=None):
    """Path of an executable script running binary under memcheck."""
    log_dir = log_dir or os.environ.get("MEMCHECK_LOG_DIR") or \
        os.path.join(os.path.dirname(binary), "memcheck")
    os.makedirs(log_dir, exist_ok=True)
    path = binary + "-memcheck"
    args = ["valgrind", "-q", "--error-exitcode=97", "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect",
            "--show-leak-kinds=definite,indirect", "--track-origins=yes",
            "--suppressions=" + SUPP,
            "--log-file=" + os.path.join(log_dir, "vg.%p.log"), binary]
    with open(path + ".tmp", "w") as f:
        f.write("#!/bin/sh\n# Written by tests/harness/memcheck.py.\n"
                "exec %s \"$@\"\n" % " ".join(shlex.quote(a) for a in args))
    os.chmod(path + ".tmp", 0o755)
    os.replace(path + ".tmp", path)
    return path
