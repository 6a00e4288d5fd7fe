"""The server as an attacker tries it, on both backends, against the real binary:

- the authorisation matrix: every viewer (anonymous, a stranger, a follower, the person a
  direct post is for, another professional, a moderator, an administrator, the author) reads
  every path that could show a secret (pages, API, search, feeds, Atom) with their session
  cookie and token; a secret may appear only to the people it belongs to;
- unauthorised changes: everyone but the author tries to change or delete the author's things;
- forged forms (CSRF) on every form that changes something, and stored XSS payloads in every
  text field, looked for in every page and API answer that shows them.

Crash cycles are in `test_crash_cycles.py`. `scripts/hardening` runs both and prints the
counts; CI runs the same tests (with 3 crash cycles instead of 100).
"""

import base64
import datetime
import html.parser
import os
import re
import secrets
import string

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from conftest import PASSWORD, credence, start_server

TAG = "hardeningtag"


def random_word(prefix, length=8):
    """Letters only: digits and capitals could read to the engine as an identifier (PHI)."""
    return prefix + "".join(secrets.choice(string.ascii_lowercase) for _ in range(length))


def marker(name):
    return random_word(f"zq{name}")


class Person:
    """One account, with its API token and a signed-in browser session."""

    def __init__(self, database, url, handle, role, verified=False):
        extra = ["--verified"] if verified else []
        credence(database, "admin", "create-user", "--email", f"{handle}@example.org",
                 "--handle", handle, "--role", role, *extra, stdin=PASSWORD)
        self.handle = handle
        self.url = url
        self.token = credence(database, "admin", "token", "--handle", handle)
        self.session = requests.Session()
        page = self.session.get(f"{url}/signin", timeout=30).text
        r = self.session.post(f"{url}/signin", data={
            "csrf": csrf_of(page), "login": handle, "password": PASSWORD.strip()},
            allow_redirects=False, timeout=30)
        assert r.status_code == 303, r.text
        self.id = self.api("GET", "/api/v1/accounts/verify_credentials").json()["id"]

    def api(self, method, path, **kw):
        return requests.request(method, f"{self.url}{path}", timeout=30,
                                headers={"Authorization": f"Bearer {self.token}"}, **kw)

    def csrf(self, path="/settings/profile"):
        return csrf_of(self.session.get(f"{self.url}{path}", timeout=30).text)


def csrf_of(page):
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, page[:500]
    return match.group(1)


