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
