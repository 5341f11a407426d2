"""``python -m sidecarlint``."""

import sys

from sidecarlint.cli import main

sys.exit(main())
