"""``python -m ml.evaluate``: ``ml.evaluation.evaluate`` under the name outside checks call."""

import sys

from ml.evaluation.evaluate import main

if __name__ == "__main__":
    sys.exit(main())
