import sys

from gd_core.cli import main

sys.exit(main())
