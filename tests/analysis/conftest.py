"""Fixtures for the analysis tests."""

import pytest

from analysis.jobs import dispatch


@pytest.fixture
def sent_tasks(monkeypatch):
    """(task name, arguments, hard time limit) of each task sent to the broker, instead of sending it."""
    sent = []

    def send_task(name, args=None, **options):
        sent.append((name, args, options.get("time_limit")))

    monkeypatch.setattr(dispatch.app, "send_task", send_task)
    return sent
