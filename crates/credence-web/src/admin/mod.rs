//! Administration: the accounts table with role changes, and the audit log.

mod pages;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(pages::admin))
        .route("/admin/users/{id}/role", post(pages::change_role))
}
