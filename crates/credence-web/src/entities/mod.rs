//! Mastodon API entities built from Credence's models. Credence-only data rides along as an
//! extra `credence` object (clients ignore fields they do not know), and the most important of
//! it is also given as profile `fields`, which every Mastodon client already displays.

mod render;

pub use render::{rendered, statuses, RenderCache, Statuses};

pub use credence_core::kernel::clock::rfc3339;
use credence_core::media::MediaInfo;
use credence_core::notifications::{describe, mastodon_type};
use credence_core::posts::{Post, PostRef, PostState, Visibility};
use credence_core::profiles::Profile;
use credence_core::timelines::{GroupedNotifications, Notification};
use credence_core::verification::VerificationRequest;
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::state::{AppState, WebConfig};

pub(crate) fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Plain text (a bio, an announcement) as HTML paragraphs, escaped.
pub fn paragraphs(bio: &str) -> String {
    bio.split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| format!("<p>{}</p>", escape_html(p.trim()).replace('\n', "<br>")))
        .collect()
}

pub fn credence_fields(p: &Profile) -> Value {
    json!({
        "kind": p.kind,
        "profession": p.profession,
        "profession_label": p.profession_label(),
        "organisation_kind": p.org_kind,
        "organisation_kind_label": p.org_kind_label(),
        "specialty": p.specialty,
        "credentials": p.credentials,
        "licence_jurisdiction": p.licence_jurisdiction,
        // Present only for reviewers and the owner; `Profile::for_viewer` has stripped it otherwise.
        "licence_number": p.licence_number,
        "npi": p.npi,
        "affiliations": p.affiliations,
        "verification": {
            "state": p.verification,
            "verified": p.is_verified(),
            "verified_at": p.verified_at.filter(|_| p.is_verified()).map(rfc3339),
        },
        "disclosures": p.disclosures.iter().map(|d| json!({
            "company": d.company,
            "relationship": d.relationship,
            "relationship_label": d.relationship_label,
            "details": d.details,
        })).collect::<Vec<_>>(),
    })
}

pub fn account(p: &Profile, config: &WebConfig) -> Value {
    let mut fields = Vec::new();
    if p.kind.is_verifiable() {
        let what = p
            .profession_label()
            .or(p.org_kind_label())
            .unwrap_or("Health professional");
        let value = match &p.specialty {
            Some(s) => format!("{what} · {s}"),
            None => what.to_string(),
        };
        fields
            .push(json!({"name": "Profession", "value": escape_html(&value), "verified_at": null}));
        if let Some(c) = &p.credentials {
            fields
                .push(json!({"name": "Credentials", "value": escape_html(c), "verified_at": null}));
        }
        let state = if p.is_verified() {
            "✓ Verified by Credence"
        } else {
            "Not verified"
        };
        fields.push(json!({
            "name": "Verification",
            "value": state,
            "verified_at": p.verified_at.filter(|_| p.is_verified()).map(rfc3339),
        }));
        if !p.disclosures.is_empty() {
            let list = p
                .disclosures
                .iter()
                .map(|d| format!("{} ({})", d.company, d.relationship_label))
                .collect::<Vec<_>>()
                .join("; ");
            fields.push(
                json!({"name": "Disclosures", "value": escape_html(&list), "verified_at": null}),
            );
        }
    }
    // Profiles loaded without counts (a verification request's) report none yet.
    let stats = p.stats.unwrap_or_default();
    // The photo's 400-px thumbnail (Mastodon's avatars are 400 px square); the header in
    // full. Clients lay out a header image above the profile; an empty string breaks some of
    // them, so the defaults stand in.
    let avatar = config.absolute(&p.avatar_path());
    let header = config.absolute(
        &p.header_key
            .as_ref()
            .map_or("/static/header.png".to_string(), |k| format!("/media/{k}")),
    );
    json!({
        "id": p.id.to_string(),
        "username": p.handle,
        "acct": p.handle,
        "display_name": p.display_name,
        "locked": p.locked,
        "bot": false,
        "discoverable": true,
        "indexable": true,
        "group": false,
        "noindex": false,
        // Mastodon reports the creation day at midnight UTC.
        "created_at": format!("{}T00:00:00.000Z", &rfc3339(p.created_at)[..10]),
        "note": paragraphs(&p.bio),
        "url": config.absolute(&format!("/@{}", p.handle)),
        "uri": config.absolute(&format!("/@{}", p.handle)),
        "avatar": avatar,
        "avatar_static": avatar,
        "header": header,
        "header_static": header,
        "followers_count": stats.followers,
        "following_count": stats.following,
        "statuses_count": stats.posts,
        "last_status_at": stats.last_post_at.map(|t| rfc3339(t)[..10].to_string()),
        "emojis": [],
        "roles": [],
        "fields": fields,
        "credence": credence_fields(p),
    })
}

