//! Taking part with a weak or no network: reports kept on the phone until sent ([`outbox`]), the
//! half-written report kept as typed ([`draft`]), over a small IndexedDB layer ([`idb`]); the last answers seen, for screens offline
//! ([`seen`], [`remembered`]).

pub mod draft;
pub mod idb;
pub mod outbox;
pub mod remembered;
pub mod seen;
