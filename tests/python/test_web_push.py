"""Web Push as a phone app uses it: subscribed through Mastodon.py, received by a push service
run here, opened with an independent implementation of RFC 8291 (`http_ece`), its VAPID
signature (RFC 8292) checked with PyJWT against the key the server published."""

import base64
import json
import queue
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from mastodon import Mastodon
from mastodon.errors import MastodonNotFoundError

from conftest import PASSWORD, credence, start_server


class PushService:
    """Takes pushes on loopback and queues (headers by lower-case name, body) for the test;
    answers 201."""

    def __init__(self):
        received = self.received = queue.Queue()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.put(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(201)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        host, port = self.httpd.server_address
        self.origin = f"http://{host}:{port}"
        self.endpoint = f"{self.origin}/push/phone-1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def next(self):
        return self.received.get(timeout=60)

    def stop(self):
        self.httpd.shutdown()


def b64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture(scope="module")
def pushing_server(database):
    for handle in ("alice_wp", "bob_wp"):
        credence(database, "admin", "create-user", "--email", f"{handle}@example.org", "--handle", handle,
                 "--role", "member", stdin=PASSWORD)
    tokens = {h: credence(database, "admin", "token", "--handle", h) for h in ("alice_wp", "bob_wp")}
    proc, url = start_server(database, "--push-to-private-addresses", "true")
    service = PushService()
    yield url, tokens, service
    service.stop()
    proc.terminate()
    assert proc.wait(timeout=30) == 0


def test_pushes_open_with_an_independent_implementation(pushing_server):
    url, tokens, service = pushing_server
    alice = Mastodon(access_token=tokens["alice_wp"], api_base_url=url)
    bob = Mastodon(access_token=tokens["bob_wp"], api_base_url=url)

    private, public = alice.push_subscription_generate_keys()
    sub = alice.push_subscription_set(service.endpoint, public, follow_events=True, mention_events=True,
                                      favourite_events=False, policy="all")
    assert sub.endpoint == service.endpoint
    assert sub.alerts.follow and sub.alerts.mention and not sub.alerts.favourite
    assert sub.server_key == alice.instance_v2().configuration.vapid.public_key
    assert alice.push_subscription().id == sub.id

    bob.account_follow(alice.me().id)
    headers, body = service.next()
    assert headers["content-encoding"] == "aes128gcm"
    device_key = ec.derive_private_key(private["privkey"], ec.SECP256R1())
    message = json.loads(http_ece.decrypt(body, private_key=device_key, auth_secret=private["auth"],
                                          version="aes128gcm"))
    assert message["notification_type"] == "follow"
    assert message["title"].endswith("followed you") and message["body"] == "@bob_wp"
    assert str(message["notification_id"]) == str(alice.notifications(types=["follow"])[0].id)
    assert message["access_token"] == tokens["alice_wp"], "apps signed in twice tell whose it is"
    assert message["icon"].endswith("/static/avatar.png")

    # VAPID: a JWT for the push service's origin, signed by the key apps were given.
    scheme, _, params = headers["authorization"].partition(" ")
    assert scheme == "vapid"
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    assert fields["k"] == sub.server_key
    server_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url(fields["k"]))
    claims = jwt.decode(fields["t"], server_key, algorithms=["ES256"], audience=service.origin)
    assert claims["sub"].startswith("mailto:")
    assert claims["exp"] - claims["iat"] <= 24 * 3600

    # As Mastodon, the alerts of a change replace the old ones; a mention arrives.
    updated = alice.push_subscription_update(favourite_events=True, mention_events=True)
    assert updated.alerts.favourite and updated.alerts.mention and not updated.alerts.follow
    bob.status_post("@alice_wp your clinic hours are up")
    headers, body = service.next()
    message = json.loads(http_ece.decrypt(body, private_key=device_key, auth_secret=private["auth"],
                                          version="aes128gcm"))
    assert message["notification_type"] == "mention"
    assert "clinic" not in json.dumps(message), "a push says nothing of the post"

    alice.push_subscription_delete()
    with pytest.raises(MastodonNotFoundError):
        alice.push_subscription()
