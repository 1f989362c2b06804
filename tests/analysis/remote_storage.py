"""A storage like a bucket's for tests: files kept in memory, and no local path for any of them."""

import os

from django.core.files.storage import InMemoryStorage
from django.utils._os import safe_join


class NoPathStorage(InMemoryStorage):
    """InMemoryStorage whose public path() refuses, as remote storages' does."""

    def path(self, name):
        raise NotImplementedError("A bucket has no local paths: go through the storage API.")

    def _relative_path(self, name):
        # InMemoryStorage finds its own nodes through path(); keep that working without it.
        return os.path.relpath(safe_join(self.location, name), self.location)