@pytest.fixture(scope="module")
def world(database):
    proc, url = start_server(database)
    try:
        yield build_world(database, url)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def build_world(database, url):
    """Accounts for every kind of viewer, and the author's secrets, each marked."""
    author = Person(database, url, "h_author", "professional", verified=True)
    people = {
        "stranger": Person(database, url, "h_stranger", "member"),
        "follower": Person(database, url, "h_follower", "member"),
        "friend": Person(database, url, "h_friend", "member"),
        "other_pro": Person(database, url, "h_other", "professional", verified=True),
        "moderator": Person(database, url, "h_mod", "moderator"),
        "admin": Person(database, url, "h_admin", "admin"),
        "author": author,
    }
    assert people["follower"].api("POST", f"/api/v1/accounts/{author.id}/follow").ok
    secrets_ = {}

    def publish(name, allowed, body):
        # The marker is what must not leak; the keyword finds the post in search without the
        # search page's echo of the query showing the marker.
        mark, keyword = marker(name), random_word(f"kw{name}")
        body = {**body, "status": body["status"].replace("MARK", f"{mark} {keyword}")}
        r = author.api("POST", "/api/v1/statuses", json=body)
        assert r.status_code == 200, r.text
        secrets_[mark] = {"allowed": allowed, "id": r.json()["id"], "name": name,
                          "keyword": keyword}
        return r.json()["id"]

    everyone = set(people) | {"anonymous"}
    publish("public", everyone, {"status": f"Public note MARK #{TAG}"})
    publish("followers", {"author", "follower"},
            {"status": f"Followers only MARK #{TAG}", "visibility": "private"})
    publish("direct", {"author", "friend"},
            {"status": f"@h_friend here is a private note: MARK #{TAG}", "visibility": "direct"})
    publish("draft", {"author"}, {"status": f"Draft MARK #{TAG}", "draft": True})
    in_a_month = (datetime.datetime.now(datetime.timezone.utc)
                  + datetime.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    publish("scheduled", {"author"}, {"status": f"Scheduled MARK #{TAG}",
                                      "scheduled_at": in_a_month})
    gone = publish("deleted", set(), {"status": f"Deleted soon MARK #{TAG}"})
    assert author.api("DELETE", f"/api/v1/statuses/{gone}").ok
    consent = marker("consent")
    r = author.api("POST", "/api/v1/statuses", json={
        "status": f"Case: my patient John Carter, born 03/14/1961, did well #{TAG}",
        "consent": {"patient_name": "John Carter", "scope": f"Case study {consent}",
                    "consented_on": "2026-11-02"}})
    assert r.status_code == 200, r.text
    # The author may see their own consent records; nobody else, anywhere.
    secrets_[consent] = {"allowed": {"author"}, "id": r.json()["id"], "name": "consent",
                         "keyword": None}
    # A person's own lists, filters and followed hashtags are theirs alone.
    own = marker("list")
    assert author.api("POST", "/api/v1/lists", json={"title": f"List {own}"}).ok
    secrets_[own] = {"allowed": {"author"}, "id": None, "name": "list", "keyword": None}
    own = marker("filter")
    assert author.api("POST", "/api/v2/filters", json={
        "title": f"Filter {own}", "context": ["home"],
        "keywords_attributes": [{"keyword": own}]}).ok
    secrets_[own] = {"allowed": {"author"}, "id": None, "name": "filter", "keyword": None}
    own = marker("followedtag")
    assert author.api("POST", f"/api/v1/tags/{own}/follow").ok
    secrets_[own] = {"allowed": {"author"}, "id": None, "name": "followed tag", "keyword": None}
    # Where an app's pushes go is the app's alone: only the token that subscribed reads it.
    own = marker("push")
    device = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    assert author.api("POST", "/api/v1/push/subscription", json={
        "subscription": {"endpoint": f"https://push.invalid/{own}",
                         "keys": {"p256dh": base64.urlsafe_b64encode(device).decode(),
                                  "auth": base64.urlsafe_b64encode(os.urandom(16)).decode()}},
        "data": {"alerts": {"mention": True}}}).ok
    secrets_[own] = {"allowed": {"author"}, "id": None, "name": "push subscription",
                     "keyword": None}
    licence = marker("licence")
    assert author.api("PATCH", "/api/v1/credence/profile", json={"licence_number": licence}).ok
    secrets_[licence] = {"allowed": {"author", "moderator", "admin"}, "id": None,
                         "name": "licence", "keyword": None}
    return {"url": url, "people": people, "author": author, "secrets": secrets_}


def readable_paths(world):
    author = world["author"]
    paths = ["/", "/home", "/explore", "/drafts", "/notifications", "/review", "/verification",
             "/admin", "/settings/profile", "/topics", f"/topics/{TAG}", f"/topics/{TAG}.atom",
             "/@h_author", "/@h_author.atom", "/api/v1/timelines/home",
             "/api/v1/timelines/public", "/api/v1/timelines/public?local=true",
             f"/api/v1/timelines/tag/{TAG}", f"/api/v1/accounts/{author.id}/statuses",
             f"/api/v1/accounts/{author.id}", f"/api/v1/credence/profiles/{author.id}",
             "/api/v1/accounts/lookup?acct=h_author", "/api/v1/trends/statuses",
             "/api/v1/bookmarks", "/api/v1/favourites", "/api/v1/notifications",
             "/api/v1/scheduled_statuses", "/api/v1/credence/profile",
             "/api/v1/credence/verification/queue", "/api/v1/accounts/verify_credentials",
             "/api/v1/lists", f"/api/v1/accounts/{author.id}/lists", "/api/v2/filters",
             "/api/v1/followed_tags", "/api/v2/notifications", "/api/v1/markers",
             "/api/v1/follow_requests", f"/api/v1/accounts/{author.id}/featured_tags",
             "/api/v1/push/subscription",
             f"/search?q={TAG}", f"/api/v2/search?q={TAG}"]
    for s in world["secrets"].values():
        if s["keyword"]:
            paths += [f"/search?q={s['keyword']}", f"/api/v2/search?q={s['keyword']}"]
        if s["id"]:
            sid = s["id"]
            paths += [f"/@h_author/{sid}", f"/api/v1/statuses/{sid}",
                      f"/api/v1/statuses/{sid}/context", f"/api/v1/statuses/{sid}/history",
                      f"/api/v1/statuses/{sid}/source", f"/posts/{sid}/edit",
                      f"/api/v1/scheduled_statuses/{sid}"]
    return paths


def test_secrets_reach_only_the_people_they_belong_to(world):
    viewers = {"anonymous": None, **world["people"]}
    paths = readable_paths(world)
    leaks, seen_allowed = [], 0
    for name, person in viewers.items():
        session = person.session if person else requests.Session()
        headers = {"Authorization": f"Bearer {person.token}"} if person else {}
        for path in paths:
            body = session.get(f"{world['url']}{path}", headers=headers, timeout=30,
                               allow_redirects=False).text
            for mark, s in world["secrets"].items():
                if mark in body:
                    if name in s["allowed"]:
                        seen_allowed += 1
                    else:
                        leaks.append((name, path, s["name"]))
    cells = len(viewers) * len(paths) * len(world["secrets"])
    print(f"\nauthorisation matrix: {len(viewers)} viewers x {len(paths)} paths x "
          f"{len(world['secrets'])} secrets = {cells} cells, {len(leaks)} leaks, "
          f"{seen_allowed} sightings by their owners")
    assert not leaks, leaks[:20]
    # The harness can see: owners found their secrets, so a leak would have been seen too.
    assert seen_allowed > len(viewers)


def test_nobody_but_the_author_changes_the_authors_things(world):
    author, url = world["author"], world["url"]
    public = next(s["id"] for s in world["secrets"].values() if s["name"] == "public")
    scheduled = next(s["id"] for s in world["secrets"].values() if s["name"] == "scheduled")
    disclosure = author.api("POST", "/api/v1/credence/profile/disclosures",
                            json={"company": "Acme Pharma", "relationship": "speaker"}).json()["id"]
    before = author.api("GET", f"/api/v1/statuses/{public}").json()["content"]
    attempts, changed = 0, []
    for name, person in world["people"].items():
        if name == "author":
            continue
        tries = [
            lambda p: p.api("PUT", f"/api/v1/statuses/{public}", json={"status": "hijacked"}),
            lambda p: p.api("DELETE", f"/api/v1/statuses/{public}"),
            lambda p: p.api("DELETE", f"/api/v1/scheduled_statuses/{scheduled}"),
            lambda p: p.api("PUT", f"/api/v1/scheduled_statuses/{scheduled}",
                            json={"scheduled_at": "2027-06-01T09:00:00Z"}),
            lambda p: p.api("DELETE", f"/api/v1/credence/profile/disclosures/{disclosure}"),
            lambda p: p.session.post(f"{url}/posts/{public}/delete",
                                     data={"csrf": p.csrf()}, allow_redirects=False),
            lambda p: p.session.post(f"{url}/posts/{public}/edit",
                                     files={"csrf": (None, p.csrf()), "body": (None, "hijacked"),
                                            "kind": (None, "post"), "action": (None, "publish"),
                                            "visibility": (None, "public")},
                                     allow_redirects=False),
        ]
        if name in ("moderator", "admin"):
            # Staff may remove a published post (audited moderation, `posts::delete`): their
            # two delete attempts would succeed by rule, so they try only the rest.
            tries = [t for i, t in enumerate(tries) if i not in (1, 5)]
        for attempt in tries:
            attempts += 1
            r = attempt(person)
            if r.status_code < 400:
                changed.append((name, r.request.method, r.request.url, r.status_code))
    assert not changed, changed
    after = author.api("GET", f"/api/v1/statuses/{public}")
    assert after.ok and after.json()["content"] == before
    assert author.api("GET", f"/api/v1/scheduled_statuses/{scheduled}").ok
    assert any(d["company"] == "Acme Pharma" for d in
               author.api("GET", "/api/v1/credence/profile").json()["credence"]["disclosures"])
    print(f"\nunauthorised changes: {attempts} attempts, {len(changed)} accepted")


FORMS = [
    ("/settings/profile", {"display_name": "Forged"}),
    ("/settings/password", {"current_password": "x", "new_password": "forged passphrase 2026"}),
    ("/settings/disclosures", {"company": "Forged Inc", "relationship": "speaker"}),
    ("/@h_author/follow", {}),
    ("/@h_author/unfollow", {}),
    ("/topics/hardeningtag/follow", {}),
    ("/verification", {"note": "forged"}),
    ("/settings/personal-profile", {"handle": "forged_personal"}),
    ("/signout", {}),
]


def test_forged_forms_are_refused(world):
    url = world["url"]
    victim = world["people"]["follower"]
    other = world["people"]["stranger"]
    forgeries, accepted = 0, []
    for path, fields in FORMS:
        for label, token in [("no token", None), ("wrong token", "forged" * 8),
                             ("another session's token", other.csrf())]:
            # A forged cross-site form always sends a form body, even an empty one.
            data = {"from": "evil.example", **fields}
            if token is not None:
                data["csrf"] = token
            r = victim.session.post(f"{url}{path}", data=data, allow_redirects=False,
                                    headers={"Origin": "https://evil.example"}, timeout=30)
            forgeries += 1
            if r.status_code != 403:
                accepted.append((path, label, r.status_code))
    # Sign-in and sign-up use a double-submit cookie: a cross-site form has no cookie.
    for path, fields in [("/signin", {"login": "h_follower", "password": PASSWORD.strip()}),
                         ("/signup", {"email": "forged@example.org", "handle": "forged_user",
                                      "password": "forged passphrase 2026"})]:
        r = requests.post(f"{url}{path}", data={**fields, "csrf": "forged" * 8},
                          allow_redirects=False, timeout=30)
        forgeries += 1
        if r.status_code != 403:
            accepted.append((path, "no cookie", r.status_code))
    me = victim.api("GET", "/api/v1/accounts/verify_credentials").json()
    assert me["display_name"] != "Forged"
    assert victim.session.get(f"{url}/settings/profile", allow_redirects=False).status_code == 200
    print(f"\nCSRF: {forgeries} forged requests, {len(accepted)} accepted")
    assert not accepted, accepted


# Stored XSS payloads, in our own collection of the classic forms.
PAYLOADS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>", "<iframe src=javascript:alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>", "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
    "<a href=\"&#106;avascript:alert(1)\">x</a>", "<a href=\"java\tscript:alert(1)\">x</a>",
    "<body onload=alert(1)>", "<details open ontoggle=alert(1)>", "<input autofocus onfocus=alert(1)>",
    "<object data=javascript:alert(1)>", "<embed src=javascript:alert(1)>",
    "<math><mtext><script>alert(1)</script></mtext></math>", "\"><script>alert(1)</script>",
    "'><img src=x onerror=alert(1)>", "<style>@import 'javascript:alert(1)'</style>",
    "<meta http-equiv=refresh content=\"0;url=javascript:alert(1)\">",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<base href=javascript:alert(1)//>", "<link rel=stylesheet href=javascript:alert(1)>",
    "[x](javascript:alert(1))", "![x](javascript:alert(1))", "[x](data:text/html,<script>alert(1)</script>)",
    "<scr<script>ipt>alert(1)</script>", "<<script>alert(1)//<</script>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<video><source onerror=alert(1)></video>", "<audio src=x onerror=alert(1)>",
    "<marquee onstart=alert(1)>", "<div style=\"background:url(javascript:alert(1))\">x</div>",
]


