import sys

from bayes_l1.cli import main

sys.exit(main())
