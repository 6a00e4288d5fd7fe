//! Posts: publishing through the API (`api`) and through the pages (`pages`).

mod api;
mod pages;