class ActiveContent(html.parser.HTMLParser):
    """Finds what would run in a browser: script elements (other than ours), event-handler
    attributes, and javascript:/data: URLs."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        values = {name: (value or "").strip().lower().replace("\t", "") for name, value in attrs}
        if tag == "script" and values.get("src") != "/static/compose.js":
            self.found.append("script")
        if tag in ("iframe", "object", "embed", "base"):
            self.found.append(tag)
        if tag == "meta" and values.get("http-equiv") == "refresh":
            self.found.append("meta refresh")
        for name, value in values.items():
            if name.startswith("on"):
                self.found.append(f"{tag} {name}")
            if name in ("href", "src", "action", "data", "formaction") and \
                    value.startswith(("javascript:", "data:text/html", "vbscript:")):
                self.found.append(f"{tag} {name}={value[:30]}")


def active_content(markup):
    parser = ActiveContent()
    parser.feed(markup)
    return parser.found


def test_stored_xss_payloads_stay_text(world):
    url, author = world["url"], world["author"]
    found, published = [], 0
    for i, payload in enumerate(PAYLOADS):
        r = author.api("PATCH", "/api/v1/credence/profile",
                       json={"bio": payload, "display_name": f"Dr X {i}"})
        assert r.status_code in (200, 422), r.text
        post = author.api("POST", "/api/v1/statuses", json={
            "status": f"{payload} #{TAG}", "spoiler_text": payload[:100]})
        article = author.api("POST", "/api/v1/statuses", json={
            "credence_kind": "article", "title": payload[:100], "status": payload})
        for r in (post, article):
            assert r.status_code in (200, 422), r.text
            if r.status_code != 200:
                continue
            published += 1
            sid = r.json()["id"]
            found += [(payload, "api content", f) for f in active_content(r.json()["content"])]
            for path in (f"/@h_author/{sid}", "/@h_author", "/explore", f"/topics/{TAG}"):
                page = requests.get(f"{url}{path}", timeout=30).text
                found += [(payload, path, f) for f in active_content(page)]
        page = requests.get(f"{url}/@h_author", timeout=30).text
        found += [(payload, "bio", f) for f in active_content(page)]
    print(f"\nXSS: {len(PAYLOADS)} payloads in bio, post, content warning, article title and "
          f"body ({published} posts and articles published), {len(found)} active elements found")
    # Most payloads are published as text, so the pages really carry them.
    assert published >= len(PAYLOADS), published
    assert not found, found[:20]
