import subprocess
import sys

CODE = """
import sys
from gwin.errors import command

@command()
def main() -> int:
    for i in range(100_000):
        print(f"line {i}")
    return 0

sys.exit(main())
"""


def test_output_into_a_closed_pipe_ends_quietly():
    # as `python studies/X.py --dry-run | head -1`: the reader leaves after one line
    proc = subprocess.Popen([sys.executable, "-c", CODE], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    assert proc.stdout.readline() == "line 0\n"
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 1
    assert err == ""


def test_a_broken_pipe_elsewhere_keeps_its_traceback():
    # a subprocess's or socket's pipe breaking is a failure to report, not a reader leaving
    code = (
        "import sys\nfrom gwin.errors import command\n"
        "@command()\ndef main() -> int:\n    raise BrokenPipeError(32, 'a worker pipe')\n"
        "sys.exit(main())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 1 and "BrokenPipeError: [Errno 32] a worker pipe" in done.stderr
