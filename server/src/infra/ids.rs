//! Ids are UUIDv7 strings: unique without coordination, and sorted by creation time, which
//! makes them usable as pagination cursors.

pub fn new() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Whether a string looks like one of our ids; anything else cannot name a row.
pub fn is_valid(s: &str) -> bool {
    uuid::Uuid::try_parse(s).is_ok()
}
