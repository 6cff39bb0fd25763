//! Usernames made for members added without one: the branch's public code and a number
//! (`demo-2-007`), the smallest number not taken. Re-importing a file does not make new ones:
//! its rows find their members by phone, username or name first (see [`super::import`]).

use std::collections::HashSet;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::entity::{member, org_unit};
use crate::error::AppResult;

/// Hands out usernames for one branch, remembering those it gave within one request.
pub struct Usernames {
    prefix: String,
    taken: HashSet<String>,
    next: u32,
}

impl Usernames {
    /// Reads the usernames already made with the branch's prefix.
    pub async fn for_branch(
        db: &impl ConnectionTrait,
        branch: &org_unit::Model,
    ) -> AppResult<Self> {
        let prefix = prefix_of(branch);
        let taken: HashSet<String> = member::Entity::find()
            .select_only()
            .column(member::Column::Username)
            .filter(member::Column::Username.starts_with(format!("{prefix}-")))
            .into_tuple::<String>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        Ok(Self::new(prefix, taken))
    }

    /// Usernames `{prefix}-001`, `{prefix}-002`, … skipping those `taken`.
    pub fn new(prefix: String, taken: HashSet<String>) -> Self {
        Self {
            prefix,
            taken,
            next: 1,
        }
    }

    /// Marks a username as used (a row of the same file that names it).
    pub fn reserve(&mut self, username: &str) {
        self.taken.insert(username.to_owned());
    }

    /// The next free username.
    pub fn make(&mut self) -> String {
        loop {
            let candidate = format!("{}-{:03}", self.prefix, self.next);
            self.next += 1;
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

/// The branch's public code in lower case, or, for a branch without one, `b` and the end of its
/// id; always a valid start of a username (letters, digits and `-`).
fn prefix_of(branch: &org_unit::Model) -> String {
    match branch.code.as_deref().filter(|c| !c.is_empty()) {
        Some(code) => code.to_ascii_lowercase(),
        None => {
            let tail: String = branch.id.chars().filter(char::is_ascii_hexdigit).collect();
            format!("b{}", &tail[tail.len().saturating_sub(6)..])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_skip_what_is_taken() {
        let mut u = Usernames {
            prefix: "demo-2".into(),
            taken: HashSet::from(["demo-2-001".to_owned(), "demo-2-003".to_owned()]),
            next: 1,
        };
        u.reserve("demo-2-002");
        assert_eq!(u.make(), "demo-2-004");
        assert_eq!(u.make(), "demo-2-005");
    }
}
