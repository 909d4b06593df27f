"""nerkit/serving/headers.py: every HTTP answer gets the security headers,
without overriding one the app set; other scopes pass untouched."""

import asyncio

from nerkit.serving.headers import CONTENT_SECURITY_POLICY, HEADERS, SecurityHeaders


def answer(scope, app_headers):
    sent = []

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": app_headers})
        await send({"type": "http.response.body", "body": b"{}"})

    async def send(message):
        sent.append(message)

    asyncio.run(SecurityHeaders(app)(scope, None, send))
    return sent


def test_each_answer_gets_every_header_once():
    start, body = answer({"type": "http"}, [(b"content-type", b"application/json")])
    assert dict(start["headers"])[b"content-security-policy"] == CONTENT_SECURITY_POLICY.encode()
    assert [name for name, _ in start["headers"]] == [b"content-type", *(name for name, _ in HEADERS)]
    assert body == {"type": "http.response.body", "body": b"{}"}


def test_a_header_the_app_set_is_kept_and_other_scopes_pass_untouched():
    start, _ = answer({"type": "http"}, [(b"x-frame-options", b"SAMEORIGIN")])
    assert [value for name, value in start["headers"] if name == b"x-frame-options"] == [b"SAMEORIGIN"]
    start, _ = answer({"type": "websocket"}, [])
    assert start["headers"] == []
