//! Logins: e-mail and password (argon2id), server-side sessions, sign-in throttling and Bearer
//! tokens. (Roles and `Actor` are the kernel's; changing someone's role is `admin`.)
//!
//! A login (`users` row) holds one or two profiles: a personal one and, for professionals and
//! organisations, a professional one. The session records which profile the person is acting as.

mod email;
mod password;
mod sessions;
mod sign_in;
mod tokens;
mod users;

pub use email::Email;
pub use password::{check_password_strength, hash_password, MAX_PASSWORD_LEN, MIN_PASSWORD_LEN};
pub use sessions::{
    create_session, delete_session, expire_session, session_from_cookie, switch_profile, Session,
    SESSION_TTL_MS,
};
pub use sign_in::{
    authenticate, MAX_FAILURES_PER_ADDRESS, MAX_FAILURES_PER_NAME, THROTTLE_WINDOW_MS,
};
pub use tokens::{issue_token, personal_token_for_handle, revoke_token, token_info};
pub use users::{
    change_password, create_account, get_user, joining_role, register, NewAccount, User,
};
