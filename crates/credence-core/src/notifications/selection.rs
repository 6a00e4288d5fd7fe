//! Which notifications a listing keeps (Mastodon's `types[]`, `exclude_types[]`,
//! `account_id`) and which ids it reads (`max_id`, `since_id`, `min_id`, `limit`).

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::Any;

use crate::kernel::db::placeholders;
use crate::kernel::paging::Window;

/// Every kind of notification Credence records.
pub const KINDS: [&str; 11] = [
    "mention",
    "reply",
    "follow",
    "follow_request",
    "favourite",
    "reblog",
    "review_request",
    "reviewed",
    "coauthor_request",
    "coauthor_accepted",
    "scheduled_published",
];

/// The type a Mastodon client knows a kind by: replies are mentions there, and a scheduled
/// post going out is a `status`. Credence's own kinds keep their names (clients skip types
/// they do not know, as Mastodon's documentation asks of them).
pub fn mastodon_type(kind: &str) -> &str {
    match kind {
        "reply" | "mention" => "mention",
        "scheduled_published" => "status",
        other => other,
    }
}

/// Which notifications to keep: by type (Mastodon's names, or Credence's own kinds) and by who
/// caused them. Empty `types` keeps every type.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub types: Vec<String>,
    pub exclude_types: Vec<String>,
    pub account_id: Option<i64>,
}

impl Selection {
    /// The stored kinds kept.
    pub fn kinds(&self) -> Vec<&'static str> {
        let named = |list: &[String], kind: &str| {
            list.iter().any(|t| t == kind || t == mastodon_type(kind))
        };
        KINDS
            .into_iter()
            .filter(|k| self.types.is_empty() || named(&self.types, k))
            .filter(|k| !named(&self.exclude_types, k))
            .collect()
    }

    /// The SQL condition over `notifications` for `recipient` within `window`, and its values
    /// from `$1`.
    pub(super) fn condition(&self, recipient: i64, window: &Window) -> (String, Vec<Param>) {
        let kinds = self.kinds();
        let mut values = vec![Param::Id(recipient)];
        let mut sql = String::from("recipient_id = $1");
        if kinds.is_empty() {
            sql.push_str(" AND 1 = 0");
        } else if kinds.len() < KINDS.len() {
            sql.push_str(&format!(
                " AND kind IN ({})",
                placeholders(values.len() + 1, kinds.len())
            ));
            values.extend(kinds.into_iter().map(Param::Kind));
        }
        let mut push = |clause: &str, value: i64| {
            values.push(Param::Id(value));
            sql.push_str(&format!(" AND {clause} ${}", values.len()));
        };
        if let Some(account) = self.account_id {
            push("actor_id =", account);
        }
        if window.below != i64::MAX {
            push("id <", window.below);
        }
        if window.above != 0 {
            push("id >", window.above);
        }
        (sql, values)
    }
}

/// One value of a [`Selection::condition`].
#[derive(Debug, Clone)]
pub(super) enum Param {
    Id(i64),
    Kind(&'static str),
}

/// Binds `params` to `query` in order.
pub(super) fn bind_all<'q>(
    mut query: Query<'q, Any, AnyArguments<'q>>,
    params: &[Param],
) -> Query<'q, Any, AnyArguments<'q>> {
    for param in params {
        query = match param {
            Param::Id(id) => query.bind(*id),
            Param::Kind(kind) => query.bind(*kind),
        };
    }
    query
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selection(types: &[&str], exclude: &[&str]) -> Selection {
        Selection {
            types: types.iter().map(|s| s.to_string()).collect(),
            exclude_types: exclude.iter().map(|s| s.to_string()).collect(),
            account_id: None,
        }
    }

    #[test]
    fn mastodon_types_select_the_kinds_they_stand_for() {
        assert_eq!(selection(&["mention"], &[]).kinds(), ["mention", "reply"]);
        assert_eq!(selection(&["status"], &[]).kinds(), ["scheduled_published"]);
        assert_eq!(selection(&["reviewed"], &[]).kinds(), ["reviewed"]);
        assert_eq!(selection(&[], &[]).kinds().len(), KINDS.len());
        let without_follows = selection(&[], &["follow", "favourite"]).kinds();
        assert!(!without_follows.contains(&"follow"));
        assert!(!without_follows.contains(&"favourite"));
        assert!(without_follows.contains(&"reply"));
        assert!(
            selection(&["poll"], &[]).kinds().is_empty(),
            "a type never recorded"
        );
    }

    #[test]
    fn a_selection_of_nothing_reads_nothing() {
        let (sql, _) = selection(&["poll"], &[]).condition(7, &Window::default());
        assert!(sql.contains("1 = 0"), "{sql}");
        let (sql, values) =
            selection(&["mention"], &[]).condition(7, &Window::paged(Some(9), None, Some(3), None));
        assert_eq!(
            sql,
            "recipient_id = $1 AND kind IN ($2, $3) AND id < $4 AND id > $5"
        );
        assert_eq!(values.len(), 5);
    }
}
