//! Types and rules that both ends of Jifen agree on.
//!
//! The server and the web app exchange exactly these types, so renaming a field breaks the build of
//! both sides instead of a user's phone. Domain values validate on construction: once a handler
//! holds a [`domain::DeedTitle`] it never checks the length again.

pub mod api;
pub mod domain;
pub mod explain;
pub mod i18n;
pub mod problem;
pub mod words;
