//! Who is calling: passwords, access tokens and refresh-token sessions. The request extractor is
//! in [`crate::http::extract`].

pub mod account;
pub mod one_time;
pub mod password;
pub mod sessions;
pub mod tokens;
