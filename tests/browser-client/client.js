// A browser client on another origin, built from masto.js (test-only; see package.json).
// First visit: registers an app and sends the person to Credence's OAuth page (PKCE S256).
// Back with `?code=`: exchanges it, then calls what a client's home, notifications, mentions,
// profile, lists, filters and hashtag pages call, and writes what it got into #result (or the
// error into #error) for the test to read.
import { createOAuthAPIClient, createRestAPIClient } from "masto";

const SCOPES = "read write follow";

function base64url(bytes) {
  let text = "";
  for (const b of new Uint8Array(bytes)) text += String.fromCharCode(b);
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

async function pkce() {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(48)));
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return { verifier, challenge: base64url(digest) };
}

async function signIn(base, here) {
  const anonymous = createRestAPIClient({ url: base });
  const app = await anonymous.v1.apps.create({
    clientName: "Browser client test",
    redirectUris: here,
    scopes: SCOPES,
  });
  const { verifier, challenge } = await pkce();
  sessionStorage.setItem("app", JSON.stringify({ id: app.clientId, secret: app.clientSecret, verifier }));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: app.clientId,
    redirect_uri: here,
    scope: SCOPES,
    state: "browser-test",
    code_challenge: challenge,
    code_challenge_method: "S256",
  });
  location.href = `${base}/oauth/authorize?${query}`;
}

async function useTheApi(base, here, code) {
  const app = JSON.parse(sessionStorage.getItem("app"));
  const oauth = createOAuthAPIClient({ url: base });
  const token = await oauth.token.create({
    grantType: "authorization_code",
    clientId: app.id,
    clientSecret: app.secret,
    redirectUri: here,
    code,
    codeVerifier: app.verifier,
    scope: SCOPES,
  });
  const masto = createRestAPIClient({ url: base, accessToken: token.accessToken });
  const me = await masto.v1.accounts.verifyCredentials();
  const home = await masto.v1.timelines.home.list({ limit: 5 });
  const mentions = await masto.v1.notifications.list({ types: ["mention"] });
  const grouped = await masto.v2.notifications.list();
  const pinned = await masto.v1.accounts.$select(me.id).statuses.list({ pinned: true });
  const list = await masto.v1.lists.create({ title: "From the browser" });
  const lists = await masto.v1.lists.list();
  const filters = await masto.v2.filters.list();
  const tagged = await masto.v1.timelines.tag.$select("hypertension").list();
  const followed = await masto.v1.followedTags.list();
  const markers = await masto.v1.markers.fetch({ timeline: ["notifications"] });
  return {
    handle: me.acct,
    home: home.map((s) => s.content),
    mentions: mentions.map((n) => n.type),
    grouped: grouped.notificationGroups.map((g) => g.type),
    pinned: pinned.length,
    list: list.title,
    lists: lists.length,
    filters: filters.length,
    tagged: tagged.length,
    followed: followed.length,
    markers: Object.keys(markers),
  };
}

window.runCredenceClient = async function (base) {
  const here = location.origin + location.pathname;
  const code = new URLSearchParams(location.search).get("code");
  try {
    if (!code) {
      await signIn(base, here);
      return;
    }
    const result = await useTheApi(base, here, code);
    document.getElementById("result").textContent = JSON.stringify(result);
  } catch (e) {
    document.getElementById("error").textContent = `${e && e.name}: ${e && e.message}`;
  }
};
