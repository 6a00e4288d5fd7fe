//! The live check: a draft checked as its author types, by the same rules as publishing (the
//! compose page calls it on every pause, apps through `POST /api/v1/credence/check`).

use credence_check::{DraftKind, Report, DEFAULT_TARGET_GRADE};

use crate::content::{self, ReaderText};
use crate::kernel::{Actor, Core, CoreError, CoreResult};
use crate::profiles::{self, Profile};

use super::model::MAX_ARTICLE_CHARS;
use super::rules::{add_hidden_phi, author_draft};

/// What the author has typed so far.
#[derive(Debug, Clone)]
pub struct DraftCheck {
    pub text: String,
    pub kind: DraftKind,
    /// The reading grade to aim for (1 to 20); the engine's default when absent.
    pub target_grade: Option<f64>,
}

/// The engine's report on a draft of the actor's, with their byline and declared disclosures.
pub async fn check_draft(core: &Core, actor: &Actor, check: DraftCheck) -> CoreResult<Report> {
    let author = profiles::get(core, actor.profile_id).await?;
    check_draft_by(core, &author, check)
}

/// [`check_draft`] for the acting profile already loaded (the signed-in page's session holds
/// it, disclosures included): the compose page checks on every pause in typing.
pub fn check_draft_by(core: &Core, author: &Profile, check: DraftCheck) -> CoreResult<Report> {
    if check.text.chars().count() > MAX_ARTICLE_CHARS {
        return Err(CoreError::TooLarge(format!(
            "the draft is too long to check (at most {MAX_ARTICLE_CHARS} characters)"
        )));
    }
    let target_grade = check.target_grade.unwrap_or(DEFAULT_TARGET_GRADE);
    if !(1.0..=20.0).contains(&target_grade) {
        return Err(CoreError::invalid(
            "target_grade",
            "target_grade must be between 1 and 20",
        ));
    }
    // Readers get an article rendered: the engine reads that, and its findings are moved
    // back onto what the author typed so the compose page highlights the right words.
    let markdown = matches!(check.kind, DraftKind::Article | DraftKind::ResearchUpdate);
    let seen = if markdown {
        content::article_text(&check.text)
    } else {
        ReaderText::verbatim(&check.text)
    };
    let mut draft = author_draft(author, check.kind, &seen.text);
    draft.target_grade = target_grade;
    let mut report = core.checker().check(&draft);
    report.relocate(|start, end| seen.source_span(start, end));
    if markdown {
        add_hidden_phi(core.checker(), author, check.kind, &check.text, &mut report);
    }
    Ok(report)
}
