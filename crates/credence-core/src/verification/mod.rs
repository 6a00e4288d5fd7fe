//! The verification workflow: a professional or organisation asks, a moderator or
//! administrator (never for their own profile) verifies or rejects, and every step is audited.
//!
//! Concurrency: every transaction that touches both locks the `profiles` row first, then
//! `verification_requests`, and state changes are conditional updates on the stored state, so
//! two submissions make one request and a decision applies only to a request still pending.

use serde::Serialize;
use sqlx::any::AnyRow;

use crate::audit;
use crate::kernel::actor::require_reviewer;
use crate::kernel::clock::{new_id, now_ms};
use crate::kernel::db::{col, parse_col};
use crate::kernel::text::multi_line;
use crate::kernel::{Actor, Core, CoreError, CoreResult};
use crate::profiles::{self, Profile, ProfileKind, VerificationState};

#[derive(Debug, Clone, Serialize)]
pub struct VerificationRequest {
    pub id: i64,
    pub profile: Profile,
    pub note: String,
    pub state: VerificationState,
    pub submitted_at: i64,
    pub decided_at: Option<i64>,
    pub reason: Option<String>,
}

/// The owner asks for the acting profile to be verified. Required credentials must be filled in.
///
/// Race-safe: the profile is claimed with a conditional update, so of two submissions at once
/// only one creates a request, and completeness is checked on the claimed (locked) row.
pub async fn submit(core: &Core, actor: &Actor, note: &str) -> CoreResult<VerificationRequest> {
    let profile = profiles::get(core, actor.profile_id).await?;
    if !profile.kind.is_verifiable() {
        return Err(CoreError::invalid(
            "profile",
            "personal profiles are not verified; switch to your professional profile",
        ));
    }
    refuse_resubmission(profile.verification)?;
    let note = multi_line("note", "the note to reviewers", note, 1000)?;
    let now = now_ms();
    // Profile row first, then verification_requests: the lock order of `update` and `decide`.
    let mut tx = core.db.begin_write().await?;
    let claimed = sqlx::query(
        "UPDATE profiles SET verification_state = 'pending', updated_at = $1 \
         WHERE id = $2 AND verification_state IN ('unverified', 'rejected')",
    )
    .bind(now)
    .bind(profile.id)
    .execute(&mut *tx)
    .await?;
    if claimed.rows_affected() == 0 {
        // Another submission (or a decision) changed the state since we read it.
        return Err(CoreError::invalid(
            "profile",
            "a verification request is already waiting for review",
        ));
    }
    refuse_incomplete(&profiles::locked(&mut tx, profile.id).await?)?;
    sqlx::query(
        "INSERT INTO verification_requests (id, profile_id, note, state, submitted_at) \
         VALUES ($1, $2, $3, 'pending', $4)",
    )
    .bind(new_id())
    .bind(profile.id)
    .bind(&note)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        Some(actor.user_id),
        "verification.submit",
        ("profile", Some(profile.id)),
        "",
    )
    .await?;
    tx.commit().await?;
    latest_request(core, actor, profile.id)
        .await?
        .ok_or(CoreError::NotFound("verification request"))
}

fn refuse_resubmission(state: VerificationState) -> CoreResult<()> {
    let why = match state {
        VerificationState::Pending => "a verification request is already waiting for review",
        VerificationState::Verified => "this profile is already verified",
        _ => return Ok(()),
    };
    Err(CoreError::invalid("profile", why))
}

/// Refuses a request a reviewer could not check: the credentials must all be there.
fn refuse_incomplete(profile: &Profile) -> CoreResult<()> {
    let required = match profile.kind {
        ProfileKind::Professional => vec![
            ("profession", profile.profession.is_none()),
            ("credentials", profile.credentials.is_none()),
            ("licence number", profile.licence_number.is_none()),
            (
                "issuing jurisdiction",
                profile.licence_jurisdiction.is_none(),
            ),
        ],
        _ => vec![("kind of organisation", profile.org_kind.is_none())],
    };
    let missing: Vec<&str> = required
        .into_iter()
        .filter_map(|(name, absent)| absent.then_some(name))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(CoreError::invalid(
        "profile",
        format!(
            "fill in your {} before asking for verification",
            missing.join(", ")
        ),
    ))
}

