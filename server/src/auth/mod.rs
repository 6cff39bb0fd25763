//! Who is calling: passwords, access tokens, refresh-token sessions, and the request extractor.

pub mod account;
pub mod one_time;
pub mod password;
pub mod secret;
pub mod sessions;
pub mod tokens;

mod extractor;

pub use extractor::AuthUser;
