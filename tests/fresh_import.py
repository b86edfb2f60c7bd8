"""What importing some modules in a fresh interpreter drags in (for import-cost checks)."""

import subprocess
import sys


def loaded_by(modules: list[str], watched: list[str]) -> list[str]:
    """The `watched` modules present after importing `modules` in a new Python process."""
    code = (
        f"import sys, {', '.join(modules)}; "
        f"print(','.join(sorted(m for m in {watched!r} if m in sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return [m for m in done.stdout.strip().split(",") if m]
