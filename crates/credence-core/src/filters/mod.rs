//! Filters (Mastodon's `/api/v2/filters`): a person's own keyword and post filters, and what
//! they do to a listing ([`apply`]): `hide` leaves matching posts out, `warn` folds them
//! behind the filter's title. Only their owner sees or changes a filter.

mod apply;
mod store;

pub use apply::{apply, Applied, FilterResult};
pub use store::{
    add_keyword, add_status, create, delete, delete_keyword, delete_status, get, keyword, own,
    status, update, update_keyword,
};

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::kernel::CoreError;

/// Where a filter applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Context {
    Home,
    Notifications,
    Public,
    Thread,
    Account,
}

impl Context {
    pub fn as_str(self) -> &'static str {
        match self {
            Context::Home => "home",
            Context::Notifications => "notifications",
            Context::Public => "public",
            Context::Thread => "thread",
            Context::Account => "account",
        }
    }
}

impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Context {
    type Err = CoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "home" => Ok(Context::Home),
            "notifications" => Ok(Context::Notifications),
            "public" => Ok(Context::Public),
            "thread" => Ok(Context::Thread),
            "account" => Ok(Context::Account),
            other => Err(CoreError::invalid(
                "context",
                format!(
                    "A filter's context is home, notifications, public, thread or account, \
                     not \"{other}\""
                ),
            )),
        }
    }
}

/// What a filter does to a matching post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Shown folded, with the filter's title.
    Warn,
    /// Left out.
    Hide,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Warn => "warn",
            Action::Hide => "hide",
        }
    }
}

impl FromStr for Action {
    type Err = CoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "warn" => Ok(Action::Warn),
            "hide" => Ok(Action::Hide),
            other => Err(CoreError::invalid(
                "filter_action",
                format!("filter_action is warn or hide, not \"{other}\""),
            )),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Keyword {
    pub id: i64,
    pub filter_id: i64,
    pub keyword: String,
    pub whole_word: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct FilteredPost {
    pub id: i64,
    pub filter_id: i64,
    pub post_id: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Filter {
    pub id: i64,
    pub title: String,
    pub contexts: Vec<Context>,
    pub action: Action,
    pub expires_at: Option<i64>,
    pub keywords: Vec<Keyword>,
    pub posts: Vec<FilteredPost>,
}

/// A keyword to add, change (`id`) or remove (`destroy`) with a filter's create or update.
#[derive(Debug, Clone, Default)]
pub struct KeywordChange {
    pub id: Option<i64>,
    pub keyword: String,
    pub whole_word: bool,
    pub destroy: bool,
}

/// A filter's create or update: what is `None` is kept (required on create: title, contexts).
#[derive(Debug, Clone, Default)]
pub struct FilterInput {
    pub title: Option<String>,
    pub contexts: Option<Vec<Context>>,
    pub action: Option<Action>,
    /// `Some(None)`: never expires; `Some(Some(seconds))`: from now.
    pub expires_in: Option<Option<i64>>,
    pub keywords: Vec<KeywordChange>,
}
