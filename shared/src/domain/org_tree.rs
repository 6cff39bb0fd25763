//! The shape of the organisation: which kind of unit sits under which, the order of the roles
//! (who may grant what), and a unit's public code, the address of its board.

use super::{OrgKind, Role};
use crate::explain::Explain;
use crate::i18n::Lang;
use crate::words::Word;

impl OrgKind {
    /// Whether a unit of `child`'s kind may sit directly under one of this kind: county → town →
    /// branch → party group, and migrant members' organisations under a county or a town.
    pub fn may_hold(self, child: OrgKind) -> bool {
        matches!(
            (self, child),
            (OrgKind::County, OrgKind::Town)
                | (OrgKind::County, OrgKind::Migrant)
                | (OrgKind::Town, OrgKind::Branch)
                | (OrgKind::Town, OrgKind::Migrant)
                | (OrgKind::Branch, OrgKind::Group)
        )
    }

    /// Whether units of this kind post a public board, and so have a public code.
    pub fn has_code(self) -> bool {
        matches!(self, OrgKind::Branch | OrgKind::Migrant)
    }
}

impl Role {
    /// The role's rank: member < committee < secretary < org_admin. Nobody grants or revokes a
    /// role ranked above their own.
    pub fn rank(self) -> u8 {
        match self {
            Role::Member => 0,
            Role::Committee => 1,
            Role::Secretary => 2,
            Role::OrgAdmin => 3,
        }
    }

    /// The highest of `roles`, if any.
    pub fn highest(roles: impl IntoIterator<Item = Role>) -> Option<Role> {
        roles.into_iter().max_by_key(|r| r.rank())
    }

    /// The roles someone whose highest role over a unit is `self` may grant and revoke there:
    /// only secretaries and org admins grant, never above their own role; membership itself
    /// comes with the roster, not with a grant.
    pub fn grantable(self) -> Vec<Role> {
        if !self.can_manage() {
            return Vec::new();
        }
        [Role::Committee, Role::Secretary, Role::OrgAdmin]
            .into_iter()
            .filter(|r| r.rank() <= self.rank())
            .collect()
    }
}

/// A unit's public code, the last part of its board's address (`/board/demo-1`): 2 to 32
/// lower-case letters, digits and single hyphens inside, so that it reads aloud, prints on a
/// QR code and is the same however it was typed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrgCode(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgCodeError {
    Invalid,
}

impl OrgCode {
    pub const MAX: usize = 32;

    /// Trims and lower-cases `raw`, then checks it.
    pub fn parse(raw: &str) -> Result<Self, OrgCodeError> {
        let code = raw.trim().to_ascii_lowercase();
        let ok = (2..=Self::MAX).contains(&code.len())
            && code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !code.starts_with('-')
            && !code.ends_with('-')
            && !code.contains("--");
        if ok {
            Ok(Self(code))
        } else {
            Err(OrgCodeError::Invalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl Explain for OrgCodeError {
    fn code(&self) -> &'static str {
        "org_unit.code_invalid"
    }

    fn explain(&self, lang: Lang) -> String {
        Word::AdminCodeInvalid.text(lang).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_nest_county_town_branch_group_with_migrant_units_under_county_or_town() {
        use OrgKind::*;
        let allowed: Vec<(OrgKind, OrgKind)> = OrgKind::ALL
            .iter()
            .flat_map(|p| OrgKind::ALL.iter().map(move |c| (*p, *c)))
            .filter(|(p, c)| p.may_hold(*c))
            .collect();
        assert_eq!(
            allowed,
            [
                (County, Town),
                (County, Migrant),
                (Town, Branch),
                (Town, Migrant),
                (Branch, Group)
            ]
        );
    }

    #[test]
    fn nobody_grants_above_their_own_role_and_only_managers_grant() {
        assert!(Role::Member.grantable().is_empty());
        assert!(Role::Committee.grantable().is_empty());
        assert_eq!(
            Role::Secretary.grantable(),
            [Role::Committee, Role::Secretary]
        );
        assert_eq!(
            Role::OrgAdmin.grantable(),
            [Role::Committee, Role::Secretary, Role::OrgAdmin]
        );
        assert_eq!(
            Role::highest([Role::Committee, Role::OrgAdmin, Role::Member]),
            Some(Role::OrgAdmin)
        );
        assert_eq!(Role::highest([]), None);
    }

    #[test]
    fn codes_are_read_the_same_however_typed_and_odd_ones_are_refused() {
        assert_eq!(
            OrgCode::parse(" Dong-Guan-1 ").unwrap().as_str(),
            "dong-guan-1"
        );
        for bad in [
            "",
            "a",
            "-ab",
            "ab-",
            "a--b",
            "东关",
            "a b",
            "a_b",
            &"x".repeat(33),
        ] {
            assert_eq!(OrgCode::parse(bad), Err(OrgCodeError::Invalid), "{bad:?}");
        }
        assert!(OrgCode::parse(&"x".repeat(32)).is_ok());
    }
}