/// An account as statuses embed it (author, reviewer, co-authors): Mastodon's full entity with
/// a compact `credence` object, what a reader needs beside a post (kind, profession and
/// specialty, whether verified, any disclosures); the rest is on the account itself
/// (`/api/v1/accounts/:id`) and, in words, in its `fields`. A page of twenty statuses embeds
/// twenty accounts: the full object was 450 of the 3,100 bytes of each status.
pub fn status_account(p: &Profile, config: &WebConfig) -> Value {
    let mut value = account(p, config);
    value["credence"] = without_empty(json!({
        "kind": p.kind,
        "profession": p.profession,
        "organisation_kind": p.org_kind,
        "specialty": p.specialty,
        "verified": p.is_verified(),
        "disclosures": credence_fields(p)["disclosures"].take(),
    }));
    value
}

/// An object without its null, empty-string and empty-array members: Credence's extra
/// objects leave out what they do not have (clients read a missing member as absent).
fn without_empty(value: Value) -> Value {
    let empty = |v: &Value| match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    };
    match value {
        Value::Object(fields) => {
            Value::Object(fields.into_iter().filter(|(_, v)| !empty(v)).collect())
        }
        other => other,
    }
}

/// `verify_credentials` adds the `source` object with the raw bio.
pub fn credential_account(p: &Profile, config: &WebConfig) -> Value {
    let mut value = account(p, config);
    value["source"] = json!({
        "privacy": "public",
        "sensitive": false,
        "language": "en",
        "note": p.bio,
        // The fields a client edits: the profile's links (what update_credentials keeps).
        "fields": p.links.iter().map(|l| json!({"name": "Link", "value": l})).collect::<Vec<_>>(),
        "follow_requests_count": 0,
    });
    value
}

pub fn verification_request(r: &VerificationRequest, config: &WebConfig) -> Value {
    json!({
        "id": r.id.to_string(),
        "state": r.state,
        "note": r.note,
        "submitted_at": rfc3339(r.submitted_at),
        "decided_at": r.decided_at.map(rfc3339),
        "reason": r.reason,
        "account": account(&r.profile, config),
    })
}

/// Mastodon's visibility words: followers-only is `private`.
/// The post's visibility as Mastodon names it (`unlisted` is a public post kept out of
/// discovery).
pub fn visibility_word(p: &Post) -> &'static str {
    match p.visibility {
        Visibility::Public if p.unlisted => "unlisted",
        Visibility::Public => "public",
        Visibility::Followers => "private",
        Visibility::Direct => "direct",
    }
}

pub fn media_attachment(m: &MediaInfo, config: &WebConfig) -> Value {
    let size = match (m.width, m.height) {
        (Some(w), Some(h)) => json!({
            "width": w, "height": h, "size": format!("{w}x{h}"),
            "aspect": if h > 0 { w as f64 / h as f64 } else { 1.0 },
        }),
        _ => json!({}),
    };
    json!({
        "id": m.id.to_string(),
        "type": if m.kind == "video" { "video" } else { "image" },
        "url": config.absolute(&m.path),
        "preview_url": config.absolute(&m.preview_path),
        "remote_url": null,
        "text_url": null,
        "meta": { "original": size },
        "description": if m.description.is_empty() { Value::Null } else { Value::String(m.description.clone()) },
        "blurhash": m.blurhash,
        "credence": { "long_description": m.long_description },
    })
}

/// The status entity, with Credence's fields (kind, citations, credibility label and reasons,
/// reviewer, co-authors) under `credence`.
pub fn status(p: &Post, config: &WebConfig) -> Value {
    let mut fields = status_fixed(p, config);
    fields.insert("account".into(), status_account(&p.author, config));
    fields.insert(
        "reblog".into(),
        p.reblog.as_ref().map_or(Value::Null, |r| status(r, config)),
    );
    let changing = Changing {
        replies_count: p.replies_count,
        reblogs_count: p.reblogs_count,
        favourites_count: p.favourites_count,
        favourited: p.favourited,
        reblogged: p.reblogged,
        bookmarked: p.bookmarked,
    };
    if let Ok(Value::Object(changing)) = serde_json::to_value(changing) {
        fields.extend(changing);
    }
    // The reader's filters are applied by the listings that know the reader (`render`).
    fields.insert("filtered".into(), json!([]));
    Value::Object(fields)
}

/// The parts of a status that change more often than the post itself (counts) or differ by
/// viewer (their own like, boost and bookmark). Everything else is in [`status_fixed`].
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Changing {
    pub replies_count: i64,
    pub reblogs_count: i64,
    pub favourites_count: i64,
    pub favourited: bool,
    pub reblogged: bool,
    pub bookmarked: bool,
}

