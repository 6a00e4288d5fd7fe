"""Credence through a real Mastodon client library (Mastodon.py).

Starts the real `credence` binary on a fresh database -- every test runs twice, on a SQLite data
directory and on a PostgreSQL database (127.0.0.1:5432, made with `createdb`, dropped
afterwards) -- makes accounts and a token with the operator commands (`admin create-user`,
`admin token`), and checks that Mastodon.py reads the Credence verification fields from
`verify_credentials` and `account_lookup`.
"""

import pytest
import requests
from mastodon import Mastodon

from conftest import PASSWORD, credence, start_server


@pytest.fixture(scope="module")
def server(database):
    # An operator-verified organisation, a professional who goes through review, a moderator.
    credence(database, "admin", "create-user", "--email", "hello@clinic.example", "--handle", "clinic_py",
             "--role", "organisation", "--display-name", "Py Clinic", "--verified", stdin=PASSWORD)
    credence(database, "admin", "create-user", "--email", "okafor@clinic.example", "--handle", "dr_py",
             "--role", "professional", "--display-name", "Dr Py Okafor", stdin=PASSWORD)
    credence(database, "admin", "create-user", "--email", "coach@example.org", "--handle", "coach_py",
             "--role", "professional", stdin=PASSWORD)
    credence(database, "admin", "create-user", "--email", "member@example.org", "--handle", "member_py",
             "--role", "member", stdin=PASSWORD)
    credence(database, "admin", "create-user", "--email", "mod@example.org", "--handle", "mod_py",
             "--role", "moderator", stdin=PASSWORD)
    token = credence(database, "admin", "token", "--handle", "dr_py")
    mod_token = credence(database, "admin", "token", "--handle", "mod_py")
    proc, url = start_server(database)
    # Credentials, a disclosure and the review go through Credence's own API (Mastodon has none).
    auth = {"Authorization": f"Bearer {token}"}
    r = requests.patch(f"{url}/api/v1/credence/profile", headers=auth,
                       json={"profession": "physician", "specialty": "Cardiology", "credentials": "MD",
                             "licence_jurisdiction": "Ohio State Medical Board", "licence_number": "OH-1",
                             "bio": "Cardiologist."}, timeout=10)
    assert r.status_code == 200, r.text
    r = requests.post(f"{url}/api/v1/credence/profile/disclosures", headers=auth,
                      json={"company": "Medtronic", "relationship": "speaker"}, timeout=10)
    assert r.status_code == 200, r.text
    r = requests.post(f"{url}/api/v1/credence/verification", headers=auth, json={"note": "board lookup"}, timeout=10)
    assert r.status_code == 200, r.text
    r = requests.post(f"{url}/api/v1/credence/verification/{r.json()['id']}/decision",
                      headers={"Authorization": f"Bearer {mod_token}"}, json={"decision": "verify"}, timeout=10)
    assert r.status_code == 200, r.text
    yield url, token
    proc.terminate()
    assert proc.wait(timeout=30) == 0, "graceful shutdown on SIGTERM"


def client(url, token=None):
    return Mastodon(access_token=token, api_base_url=url)


def test_instance_is_recognised(server):
    url, token = server
    api = client(url, token)
    info = api.instance()
    assert "Credence" in info["version"]
    assert api.verify_minimum_version("4.0.0", cached=True)


def test_verify_credentials_has_credence_fields(server):
    url, token = server
    me = client(url, token).account_verify_credentials()
    assert me["username"] == "dr_py"
    assert me["display_name"] == "Dr Py Okafor"
    assert me["credence"]["kind"] == "professional"
    assert me["credence"]["profession"] == "physician"
    assert me["credence"]["verification"]["state"] == "verified"
    assert me["credence"]["verification"]["verified"] is True
    assert me["credence"]["disclosures"][0]["company"] == "Medtronic"
    # Real images, as clients lay them out.
    assert me["avatar"].endswith("/static/avatar.png")
    assert me["header"].endswith("/static/header.png")
    assert requests.get(me["header"], timeout=10).content.startswith(b"\x89PNG")
    # The owner sees their own licence number.
    assert me["credence"]["licence_number"] == "OH-1"
    # Plain Mastodon clients see the same facts as profile fields.
    fields = {f["name"]: f["value"] for f in me["fields"]}
    assert fields["Verification"] == "✓ Verified by Credence"
    assert "Medtronic" in fields["Disclosures"]


