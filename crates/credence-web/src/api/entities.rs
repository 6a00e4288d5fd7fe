//! Mastodon API entities built from Credence's models. Credence-only data rides along as an
//! extra `credence` object (clients ignore fields they do not know), and the most important of
//! it is also given as profile `fields`, which every Mastodon client already displays.

use credence_core::db::rfc3339;
use credence_core::profiles::{Profile, VerificationRequest};
use serde_json::{json, Value};

use crate::WebConfig;

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The bio as Mastodon's `note`: HTML paragraphs.
fn note_html(bio: &str) -> String {
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
    let base = config.public_url.trim_end_matches('/');
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
    let avatar = format!("{base}/static/avatar.png");
    // Clients lay out a header image above the profile; an empty string breaks some of them.
    let header = format!("{base}/static/header.png");
    json!({
        "id": p.id.to_string(),
        "username": p.handle,
        "acct": p.handle,
        "display_name": p.display_name,
        "locked": false,
        "bot": false,
        "discoverable": true,
        "indexable": true,
        "group": false,
        "noindex": false,
        // Mastodon reports the creation day at midnight UTC.
        "created_at": format!("{}T00:00:00.000Z", &rfc3339(p.created_at)[..10]),
        "note": note_html(&p.bio),
        "url": format!("{base}/@{}", p.handle),
        "uri": format!("{base}/@{}", p.handle),
        "avatar": avatar,
        "avatar_static": avatar,
        "header": header,
        "header_static": header,
        "followers_count": 0,
        "following_count": 0,
        "statuses_count": 0,
        "last_status_at": null,
        "emojis": [],
        "roles": [],
        "fields": fields,
        "credence": credence_fields(p),
    })
}

/// `verify_credentials` adds the `source` object with the raw bio.
pub fn credential_account(p: &Profile, config: &WebConfig) -> Value {
    let mut value = account(p, config);
    value["source"] = json!({
        "privacy": "public",
        "sensitive": false,
        "language": "en",
        "note": p.bio,
        "fields": [],
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
