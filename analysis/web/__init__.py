"""What every request-facing package shares: the client's address, a cache that fails open, rate limits,
and JSON answers for every API error. The lowest layer beside jobs: it imports no sibling but jobs."""