def test_account_lookup_has_credence_fields(server):
    url, token = server
    api = client(url, token)
    verified = api.account_lookup("dr_py")
    assert verified["credence"]["verification"]["verified"] is True
    assert verified["credence"]["specialty"] == "Cardiology"
    unverified = api.account_lookup("coach_py")
    assert unverified["credence"]["verification"]["state"] == "unverified"
    assert unverified["credence"]["verification"]["verified"] is False
    clinic = api.account_lookup("clinic_py")
    assert clinic["credence"]["kind"] == "organisation"
    assert clinic["credence"]["verification"]["verified"] is True
    member = api.account_lookup("member_py")
    assert member["credence"]["kind"] == "personal"
    # The same account by id.
    assert api.account(verified["id"])["acct"] == "dr_py"


def test_licence_number_hidden_from_others(server):
    url, _ = server
    anonymous = client(url)
    account = anonymous.account_lookup("dr_py")
    assert account["credence"]["licence_number"] is None
    assert account["credence"]["verification"]["verified"] is True


def test_bad_token_is_refused(server):
    url, _ = server
    from mastodon.errors import MastodonUnauthorizedError
    with pytest.raises(MastodonUnauthorizedError):
        client(url, "not-a-real-token").account_verify_credentials()


def tiny_png(width=32, height=24):
    """A real PNG, made with the standard library (no imaging package needed)."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(v for x in range(width) for v in (x * 8 % 256, y * 10 % 256, 120))
                    for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def member_token(database, server):
    return credence(database, "admin", "token", "--handle", "member_py")


def test_statuses_media_replies_favourites_timeline_and_search(server, member_token):
    url, token = server
    pro = client(url, token)
    member = client(url, member_token)

    media = pro.media_post(tiny_png(), mime_type="image/png",
                           description="A chart of blood pressure readings over a week")
    assert media["type"] == "image"
    status = pro.status_post("Checking your blood pressure at home? Sit quietly for five minutes first. "
                             "#hypertension", media_ids=[media["id"]])
    assert status["media_attachments"][0]["description"].startswith("A chart")
    assert status["credence"]["kind"] == "post"
    assert status["credence"]["label_text"]
    assert status["tags"][0]["name"] == "hypertension"

    # The member follows the professional, sees the post at home, replies and favourites it.
    member.account_follow(status["account"]["id"])
    home = member.timeline_home()
    assert status["id"] in [s["id"] for s in home]
    reply = member.status_post("Thank you, that is useful.", in_reply_to_id=status["id"])
    assert reply["in_reply_to_id"] == status["id"]
    favourited = member.status_favourite(status["id"])
    assert favourited["favourited"] is True
    context = pro.status_context(status["id"])
    assert [s["id"] for s in context["descendants"]] == [reply["id"]]
    assert pro.status(status["id"])["favourites_count"] == 1
    assert [a["acct"] for a in pro.status_favourited_by(status["id"])] == ["member_py"]
    member.status_reblog(status["id"])
    assert [a["acct"] for a in pro.status_reblogged_by(status["id"])] == ["member_py"]

    # Search understands the lay term for the clinical one.
    results = member.search_v2("high blood pressure", result_type="statuses")
    assert status["id"] in [s["id"] for s in results["statuses"]]

    # Notifications reach the author.
    kinds = {n["type"] for n in pro.notifications()}
    assert {"follow", "favourite", "mention"} <= kinds

    # A draft with PHI is refused with the findings in the error.
    from mastodon.errors import MastodonAPIError
    with pytest.raises(MastodonAPIError) as refused:
        pro.status_post("My patient Maria Lopez, MRN 88123456, was discharged today.")
    assert "protected health information" in str(refused.value)


def test_announcements_with_reactions(database, server, member_token):
    """The operator announces from the command line; apps read, react and dismiss."""
    url, _ = server
    credence(database, "admin", "announce", "--text", "Flu clinic on Saturday, 9 to 1")
    member = client(url, member_token)
    news = member.announcements()[0]
    assert "Flu clinic" in news.content and not news.read
    member.announcement_reaction_create(news.id, "\U0001F44D")
    reactions = member.announcements()[0].reactions
    assert [(r.name, r.count, r.me) for r in reactions] == [("\U0001F44D", 1, True)]
    member.announcement_reaction_delete(news.id, "\U0001F44D")
    assert member.announcements()[0].reactions == []
    member.announcement_dismiss(news.id)
    assert member.announcements()[0].read


def test_notification_filters_markers_pins_and_underscore_handles(server, member_token):
    """The calls issue 19 found broken or missing, made as Mastodon.py makes them."""
    url, token = server
    pro = client(url, token)
    member = client(url, member_token)
    me = pro.me()

    # Handles with underscores are found (account search and v2 search).
    found = member.account_search("dr_py")
    assert found[0]["acct"] == "dr_py"
    assert member.search_v2("dr_py", result_type="accounts")["accounts"][0]["acct"] == "dr_py"

    # Something to be notified of: a like and a mention from the member.
    post = pro.status_post("Flu vaccines are offered at the clinic from Monday. #vaccines")
    member.status_favourite(post["id"])
    member.status_post("@dr_py is it the same for children?", in_reply_to_id=post["id"])

    # Type filters: a mentions page holds mentions only, and paging keeps the filter.
    mentions = pro.notifications(types=["mention"], limit=1)
    assert [n["type"] for n in mentions] == ["mention"]
    older = pro.fetch_next(mentions)
    assert all(n["type"] == "mention" for n in (older or []))
    assert "favourite" not in {n["type"] for n in pro.notifications(exclude_types=["favourite"])}
    one = pro.notifications(id=mentions[0]["id"])
    assert one["id"] == mentions[0]["id"]

    # Grouped notifications (v2).
    grouped = pro.grouped_notifications()
    assert any(g["type"] == "favourite" and g["status_id"] == post["id"]
               for g in grouped["notification_groups"])

    # Read markers, shared with the web.
    pro.markers_set(["notifications"], [mentions[0]["id"]])
    marker = pro.markers_get(["notifications"])["notifications"]
    assert str(marker["last_read_id"]) == str(mentions[0]["id"])

    # Dismissing one notification.
    pro.notifications_dismiss(mentions[0]["id"])
    assert mentions[0]["id"] not in [n["id"] for n in pro.notifications(types=["mention"])]

    # Pins: the profile's pinned listing shows only pinned posts.
    assert pro.status_pin(post["id"])["pinned"] is True
    pinned = member.account_statuses(me["id"], pinned=True)
    assert [s["id"] for s in pinned] == [post["id"]]
    tagged = member.account_statuses(me["id"], tagged="vaccines")
    assert post["id"] in [s["id"] for s in tagged]
    assert pro.status_unpin(post["id"])["pinned"] is False
    assert member.account_statuses(me["id"], pinned=True) == []


def test_lists_filters_tags_follows_directory_and_profile_edits(server, member_token):
    """Mastodon.py's own calls for the rest of what issue 19 added."""
    url, token = server
    pro = client(url, token)
    member = client(url, member_token)
    me = pro.me()

    # Lists: the member follows the professional and lists them.
    member.account_follow(me["id"])
    heart = member.list_create("Heart team")
    member.list_accounts_add(heart["id"], [me["id"]])
    assert [a["id"] for a in member.list_accounts(heart["id"])] == [me["id"]]
    post = pro.status_post("Blood pressure clinic on Thursday. #hypertension")
    assert post["id"] in [s["id"] for s in member.timeline_list(heart["id"])]
    assert heart["id"] in [l["id"] for l in member.account_lists(me["id"])]
    member.list_delete(heart["id"])
    assert member.lists() == []

    # Filters: a warn filter folds a matching post at home.
    flt = member.create_filter_v2("Not now", ["home"], "warn",
                                  keywords_attributes=[{"keyword": "thursday", "whole_word": True}])
    home = member.timeline_home()
    shown = next(s for s in home if s["id"] == post["id"])
    assert shown["filtered"][0]["filter"]["id"] == flt["id"]
    assert [f["id"] for f in member.filters_v2()] == [flt["id"]]
    member.delete_filter_v2(flt["id"])

    # Hashtags, followers and the directory.
    assert member.tag_follow("hypertension")["following"] is True
    assert "hypertension" in [t["name"] for t in member.followed_tags()]
    assert member.tag_unfollow("hypertension")["following"] is False
    assert member.me()["id"] in [a["id"] for a in pro.account_followers(me["id"])]
    assert me["id"] in [a["id"] for a in member.account_following(member.me()["id"])]
    assert me["id"] in [a["id"] for a in member.directory(order="new")]
    assert member.custom_emojis() == []
    assert member.preferences()["posting:default:visibility"] == "public"

    # Profile edits through update_credentials.
    updated = member.account_update_credentials(note="Living with hypertension.",
                                                fields=[("Blog", "https://blog.example/bp")])
    assert "hypertension" in updated["note"]
    assert updated["source"]["fields"][0]["value"] == "https://blog.example/bp"
    # Profile photo and header as Mastodon.py uploads them (multipart), then the photo removed.
    pictured = member.account_update_credentials(avatar=tiny_png(), avatar_mime_type="image/png",
                                                 header=tiny_png(96, 32), header_mime_type="image/png")
    assert "/media/" in pictured["avatar"] and "/media/" in pictured["header"]
    assert requests.get(pictured["avatar"], timeout=10).headers["Content-Type"].startswith("image/")
    assert "hypertension" in pictured["note"], "a picture leaves the rest as it was"
    cleared = member.account_delete_avatar()
    assert cleared["avatar"].endswith("/static/avatar.png")
