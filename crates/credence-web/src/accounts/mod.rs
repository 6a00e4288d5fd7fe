//! Accounts: signing up (page and app), signing in and out, changing the password, and who a
//! token acts as.

mod api;
mod pages;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/signup", get(pages::signup_page).post(pages::signup))
        .route("/signin", get(pages::signin_page).post(pages::signin))
        .route("/signout", post(pages::signout))
        .route(
            "/settings/password",
            get(pages::password_page).post(pages::change_password),
        )
        .route("/api/v1/accounts", post(api::register))
        .route(
            "/api/v1/accounts/verify_credentials",
            get(api::verify_credentials),
        )
        .route("/api/v1/preferences", get(api::preferences))
}
