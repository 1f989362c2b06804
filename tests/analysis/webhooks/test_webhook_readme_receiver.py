"""The README's ten-line receiver accepts what the worker signs and refuses a changed body or an old message."""

import re
import time

from analysis.webhooks import http_client as webhook_http
from analysis.webhooks.models import new_secret
from tests.celery_worker import REPO_ROOT


def readme_verify():
    readme = (REPO_ROOT / "README.md").read_text()
    (code,) = [block for block in re.findall(r"```python\n(.*?)```", readme, re.S) if "def verify(" in block]
    namespace: dict = {}
    exec(code, namespace)
    return namespace["verify"]


def test_the_readme_receiver_accepts_a_signed_message_and_refuses_a_forged_one():
    verify = readme_verify()
    secret, body, now = new_secret(), b'{"type": "media.done"}', int(time.time())
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(now),
        "webhook-signature": webhook_http.sign(secret, "msg_1", now, body),
    }
    old = {**headers, "webhook-timestamp": str(now - 3600)}
    old["webhook-signature"] = webhook_http.sign(secret, "msg_1", now - 3600, body)

    assert verify(secret, headers, body)
    assert not verify(secret, headers, body + b" ")
    assert not verify(new_secret(), headers, body)
    assert not verify(secret, old, body)