/// A status without its account, its boosted original and the [`Changing`] fields: what
/// depends on the post alone (and the people shown in it), so it can be rendered once per
/// version of the post (see `render`).
pub fn status_fixed(p: &Post, config: &WebConfig) -> Map<String, Value> {
    let url = config.absolute(&format!("/@{}/{}", p.author.handle, p.id));
    let mut content = String::new();
    // Apps render `content` and ignore the `credence` object: the check's verdict rides here.
    if let Some(summary) = p.credibility_summary() {
        content.push_str(&format!(
            "<p class=\"credence-check\"><em>{}</em></p>",
            escape_html(&summary)
        ));
    }
    if !p.title.is_empty() {
        content.push_str(&format!(
            "<p><strong>{}</strong></p>",
            escape_html(&p.title)
        ));
    }
    content.push_str(&p.body_html);
    if !p.disclosure.is_empty() {
        content.push_str(&format!(
            "<p><em>Disclosure: {}</em></p>",
            escape_html(&p.disclosure)
        ));
    }
    if !p.citations.is_empty() {
        content.push_str("<p>References:</p><ol>");
        for c in &p.citations {
            content.push_str(&format!(
                "<li><a href=\"{}\" rel=\"nofollow noopener noreferrer\">{}</a></li>",
                escape_html(&c.url()),
                escape_html(&c.title)
            ));
        }
        content.push_str("</ol>");
    }
    // What Mastodon's entity already carries is not repeated (topics are its `tags`), nor
    // is what the post does not have (see `without_empty`); a post's state is said only when
    // it is not published (a draft, a scheduled post).
    let credence = without_empty(json!({
        "kind": p.kind,
        "state": (p.state != PostState::Published).then_some(p.state),
        "title": p.title,
        "disclosure": p.disclosure,
        "label": p.label,
        "label_text": p.label_text,
        "label_reasons": p.label_reasons,
        "score": p.score,
        // One decimal: a grade level is an estimate, and 7.8776086956521745 says no more.
        "reading_grade": p.reading_grade.map(|g| (g * 10.0).round() / 10.0),
        "citations": p.citations.iter().map(|c| without_empty(json!({
            "kind": c.kind, "value": c.value, "title": c.title, "url": c.url(),
            "tier": c.tier,
            "tier_name": c.tier.and_then(|t| u8::try_from(t).ok()).and_then(credence_check::citations::tier_name),
        }))).collect::<Vec<_>>(),
        "reviewed_by": p.reviewer.as_ref().map(|r| status_account(r, config)),
        "reviewed_at": p.reviewed_at.map(rfc3339),
        "coauthors": p.coauthors.iter().map(|c| status_account(c, config)).collect::<Vec<_>>(),
    }));
    let fixed = json!({
        "credence": credence,
        "id": p.id.to_string(),
        "created_at": rfc3339(p.shown_at()),
        "in_reply_to_id": p.in_reply_to_id.map(|i| i.to_string()),
        "in_reply_to_account_id": p.in_reply_to_author_id.map(|i| i.to_string()),
        "sensitive": p.sensitive || !p.spoiler_text.is_empty(),
        "spoiler_text": p.spoiler_text,
        "visibility": visibility_word(p),
        "language": "en",
        "uri": url,
        "url": url,
        "edited_at": p.edited_at.map(rfc3339),
        "muted": false,
        "pinned": p.pinned_at.is_some(),
        "content": if p.reblog.is_some() { String::new() } else { content },
        "application": null,
        "media_attachments": p.media.iter().map(|m| media_attachment(m, config)).collect::<Vec<_>>(),
        "mentions": p.mentions.iter().map(|m| json!({
            "id": m.id.to_string(), "username": m.handle, "acct": m.handle,
            "url": config.absolute(&format!("/@{}", m.handle)),
        })).collect::<Vec<_>>(),
        "tags": p.topics.iter().map(|t| json!({
            "name": t.slug, "url": config.absolute(&format!("/topics/{}", t.slug)),
        })).collect::<Vec<_>>(),
        "emojis": [],
        "card": null,
        "poll": null,
    });
    match fixed {
        Value::Object(fields) => fields,
        _ => unreachable!("json! of an object literal is an object"),
    }
}

/// A status as `DELETE` returns it: with its source text, for "delete and redraft".
pub fn deleted_status(p: &Post, config: &WebConfig) -> Value {
    let mut value = status(p, config);
    value["text"] = Value::String(p.body.clone());
    value
}

