//! Content for trying Credence and for measuring it, kept apart from the domain crate:
//!
//! - [`demo`]: a handful of realistic accounts and posts, added through the same core
//!   functions as everyone's (`credence demo`, `credence serve --demo`);
//! - [`scale`]: a large generated instance written in bulk (`credence demo --posts N
//!   --authors M`), which the load benchmark in `bench/` seeds.

pub mod demo;
pub mod scale;
