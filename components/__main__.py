"""`python -m components plan --stack prod`: see components/plan/cli.py."""

import sys

from .plan.cli import main

sys.exit(main())