/// The newest request for a profile: visible to its owner and to reviewers.
pub async fn latest_request(
    core: &Core,
    actor: &Actor,
    profile_id: i64,
) -> CoreResult<Option<VerificationRequest>> {
    let profile = profiles::get(core, profile_id).await?;
    if profile.user_id != actor.user_id && !actor.role.can_review() {
        return Err(CoreError::forbidden(
            "you cannot see this profile's verification requests",
        ));
    }
    let row = sqlx::query(
        "SELECT id, note, state, submitted_at, decided_at, reason FROM verification_requests \
         WHERE profile_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(profile_id)
    .fetch_optional(&core.db.pool)
    .await?;
    row.map(|r| request_from_row(&r, profile)).transpose()
}

fn request_from_row(row: &AnyRow, profile: Profile) -> CoreResult<VerificationRequest> {
    Ok(VerificationRequest {
        id: col(row, "id")?,
        profile,
        note: col(row, "note")?,
        state: parse_col(row, "state")?,
        submitted_at: col(row, "submitted_at")?,
        decided_at: col(row, "decided_at")?,
        reason: col(row, "reason")?,
    })
}

pub async fn review_queue(core: &Core, actor: &Actor) -> CoreResult<Vec<VerificationRequest>> {
    require_reviewer(actor)?;
    let rows = sqlx::query(
        "SELECT id, profile_id, note, state, submitted_at, decided_at, reason FROM verification_requests \
         WHERE state = 'pending' ORDER BY submitted_at, id LIMIT 200",
    )
    .fetch_all(&core.db.pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let profile = profiles::get(core, col(row, "profile_id")?).await?;
        out.push(request_from_row(row, profile)?);
    }
    Ok(out)
}

#[derive(Debug, Clone)]
pub enum Decision {
    Verify,
    Reject { reason: String },
}

impl Decision {
    /// A reviewer's choice as a form or an API call sends it: `verify`, or `reject` with a
    /// reason.
    pub fn parse(decision: &str, reason: String) -> CoreResult<Decision> {
        match decision {
            "verify" => Ok(Decision::Verify),
            "reject" => Ok(Decision::Reject { reason }),
            _ => Err(CoreError::invalid(
                "decision",
                "decision must be \"verify\" or \"reject\"",
            )),
        }
    }
}

/// A reviewer verifies or rejects a pending request. Written to the audit log.
pub async fn decide(
    core: &Core,
    actor: &Actor,
    request_id: i64,
    decision: Decision,
) -> CoreResult<VerificationRequest> {
    require_reviewer(actor)?;
    let row = sqlx::query("SELECT profile_id, state FROM verification_requests WHERE id = $1")
        .bind(request_id)
        .fetch_optional(&core.db.pool)
        .await?
        .ok_or(CoreError::NotFound("verification request"))?;
    let profile_id: i64 = col(&row, "profile_id")?;
    let state: VerificationState = parse_col(&row, "state")?;
    if state != VerificationState::Pending {
        return Err(CoreError::invalid(
            "request",
            format!("this request was already {state}"),
        ));
    }
    let profile = profiles::get(core, profile_id).await?;
    if profile.user_id == actor.user_id {
        return Err(CoreError::forbidden(
            "you cannot decide on your own verification request",
        ));
    }
    let (new_state, reason) = match &decision {
        Decision::Verify => (VerificationState::Verified, None),
        Decision::Reject { reason } => {
            let reason = multi_line("reason", "the reason", reason, 1000)?;
            if reason.is_empty() {
                return Err(CoreError::invalid(
                    "reason",
                    "give the applicant a reason for the rejection",
                ));
            }
            (VerificationState::Rejected, Some(reason))
        }
    };
    let now = now_ms();
    let mut tx = core.db.begin_write().await?;
    // Profile first, then the request: the lock order of `update` and `submit_verification`, so
    // a decision and an edit never deadlock. The state conditions make it safe against both a
    // second reviewer and an edit that withdrew the request meanwhile: only a profile still
    // pending, with this request still pending, is decided.
    let profile_updated = sqlx::query(
        "UPDATE profiles SET verification_state = $1, verified_at = $2, updated_at = $3 \
         WHERE id = $4 AND verification_state = 'pending'",
    )
    .bind(new_state.as_str())
    .bind((new_state == VerificationState::Verified).then_some(now))
    .bind(now)
    .bind(profile_id)
    .execute(&mut *tx)
    .await?;
    let request_updated = sqlx::query(
        "UPDATE verification_requests SET state = $1, decided_by = $2, decided_at = $3, reason = $4 \
         WHERE id = $5 AND state = 'pending'",
    )
    .bind(new_state.as_str())
    .bind(actor.user_id)
    .bind(now)
    .bind(&reason)
    .bind(request_id)
    .execute(&mut *tx)
    .await?;
    if profile_updated.rows_affected() == 0 || request_updated.rows_affected() == 0 {
        // Dropping the transaction rolls back whichever of the two did apply.
        return Err(CoreError::invalid(
            "request",
            "this request is no longer pending: someone else decided it, or the applicant \
             changed their details and it was withdrawn",
        ));
    }
    let action = match decision {
        Decision::Verify => "verification.verify",
        Decision::Reject { .. } => "verification.reject",
    };
    audit::record(
        &mut *tx,
        Some(actor.user_id),
        action,
        ("profile", Some(profile_id)),
        reason.as_deref().unwrap_or(""),
    )
    .await?;
    tx.commit().await?;
    latest_request(core, actor, profile_id)
        .await?
        .ok_or(CoreError::NotFound("verification request"))
}

/// Marks a profile verified directly (operator command `admin create-user --verified`, demo).
pub async fn verify_directly(
    core: &Core,
    actor_user_id: Option<i64>,
    profile_id: i64,
    why: &str,
) -> CoreResult<()> {
    let now = now_ms();
    // Profile first, then verification_requests: the lock order used everywhere.
    let mut tx = core.db.begin_write().await?;
    sqlx::query("UPDATE profiles SET verification_state = 'verified', verified_at = $1, updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(profile_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO verification_requests (id, profile_id, note, state, submitted_at, decided_by, decided_at) \
         VALUES ($1, $2, $3, 'verified', $4, $5, $4)",
    )
    .bind(new_id())
    .bind(profile_id)
    .bind(why)
    .bind(now)
    .bind(actor_user_id)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        actor_user_id,
        "verification.verify",
        ("profile", Some(profile_id)),
        why,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decision_is_verify_or_reject_with_its_reason() {
        assert!(matches!(
            Decision::parse("verify", String::new()),
            Ok(Decision::Verify)
        ));
        match Decision::parse("reject", "licence expired".into()) {
            Ok(Decision::Reject { reason }) => assert_eq!(reason, "licence expired"),
            other => panic!("{other:?}"),
        }
        for bad in ["", "approve", "VERIFY"] {
            let err = Decision::parse(bad, String::new()).unwrap_err();
            assert_eq!(err.field(), Some("decision"), "{bad}");
        }
    }
}
