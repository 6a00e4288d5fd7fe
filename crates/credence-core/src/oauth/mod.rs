//! OAuth 2 for API clients, as Mastodon apps expect it: apps register with `POST /api/v1/apps`,
//! then obtain tokens by the authorization-code grant (with PKCE, RFC 7636) or, for app-level
//! calls such as signing up, the client-credentials grant.

use serde::Serialize;

use crate::accounts::{self, NewAccount};
use crate::audit;
use crate::kernel::actor::{TokenInfo, TokenKind};
use crate::kernel::clock::{new_id, now_ms};
use crate::kernel::db::col;
use crate::kernel::secrets::{constant_time_eq, pkce_s256, random_token, token_hash};
use crate::kernel::text::single_line;
use crate::kernel::{Actor, Core, CoreError, CoreResult};

/// The redirect URI for apps that show the code to the person instead of redirecting.
pub const OOB_REDIRECT: &str = "urn:ietf:wg:oauth:2.0:oob";
/// Authorization codes are single-use and short-lived.
pub const CODE_TTL_MS: i64 = 10 * 60 * 1000;

/// The scopes an app may ask for (each also as granular `read:accounts`-style scopes).
pub const TOP_SCOPES: &[&str] = &["read", "write", "follow", "push", "profile"];

#[derive(Debug, Clone, Serialize)]
pub struct App {
    pub id: i64,
    pub client_id: String,
    #[serde(skip)]
    pub client_secret: String,
    pub name: String,
    pub website: Option<String>,
    pub redirect_uris: Vec<String>,
    pub scopes: String,
}

/// Normalises a scope string: space-separated, each `read`, `write`, `follow`, `push`,
/// `profile`, or a granular `read:accounts`-style scope. Empty means `read`.
pub fn parse_scopes(input: &str) -> CoreResult<String> {
    let scopes: Vec<&str> = input.split([' ', '+']).filter(|s| !s.is_empty()).collect();
    if scopes.is_empty() {
        return Ok("read".into());
    }
    for scope in &scopes {
        let top = scope.split(':').next().unwrap_or_default();
        let granular_ok = scope
            .split(':')
            .nth(1)
            .is_none_or(|g| !g.is_empty() && g.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
        if !TOP_SCOPES.contains(&top) || !granular_ok || scope.split(':').count() > 2 {
            return Err(CoreError::invalid(
                "scopes",
                format!("unknown scope '{scope}'"),
            ));
        }
    }
    Ok(scopes.join(" "))
}

/// Every requested scope must be covered by what the app registered.
fn scopes_within(requested: &str, allowed: &str) -> bool {
    requested.split(' ').all(|r| {
        allowed
            .split(' ')
            .any(|a| a == r || r.split(':').next() == Some(a))
    })
}

fn parse_redirect_uris(input: &str) -> CoreResult<Vec<String>> {
    let uris: Vec<String> = input
        .split(['\n', ' '])
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_string)
        .collect();
    if uris.is_empty() || uris.len() > 10 {
        return Err(CoreError::invalid(
            "redirect_uris",
            "give between 1 and 10 redirect URIs",
        ));
    }
    for uri in &uris {
        if uri != OOB_REDIRECT {
            check_redirect_uri(uri)?;
        }
    }
    Ok(uris)
}

/// Schemes a browser runs or reads instead of handing to an app: a redirect there would run
/// script with the authorization code in hand, or read local content.
const SCHEMES_THAT_RUN_OR_READ: &[&str] = &[
    "javascript",
    "vbscript",
    "livescript",
    "data",
    "file",
    "blob",
    "filesystem",
    "about",
    "view-source",
    "jar",
    "chrome",
    "chrome-extension",
    "moz-extension",
    "resource",
    "ms-appx",
    "ms-appdata",
];

