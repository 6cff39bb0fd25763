//! Deeds the branch registers for a member without a phone (登记建账): a committee member or the
//! secretary of the member's home branch records it in the member's account. It is reviewed like
//! any other, never by whoever registered it (see [`super::review::decide`]).

use jifen_shared::words::Word;
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::entity::member;
use crate::error::{AppError, AppResult, FieldIssue, Missing, Refusal};
use crate::infra::ids;
use crate::services::access::{self, Access};

/// The member a deed is registered for: one of a branch the caller reviews. A member the caller
/// cannot see is answered as if it did not exist (404); one of a branch they only belong to, 403.
pub async fn for_member(
    db: &impl ConnectionTrait,
    registrar: &Access,
    member_id: &str,
) -> AppResult<member::Model> {
    if !ids::is_valid(member_id) {
        return Err(AppError::Validation(vec![FieldIssue::worded(
            "member_id",
            "validation.invalid",
            Word::IdInvalid,
        )]));
    }
    let member = member::Entity::find_by_id(member_id.to_owned())
        .one(db)
        .await?
        .ok_or(AppError::NotFound(Missing::Member))?;
    match access::reviewed_branch(db, registrar, &member.home_branch_id).await {
        Ok(_) => Ok(member),
        Err(AppError::NotFound(_)) => Err(AppError::NotFound(Missing::Member)),
        Err(AppError::Forbidden(_)) => Err(AppError::Forbidden(Refusal::Role)),
        Err(e) => Err(e),
    }
}
