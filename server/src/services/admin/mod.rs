//! Administration of the organisation from the app and the API (issue 14): the tree of units,
//! the roles held on them and a branch's WeChat invites. Everything here is audited in the
//! transaction that does it; who may do what is said in each module.

pub mod codes;
pub mod invites;
pub mod roles;
pub mod scope;
pub mod tree;
pub mod units;