/// A redirect URI apps may register: https anywhere, http on this machine only (a desktop app
/// listening on loopback), or the app's own scheme (`tusky://callback`); never a scheme that
/// runs or reads content, never a fragment.
fn check_redirect_uri(uri: &str) -> CoreResult<()> {
    let refuse = |why: &str| {
        Err(CoreError::invalid(
            "redirect_uris",
            format!("'{uri}' cannot be a redirect URI: {why}"),
        ))
    };
    let Some(parsed) = url::Url::parse(uri).ok().filter(|_| uri.len() <= 2000) else {
        return refuse("it is not an absolute URI");
    };
    if parsed.fragment().is_some() {
        return refuse("it has a fragment (#…)");
    }
    let scheme = parsed.scheme();
    if SCHEMES_THAT_RUN_OR_READ.contains(&scheme) {
        return refuse("browsers run or read that scheme instead of passing it to an app");
    }
    let loopback = match parsed.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    if scheme == "http" && !loopback {
        return refuse("plain http is allowed only on this machine (localhost); use https");
    }
    Ok(())
}

pub async fn register_app(
    core: &Core,
    name: &str,
    redirect_uris: &str,
    scopes: &str,
    website: Option<&str>,
) -> CoreResult<App> {
    // The name is shown on the consent page, so it follows the rules for shown names.
    let name = single_line("client_name", "the app's name", name, 100)?;
    if name.is_empty() {
        return Err(CoreError::invalid("client_name", "give the app a name"));
    }
    let uris = parse_redirect_uris(redirect_uris)?;
    let scopes = parse_scopes(scopes)?;
    let website = website.map(str::trim).filter(|w| !w.is_empty());
    if let Some(w) = website {
        if w.len() > 300 || url::Url::parse(w).map(|u| u.scheme().starts_with("http")) != Ok(true) {
            return Err(CoreError::invalid(
                "website",
                "the website must be an http(s) address",
            ));
        }
    }
    let app = App {
        id: new_id(),
        client_id: random_token(),
        client_secret: random_token(),
        name,
        website: website.map(str::to_string),
        redirect_uris: uris,
        scopes,
    };
    sqlx::query(
        "INSERT INTO oauth_apps (id, client_id, client_secret, name, website, redirect_uris, scopes, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(app.id)
    .bind(&app.client_id)
    .bind(&app.client_secret)
    .bind(&app.name)
    .bind(&app.website)
    .bind(app.redirect_uris.join("\n"))
    .bind(&app.scopes)
    .bind(now_ms())
    .execute(&core.db.pool)
    .await?;
    Ok(app)
}

async fn app_where(core: &Core, condition: &str, value: AppKey<'_>) -> CoreResult<Option<App>> {
    let sql = format!(
        "SELECT id, client_id, client_secret, name, website, redirect_uris, scopes FROM oauth_apps WHERE {condition}"
    );
    let query = sqlx::query(&sql);
    let query = match value {
        AppKey::Id(id) => query.bind(id),
        AppKey::ClientId(c) => query.bind(c),
    };
    let Some(row) = query.fetch_optional(&core.db.pool).await? else {
        return Ok(None);
    };
    let uris: String = col(&row, "redirect_uris")?;
    Ok(Some(App {
        id: col(&row, "id")?,
        client_id: col(&row, "client_id")?,
        client_secret: col(&row, "client_secret")?,
        name: col(&row, "name")?,
        website: col(&row, "website")?,
        redirect_uris: uris.lines().map(str::to_string).collect(),
        scopes: col(&row, "scopes")?,
    }))
}

enum AppKey<'a> {
    Id(i64),
    ClientId(&'a str),
}

pub async fn app_by_client_id(core: &Core, client_id: &str) -> CoreResult<Option<App>> {
    app_where(core, "client_id = $1", AppKey::ClientId(client_id)).await
}

pub async fn app_by_id(core: &Core, id: i64) -> CoreResult<Option<App>> {
    app_where(core, "id = $1", AppKey::Id(id)).await
}

/// What `/oauth/authorize` was asked for, checked before the consent page is shown.
#[derive(Debug, Clone)]
pub struct AuthorizationRequest {
    pub app: App,
    pub redirect_uri: String,
    pub scopes: String,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
}

/// The query of `/oauth/authorize`, as the client sent it (empty strings for absent fields).
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct AuthorizeQuery {
    pub client_id: String,
    pub redirect_uri: String,
    pub response_type: String,
    pub scope: String,
    pub state: String,
    pub code_challenge: String,
    pub code_challenge_method: String,
}

pub async fn check_authorization_request(
    core: &Core,
    q: &AuthorizeQuery,
) -> CoreResult<AuthorizationRequest> {
    let app = app_by_client_id(core, &q.client_id).await?.ok_or_else(|| {
        CoreError::invalid("client_id", "this app is not registered on this server")
    })?;
    if !matches!(q.response_type.as_str(), "code" | "") {
        return Err(CoreError::invalid(
            "response_type",
            "only response_type=code is supported",
        ));
    }
    if !app.redirect_uris.contains(&q.redirect_uri) {
        return Err(CoreError::invalid(
            "redirect_uri",
            "the redirect URI does not match the one the app registered",
        ));
    }
    // Checked again here: an app registered before a scheme was refused keeps its rows.
    if q.redirect_uri != OOB_REDIRECT {
        check_redirect_uri(&q.redirect_uri)?;
    }
    let scopes = parse_scopes(if q.scope.is_empty() {
        &app.scopes
    } else {
        &q.scope
    })?;
    if !scopes_within(&scopes, &app.scopes) {
        return Err(CoreError::invalid(
            "scope",
            "the app asked for scopes it did not register",
        ));
    }
    let nonempty = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let code_challenge = nonempty(&q.code_challenge);
    if let Some(challenge) = &code_challenge {
        if nonempty(&q.code_challenge_method)
            .as_deref()
            .unwrap_or("plain")
            != "S256"
        {
            return Err(CoreError::invalid(
                "code_challenge_method",
                "only the S256 PKCE method is supported",
            ));
        }
        if !(43..=128).contains(&challenge.len()) {
            return Err(CoreError::invalid(
                "code_challenge",
                "the PKCE code challenge is malformed",
            ));
        }
    }
    Ok(AuthorizationRequest {
        app,
        redirect_uri: q.redirect_uri.clone(),
        scopes,
        state: nonempty(&q.state),
        code_challenge,
    })
}

/// The person approved: issue a single-use code bound to the app, redirect URI and challenge.
pub async fn issue_code(
    core: &Core,
    actor: &Actor,
    request: &AuthorizationRequest,
) -> CoreResult<String> {
    let code = random_token();
    sqlx::query(
        "INSERT INTO oauth_codes (code_hash, app_id, user_id, profile_id, redirect_uri, scopes, \
         code_challenge, challenge_method, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(token_hash(&code))
    .bind(request.app.id)
    .bind(actor.user_id)
    .bind(actor.profile_id)
    .bind(&request.redirect_uri)
    .bind(&request.scopes)
    .bind(&request.code_challenge)
    .bind(request.code_challenge.as_ref().map(|_| "S256"))
    .bind(now_ms() + CODE_TTL_MS)
    .execute(&core.db.pool)
    .await?;
    Ok(code)
}

/// An error in the token endpoint's own vocabulary (RFC 6749 §5.2): `error` is the code the
/// client acts on (`invalid_client`, `invalid_grant`, `server_error`, …), from which the web
/// layer picks the HTTP status.
#[derive(Debug)]
pub struct GrantError {
    pub error: &'static str,
    pub description: String,
}

impl GrantError {
    fn new(error: &'static str, description: impl Into<String>) -> Self {
        GrantError {
            error,
            description: description.into(),
        }
    }
}

impl From<CoreError> for GrantError {
    fn from(e: CoreError) -> Self {
        tracing::error!(error = %e, "token endpoint");
        GrantError::new("server_error", "the server could not issue a token")
    }
}

impl From<sqlx::Error> for GrantError {
    fn from(e: sqlx::Error) -> Self {
        CoreError::from(e).into()
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct TokenRequest {
    pub grant_type: Option<String>,
    pub code: Option<String>,
    pub redirect_uri: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub code_verifier: Option<String>,
    pub scope: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct IssuedToken {
    pub access_token: String,
    pub token_type: &'static str,
    pub scope: String,
    pub created_at: i64,
}

/// `/oauth/token`: the authorization-code and client-credentials grants.
pub async fn grant(core: &Core, req: TokenRequest) -> Result<IssuedToken, GrantError> {
    let client_id = req.client_id.as_deref().unwrap_or_default();
    let app = app_by_client_id(core, client_id)
        .await?
        .ok_or_else(|| GrantError::new("invalid_client", "unknown client_id"))?;
    let secret_ok = req
        .client_secret
        .as_deref()
        .is_some_and(|s| constant_time_eq(s, &app.client_secret));
    match req.grant_type.as_deref() {
        Some("authorization_code") => exchange_code(core, &app, secret_ok, &req).await,
        Some("client_credentials") => {
            if !secret_ok {
                return Err(GrantError::new(
                    "invalid_client",
                    "the client secret is wrong",
                ));
            }
            let scopes = parse_scopes(req.scope.as_deref().unwrap_or("read"))
                .map_err(|e| GrantError::new("invalid_scope", e.to_string()))?;
            if !scopes_within(&scopes, &app.scopes) {
                return Err(GrantError::new(
                    "invalid_scope",
                    "the app did not register these scopes",
                ));
            }
            let (token, created) =
                accounts::issue_token(&core.db.pool, TokenKind::App, Some(app.id), None, &scopes)
                    .await?;
            Ok(IssuedToken {
                access_token: token,
                token_type: "Bearer",
                scope: scopes,
                created_at: created / 1000,
            })
        }
        Some(other) => Err(GrantError::new(
            "unsupported_grant_type",
            format!("grant type '{other}' is not supported"),
        )),
        None => Err(GrantError::new("invalid_request", "grant_type is required")),
    }
}

async fn exchange_code(
    core: &Core,
    app: &App,
    secret_ok: bool,
    req: &TokenRequest,
) -> Result<IssuedToken, GrantError> {
    let code = req
        .code
        .as_deref()
        .ok_or_else(|| GrantError::new("invalid_request", "code is required"))?;
    let invalid = || {
        GrantError::new(
            "invalid_grant",
            "the authorization code is invalid, expired or already used",
        )
    };
    // Claim the code first, outside any transaction: `used = 0` makes it single-use even
    // under races, and a failed attempt (wrong verifier) still burns it (RFC 6749 §4.1.2).
    let claimed = sqlx::query(
        "UPDATE oauth_codes SET used = 1 WHERE code_hash = $1 AND used = 0 AND expires_at > $2",
    )
    .bind(token_hash(code))
    .bind(now_ms())
    .execute(&core.db.pool)
    .await?;
    if claimed.rows_affected() == 0 {
        return Err(invalid());
    }
    let row = sqlx::query(
        "SELECT app_id, user_id, profile_id, redirect_uri, scopes, code_challenge FROM oauth_codes WHERE code_hash = $1",
    )
    .bind(token_hash(code))
    .fetch_one(&core.db.pool)
    .await?;
    let app_id: i64 = col(&row, "app_id")?;
    let redirect_uri: String = col(&row, "redirect_uri")?;
    let challenge: Option<String> = col(&row, "code_challenge")?;
    if app_id != app.id || req.redirect_uri.as_deref() != Some(redirect_uri.as_str()) {
        return Err(invalid());
    }
    match (&challenge, req.code_verifier.as_deref()) {
        (Some(challenge), Some(verifier)) => {
            if !constant_time_eq(&pkce_s256(verifier), challenge) {
                return Err(GrantError::new(
                    "invalid_grant",
                    "the PKCE code verifier does not match",
                ));
            }
        }
        (Some(_), None) => {
            return Err(GrantError::new(
                "invalid_grant",
                "code_verifier is required (PKCE)",
            ))
        }
        // Without PKCE, only a confidential client holding its secret may redeem a code.
        (None, _) if !secret_ok => {
            return Err(GrantError::new(
                "invalid_client",
                "the client secret is wrong",
            ))
        }
        (None, _) => {}
    }
    let user_id: i64 = col(&row, "user_id")?;
    let profile_id: i64 = col(&row, "profile_id")?;
    let scopes: String = col(&row, "scopes")?;
    let mut tx = core.db.begin_write().await?;
    let (token, created) = accounts::issue_token(
        &mut *tx,
        TokenKind::OAuth,
        Some(app.id),
        Some((user_id, profile_id)),
        &scopes,
    )
    .await?;
    audit::record(
        &mut *tx,
        Some(user_id),
        "token.issue_oauth",
        ("app", Some(app.id)),
        &app.name,
    )
    .await?;
    tx.commit().await?;
    Ok(IssuedToken {
        access_token: token,
        token_type: "Bearer",
        scope: scopes,
        created_at: created / 1000,
    })
}

/// Sign-up from an app (`POST /api/v1/accounts`). Only the app's own client-credentials token
/// with `write:accounts` may do it: a person's token (even one issued to the same app) must not
/// open more accounts. The new person's token carries the scopes the app registered, no more.
pub async fn sign_up(
    core: &Core,
    token: &TokenInfo,
    new: NewAccount<'_>,
) -> CoreResult<IssuedToken> {
    let app_id = match (token.kind, token.app_id) {
        (TokenKind::App, Some(app_id)) => app_id,
        _ => {
            return Err(CoreError::forbidden(
                "sign-up needs the app's own token (client credentials), not a person's token",
            ))
        }
    };
    if !token.grants("write:accounts") {
        return Err(CoreError::forbidden(
            "sign-up needs a token with the write:accounts scope",
        ));
    }
    let app = app_by_id(core, app_id)
        .await?
        .ok_or_else(|| CoreError::forbidden("this app is no longer registered"))?;
    let (user, profile) = accounts::register(core, new).await?;
    let (access_token, created) = accounts::issue_token(
        &core.db.pool,
        TokenKind::OAuth,
        Some(app.id),
        Some((user.id, profile.id)),
        &app.scopes,
    )
    .await?;
    Ok(IssuedToken {
        access_token,
        token_type: "Bearer",
        scope: app.scopes,
        created_at: created / 1000,
    })
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct RevokeRequest {
    pub token: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

/// `/oauth/revoke` (RFC 7009): the client proves itself with its secret and may revoke only
/// tokens issued to it. An unknown or already revoked token is not an error (§2.2).
pub async fn revoke(core: &Core, req: &RevokeRequest) -> Result<(), GrantError> {
    let app = app_by_client_id(core, req.client_id.as_deref().unwrap_or_default())
        .await?
        .filter(|app| {
            req.client_secret
                .as_deref()
                .is_some_and(|s| constant_time_eq(s, &app.client_secret))
        })
        .ok_or_else(|| GrantError::new("invalid_client", "client authentication failed"))?;
    if let Some(token) = &req.token {
        if !accounts::revoke_token(core, app.id, token).await? {
            return Err(GrantError::new(
                "unauthorized_client",
                "this token was not issued to this app",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes() {
        assert_eq!(parse_scopes("").unwrap(), "read");
        assert_eq!(parse_scopes("read write").unwrap(), "read write");
        assert!(parse_scopes("read:accounts").is_ok());
        assert!(parse_scopes("admin:everything").is_err());
        assert!(scopes_within("read:accounts write", "read write follow"));
        assert!(!scopes_within("follow", "read write"));
    }

    #[test]
    fn redirect_uris() {
        assert!(parse_redirect_uris(OOB_REDIRECT).is_ok());
        assert!(parse_redirect_uris("https://app.example/cb\nmyapp://cb").is_ok());
        assert!(parse_redirect_uris("not a uri").is_err());
        for kept in [
            "https://app.example/cb",
            "http://127.0.0.1:4567/cb",
            "http://localhost/cb",
            "http://[::1]:8000/cb",
            "tusky://oauth2redirect",
            "com.example.app:/oauth",
            OOB_REDIRECT,
        ] {
            assert!(parse_redirect_uris(kept).is_ok(), "{kept}");
        }
        for refused in [
            "javascript:alert(1)",
            "JavaScript:alert(document.domain)",
            "vbscript:msgbox(1)",
            "data:text/html,<script>alert(1)</script>",
            "file:///etc/passwd",
            "blob:https://app.example/uuid",
            "about:blank",
            "view-source:https://app.example",
            "http://app.example/cb",
            "https://app.example/cb#frag",
        ] {
            let err = parse_redirect_uris(refused).unwrap_err();
            assert!(
                err.to_string().contains("cannot be a redirect URI"),
                "{refused}: {err}"
            );
        }
    }
}
