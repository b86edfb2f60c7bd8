import sys

from gwin.cli import main

sys.exit(main())
