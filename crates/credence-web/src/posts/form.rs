//! The compose form: its fields kept as typed (a refused draft is shown again unchanged), read
//! from a multipart post with at most one file, and turned into the core's `Compose`.

use axum::extract::multipart::{Multipart, MultipartRejection};
use credence_core::media;
use credence_core::posts::{Action, CitationInput, Compose, ConsentInput, Post, Visibility};
use credence_core::{Actor, CoreError};

use crate::error::HtmlError;
use crate::state::AppState;
use crate::uploads::{self, ReceivedFile};

/// The compose form's fields, kept as typed so a refused draft is shown again unchanged.
#[derive(Default)]
pub struct ComposeForm {
    pub kind: String,
    pub title: String,
    pub body: String,
    pub visibility: String,
    pub spoiler_text: String,
    pub topics: Vec<String>,
    pub citations: Vec<(String, String)>,
    pub disclosure: String,
    pub consent_patient: String,
    pub consent_scope: String,
    pub consent_date: String,
    pub coauthors: String,
    pub reviewers: String,
    pub schedule_at: String,
    pub alt: String,
    pub long_description: String,
    pub media_ids: Vec<i64>,
    pub action: String,
    pub confirm_public: bool,
    pub sensitive: bool,
}

impl ComposeForm {
    pub fn blank() -> ComposeForm {
        ComposeForm {
            kind: "post".into(),
            visibility: "public".into(),
            citations: vec![(String::new(), String::new()); 3],
            ..ComposeForm::default()
        }
    }

    pub fn from_post(p: &Post) -> ComposeForm {
        let mut citations: Vec<(String, String)> = p
            .citations
            .iter()
            .map(|c| (c.url(), c.title.clone()))
            .collect();
        while citations.len() < 3 {
            citations.push((String::new(), String::new()));
        }
        ComposeForm {
            kind: p.kind.to_string(),
            title: p.title.clone(),
            body: p.body.clone(),
            visibility: if p.unlisted {
                "unlisted".into()
            } else {
                p.visibility.to_string()
            },
            spoiler_text: p.spoiler_text.clone(),
            topics: p.topics.iter().map(|t| t.slug.clone()).collect(),
            citations,
            disclosure: p.disclosure.clone(),
            media_ids: p.media.iter().map(|m| m.id).collect(),
            sensitive: p.sensitive,
            ..ComposeForm::blank()
        }
    }

    fn list(text: &str) -> Vec<String> {
        text.split([',', ' '])
            .map(|s| s.trim().trim_start_matches('@').to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }

    pub fn to_compose(&self, media_ids: Vec<i64>) -> Result<Compose, CoreError> {
        let action = match self.action.as_str() {
            "draft" => Action::SaveDraft,
            "schedule" => {
                let at = chrono::NaiveDateTime::parse_from_str(
                    self.schedule_at.trim(),
                    "%Y-%m-%d %H:%M",
                )
                .or_else(|_| {
                    chrono::NaiveDateTime::parse_from_str(self.schedule_at.trim(), "%Y-%m-%dT%H:%M")
                })
                .map_err(|_| {
                    CoreError::invalid(
                        "scheduled_at",
                        "Give the time to publish as a UTC date and time like 2026-12-01 09:00",
                    )
                })?;
                Action::Schedule(at.and_utc().timestamp_millis())
            }
            _ => Action::Publish,
        };
        let consent = (!self.consent_patient.trim().is_empty()
            || !self.consent_scope.trim().is_empty()
            || !self.consent_date.trim().is_empty())
        .then(|| ConsentInput {
            patient_name: self.consent_patient.clone(),
            scope: self.consent_scope.clone(),
            consented_on: self.consent_date.clone(),
        });
        // "unlisted" is a public post kept out of public feeds, topics and search.
        let (visibility, unlisted) = match self.visibility.as_str() {
            "unlisted" => (Visibility::Public, true),
            other => (
                other
                    .parse()
                    .map_err(|_| CoreError::invalid("visibility", "Choose who can see the post"))?,
                false,
            ),
        };
        Ok(Compose {
            kind: self
                .kind
                .parse()
                .map_err(|_| CoreError::invalid("kind", "Choose a kind of post"))?,
            title: self.title.clone(),
            body: self.body.clone(),
            spoiler_text: self.spoiler_text.clone(),
            sensitive: self.sensitive,
            visibility,
            unlisted,
            in_reply_to_id: None,
            citations: self
                .citations
                .iter()
                .filter(|(v, t)| !v.trim().is_empty() || !t.trim().is_empty())
                .map(|(value, title)| CitationInput {
                    kind: None,
                    value: value.clone(),
                    title: title.clone(),
                })
                .collect(),
            topics: self.topics.clone(),
            media_ids,
            media_descriptions: Vec::new(),
            disclosure: self.disclosure.clone(),
            consent,
            coauthors: ComposeForm::list(&self.coauthors),
            reviewers: ComposeForm::list(&self.reviewers),
            confirm_public_overshare: self.confirm_public,
            action,
        })
    }
}

/// Reads the multipart compose form (fields, and at most one file, kept on disk until used).
pub async fn read_compose(
    state: &AppState,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(String, ComposeForm, Option<ReceivedFile>), HtmlError> {
    let mut upload = uploads::read_form(multipart, &state.config.upload_dir).await?;
    let file = upload.take_file("file").filter(|f| !f.is_empty());
    let one = |name: &str| upload.text(name);
    let many = |name: &str| upload.texts(name);
    let values = many("citation_value");
    let titles = many("citation_title");
    let mut citations: Vec<(String, String)> = values
        .iter()
        .zip(titles.iter().chain(std::iter::repeat(&String::new())))
        .map(|(v, t)| (v.clone(), t.clone()))
        .collect();
    while citations.len() < 3 {
        citations.push((String::new(), String::new()));
    }
    let form = ComposeForm {
        kind: one("kind"),
        title: one("title"),
        body: one("body"),
        visibility: one("visibility"),
        spoiler_text: one("spoiler_text"),
        topics: many("topics"),
        citations,
        disclosure: one("disclosure"),
        consent_patient: one("consent_patient"),
        consent_scope: one("consent_scope"),
        consent_date: one("consent_date"),
        coauthors: one("coauthors"),
        reviewers: one("reviewers"),
        schedule_at: one("schedule_at"),
        alt: one("alt"),
        long_description: one("long_description"),
        media_ids: many("media_id")
            .iter()
            .filter_map(|s| s.parse().ok())
            .collect(),
        action: one("action"),
        confirm_public: one("confirm_public") == "true",
        sensitive: one("sensitive") == "true",
    };
    Ok((one("csrf"), form, file))
}

/// Stores the uploaded file (if any) and returns every media id the post should carry.
pub async fn upload_media(
    state: &AppState,
    actor: &Actor,
    form: &mut ComposeForm,
    file: Option<ReceivedFile>,
) -> Result<Vec<i64>, CoreError> {
    if let Some(file) = file {
        let info = uploads::store(state, actor, file, &form.alt, &form.long_description).await?;
        // Kept on the form, so a refused draft does not ask for the file again.
        form.media_ids.push(info.id);
    } else {
        for id in &form.media_ids {
            if !form.alt.is_empty() {
                media::describe(&state.core, actor, *id, &form.alt, &form.long_description).await?;
            }
        }
    }
    Ok(form.media_ids.clone())
}
