"""Task time limits: the soft limit and a clip decoder's budget, derived from a hard limit.

Pure (no Django import): settings.py derives Celery's default soft limit here, and analysis.jobs.dispatch
the soft limit sent with each task, so the web process and the worker agree. A fixed 30 s margin once
made the soft limit zero or negative for hard limits of 30 s or less (issue 13).
"""

# A limit this short still leaves the soft limit and the decoder's budget several seconds each.
MIN_TIME_LIMIT_S = 10


def _margin_s(limit_s: int) -> int:
    # A fifth of the limit, 2 to 30 s: enough to store why the work stopped before the limit hits.
    return min(30, max(2, limit_s // 5))


def soft_limit_s(hard_s: int) -> int:
    """The soft limit for a hard limit of ``hard_s`` seconds: positive and below it from 10 s up."""
    return hard_s - _margin_s(hard_s)


def decode_budget_s(configured_s: int, clip_hard_s: int) -> int:
    """The decoder's wall-clock budget: as configured, but ending before the clip task's soft limit,
    so that an over-long clip fails with the decoder's reason and the rows kept, not a time-out."""
    soft = soft_limit_s(clip_hard_s)
    return max(1, min(configured_s, soft - _margin_s(soft)))
