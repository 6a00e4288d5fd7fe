//! Profiles: personal, professional and organisation identities, their credentials and
//! conflict-of-interest disclosures. (Verifying them is the `verification` capability.)
//!
//! Rules kept here (never only in templates):
//! - licence numbers are shown only to reviewers (moderators, admins) and to the owner;
//! - changing what a badge vouches for (name, credentials, specialty, affiliations) sends the
//!   profile back to unverified;
//! - nothing public links a login's personal profile to its professional one.

mod create;
mod disclosures;
mod edit;
mod handle;
mod model;
mod npi;
mod pictures;
mod read;

pub(crate) use create::{count_post, insert_profile};
pub use create::{create_personal_profile, may_add_personal, recount};
pub use disclosures::{add_disclosure, remove_disclosure};
pub(crate) use edit::reset_verification;
pub use edit::{check_update, update};
pub use edit::{AppProfileEdit, Edited, ProfileUpdate};
pub use handle::{clean_display_name, Handle};
pub use model::{
    label_of, may_see_licence, Disclosure, Profile, ProfileKind, Stats, VerificationState,
    ORG_KINDS, PROFESSIONS, RELATIONSHIPS,
};
pub use npi::{npi_check_digit, Npi};
pub use pictures::{remove_picture, set_pictures, Picture};
pub use read::{
    by_handles, count_profiles, directory, for_user, get, get_by_handle, primary_for_user,
    public_by_ids, verified_directory, verified_namesake, view, view_by_id, DirectoryOrder,
    DirectoryQuery,
};
// Every profile's licence numbers with no actor check: for `admin::accounts`, which has one.
pub(crate) use read::{ensure_handle_free, for_newest_users, locked};
