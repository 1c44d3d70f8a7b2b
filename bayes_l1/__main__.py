import sys

from bayes_l1._entry import main

sys.exit(main())
