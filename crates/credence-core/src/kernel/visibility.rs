//! Who may read a post, as one SQL condition that every listing, search, feed and fan-out
//! uses (a capability that needs another rule adds it here, so every path obeys it).

use super::actor::Actor;

/// Who may read a post, as SQL over alias `p`, for the viewer bound at `$n` (0 for nobody):
/// public posts; your own; followers-only posts of people you follow; anything that mentions
/// you. Drafts, scheduled and deleted posts are left to the caller's `state` condition.
pub fn visible_to(n: usize) -> String {
    visible_to_profile(&format!("${n}"))
}

/// [`visible_to`] for the profile id that the SQL expression `who` gives (a bound parameter or
/// a column of another table).
pub fn visible_to_profile(who: &str) -> String {
    format!(
        "(p.visibility = 'public' OR p.author_id = {who} \
          OR (p.visibility = 'followers' AND EXISTS (SELECT 1 FROM follows f \
              WHERE f.follower_id = {who} AND f.followee_id = p.author_id)) \
          OR EXISTS (SELECT 1 FROM mentions m WHERE m.post_id = p.id AND m.profile_id = {who}))"
    )
}

/// Whether a discovery path (topic feeds, search) lists a post to the viewer at `$n`: unlisted
/// posts only to their author. The public timeline and explore leave them out for everyone.
pub fn listed_to(n: usize) -> String {
    format!("(p.unlisted = 0 OR p.author_id = ${n})")
}

/// The viewer's profile id for [`visible_to`] (0 matches nobody).
pub fn viewer_id(viewer: Option<&Actor>) -> i64 {
    viewer.map_or(0, |a| a.profile_id)
}

/// Whether the profile `who` liked, boosted and bookmarked the post `post` (SQL expressions
/// of 0 or 1), as listings read them and home feed entries keep them.
pub fn flags_of(who: &str, post: &str) -> [String; 3] {
    [
        format!(
            "(SELECT 1 FROM favourites vf WHERE vf.post_id = {post} AND vf.profile_id = {who})"
        ),
        format!("(SELECT 1 FROM posts vb WHERE vb.author_id = {who} AND vb.reblog_of_id = {post})"),
        format!("(SELECT 1 FROM bookmarks vk WHERE vk.post_id = {post} AND vk.profile_id = {who})"),
    ]
    .map(|exists| format!("CAST(CASE WHEN EXISTS {exists} THEN 1 ELSE 0 END AS BIGINT)"))
}
