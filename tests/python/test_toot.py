"""Credence through `toot`, a Mastodon command-line client nobody on the project wrote.

`toot login` is the authorization-code flow with the out-of-band redirect: toot prints the
sign-in address, the person opens it, signs in, approves, and types the code the page shows
into toot. Here the person is a `requests` session that follows that address, and the code is
fed on toot's standard input. Then toot follows an account with an underscore in its handle,
makes a list and follows a hashtag. Runs on SQLite and PostgreSQL.
"""

import os
import re
from html import unescape
import subprocess
import sys

import pytest
import requests

from conftest import PASSWORD, credence, start_server

TOOT = os.path.join(os.path.dirname(sys.executable), "toot")


@pytest.fixture(scope="module")
def server(database):
    credence(database, "admin", "create-user", "--email", "toot.reader@example.org",
             "--handle", "toot_reader", "--role", "member", stdin=PASSWORD)
    credence(database, "admin", "create-user", "--email", "dr.under@example.org",
             "--handle", "dr_under_score", "--role", "professional", stdin=PASSWORD)
    proc, url = start_server(database)
    yield url
    proc.terminate()
    assert proc.wait(timeout=30) == 0


@pytest.fixture
def toot_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOOT")}
    env["XDG_CONFIG_HOME"] = str(tmp_path)
    env["HOME"] = str(tmp_path)
    return env


def toot(env, *args):
    done = subprocess.run([TOOT, *args], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"toot {' '.join(args)}: {done.stdout}\n{done.stderr}"
    return done.stdout


def hidden_fields(html):
    """A form's hidden fields (the CSRF token, where to go next, the OAuth request)."""
    found = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)
    return {name: unescape(value) for name, value in found}


def approve_in_browser(base, login_url):
    """What the person does with the address toot prints: sign in, approve, read the code."""
    web = requests.Session()
    page = web.get(login_url, timeout=10)
    assert "/signin" in page.url, page.url
    form = hidden_fields(page.text)
    form.update(login="toot.reader@example.org", password=PASSWORD.strip())
    page = web.post(f"{base}/signin", data=form, timeout=10)
    assert "Authorise" in page.text, page.text[page.text.find("<main"):][:800]
    fields = hidden_fields(page.text)
    fields["approve"] = "yes"
    code_page = web.post(f"{base}/oauth/authorize", data=fields, timeout=10)
    return re.search(r'id="oauth-code"[^>]*>([^<]+)<', code_page.text).group(1).strip()


def test_toot_logs_in_with_the_code_flow_and_follows(server, toot_env):
    base = server
    login = subprocess.Popen([TOOT, "login", "--instance", base], env=toot_env, text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    printed = ""
    login_url = None
    while login_url is None:
        line = login.stdout.readline()
        assert line, f"toot ended before printing the address: {printed}"
        printed += line
        if "/oauth/authorize" in line:
            login_url = line.strip()
    code = approve_in_browser(base, login_url)
    out, _ = login.communicate(f"n\n{code}\n", timeout=60)
    assert login.returncode == 0, printed + out
    assert "Successfully logged in" in out

    assert "toot_reader" in toot(toot_env, "whoami")
    assert "dr_under_score" in toot(toot_env, "follow", "dr_under_score")
    assert "dr_under_score" in toot(toot_env, "following", "toot_reader")
    toot(toot_env, "lists", "create", "Care team")
    toot(toot_env, "lists", "add", "Care team", "dr_under_score")
    assert "dr_under_score" in toot(toot_env, "lists", "accounts", "Care team")
    toot(toot_env, "tags", "follow", "hypertension")
    assert "hypertension" in toot(toot_env, "tags", "followed")
