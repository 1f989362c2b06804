"""Signatures follow the Standard Webhooks specification, and secrets have its whsec_ form."""

import base64

from analysis.webhooks.http_client import sign
from analysis.webhooks.models import new_secret, new_webhook_id


def test_it_signs_the_specifications_example_as_the_specification_does():
    # The example of the Standard Webhooks specification (and of its reference libraries).
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'

    signature = sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)

    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_a_secret_is_whsec_and_the_base64_of_32_random_bytes():
    secret = new_secret()

    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32
    assert new_secret() != secret


def test_webhook_ids_are_unique():
    assert len({new_webhook_id() for _ in range(100)}) == 100
