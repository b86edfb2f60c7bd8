import sys

from gwin.console import main

sys.exit(main())