pub fn scheduled_status(p: &Post) -> Value {
    json!({
        "id": p.id.to_string(),
        "scheduled_at": p.scheduled_at.map(rfc3339),
        "params": {
            "text": p.body,
            "spoiler_text": p.spoiler_text,
            "visibility": visibility_word(p),
            "in_reply_to_id": p.in_reply_to_id.map(|i| i.to_string()),
            "sensitive": p.sensitive,
            "media_ids": p.media.iter().map(|m| m.id.to_string()).collect::<Vec<_>>(),
            "scheduled_at": null,
            "application_id": null,
            "idempotency": null,
            "with_rate_limit": false,
            "poll": null,
        },
        "media_attachments": [],
    })
}

/// Mastodon's `Notification` as JSON, its account and status rendered through the cache
/// (`statuses`); none if who did it is gone or its status was left out (a `hide` filter).
pub fn notification(
    n: &Notification<PostRef>,
    statuses: &Statuses,
    state: &AppState,
) -> Option<String> {
    let account = render::account(state, n.actor.as_ref()?);
    let status = match &n.post {
        Some(post) => statuses.get(post.id)?,
        None => "null",
    };
    let mut json = json!({
        "id": n.id.to_string(),
        "type": mastodon_type(&n.kind),
        "group_key": n.group_key.clone().unwrap_or_else(|| format!("ungrouped-{}", n.id)),
        "created_at": rfc3339(n.created_at),
        "credence": { "kind": n.kind, "text": n.describe() },
    })
    .to_string();
    json.pop(); // the object's closing brace: the account and status follow
    for (name, value) in [("account", &*account), ("status", status)] {
        json.push_str(&format!(",\"{name}\":{value}"));
    }
    json.push('}');
    Some(json)
}

/// Mastodon's `Filter` entity.
pub fn filter(f: &credence_core::filters::Filter) -> Value {
    json!({
        "id": f.id.to_string(),
        "title": f.title,
        "context": f.contexts,
        "expires_at": f.expires_at.map(rfc3339),
        "filter_action": f.action,
        "keywords": f.keywords.iter().map(filter_keyword).collect::<Vec<_>>(),
        "statuses": f.posts.iter().map(filter_status).collect::<Vec<_>>(),
    })
}

pub fn filter_keyword(k: &credence_core::filters::Keyword) -> Value {
    json!({"id": k.id.to_string(), "keyword": k.keyword, "whole_word": k.whole_word})
}

pub fn filter_status(p: &credence_core::filters::FilteredPost) -> Value {
    json!({"id": p.id.to_string(), "status_id": p.post_id.to_string()})
}

/// A status's `filtered`: Mastodon's `FilterResult`s of the reader's `warn` filters.
pub fn filter_results(results: &[credence_core::filters::FilterResult]) -> Value {
    Value::Array(
        results
            .iter()
            .map(|r| {
                json!({
                    "filter": filter(&r.filter),
                    "keyword_matches": (!r.keyword_matches.is_empty()).then_some(&r.keyword_matches),
                    "status_matches": (!r.status_matches.is_empty())
                        .then(|| r.status_matches.iter().map(|i| i.to_string()).collect::<Vec<_>>()),
                })
            })
            .collect(),
    )
}

/// Mastodon's `GroupedNotificationsResults`: the groups, and every account and status they
/// name once (`statuses`: the page's posts rendered through the cache, newest first; a group
/// whose status was left out, by a `hide` filter, is left out too).
pub fn notification_groups(
    page: &GroupedNotifications,
    statuses: &Statuses,
    state: &AppState,
) -> String {
    let groups: Vec<Value> = page
        .groups
        .iter()
        .filter(|g| g.latest.post_id.is_none_or(|id| statuses.contains(id)))
        .map(|g| {
            json!({
                "group_key": g.key,
                "notifications_count": g.count,
                "type": mastodon_type(&g.latest.kind),
                "most_recent_notification_id": g.latest.id.to_string(),
                "page_min_id": g.page_min_id.to_string(),
                "page_max_id": g.page_max_id.to_string(),
                "latest_page_notification_at": rfc3339(g.latest.created_at),
                "sample_account_ids": g.sample_actor_ids.iter()
                    .filter(|id| page.people.contains_key(id))
                    .map(|id| id.to_string()).collect::<Vec<_>>(),
                "status_id": g.latest.post_id.map(|id| id.to_string()),
                "credence": { "kind": g.latest.kind, "text": describe(&g.latest.kind) },
            })
        })
        .collect();
    let mut people: Vec<&Profile> = page.people.values().collect();
    people.sort_by_key(|p| p.id);
    let accounts: Vec<_> = people.iter().map(|p| render::account(state, p)).collect();
    format!(
        "{{\"accounts\":[{}],\"statuses\":{},\"notification_groups\":{}}}",
        accounts.join(","),
        statuses.array(),
        Value::Array(groups)
    )
}
