"""Every page carries the emotion list and the shared script, so page scripts never repeat them."""

import json
import re

import ml


def _emotions(body: str) -> list[str]:
    match = re.search(r'<script id="facet-emotions" type="application/json">(.*?)</script>', body)
    assert match, "no emotion list on the page"
    return json.loads(match.group(1))


def test_a_page_for_visitors_and_a_page_for_users_carry_the_emotion_list_and_facet_js(client, alice):
    login = client.get("/accounts/login/").content.decode()
    client.force_login(alice)
    live = client.get("/live/").content.decode()

    for body in (login, live):
        assert _emotions(body) == list(ml.EMOTIONS)
        assert body.count("js/facet.js") == 1
    # facet.js comes before the page's own script, which uses it.
    assert live.index("js/facet.js") < live.index("js/live.js")
