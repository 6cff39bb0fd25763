//! What the public board page shows for a branch's code: a posted quarter, or, calmly, that
//! nothing (or not the quarter asked for) is posted yet and which quarter is the latest posted.

use chrono::{DateTime, Utc};
use jifen_shared::api::BoardView;
use jifen_shared::domain::{CycleQuarter, OrgKind};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::entity::org_unit;
use crate::error::{AppError, AppResult, Missing};
use crate::services::quarters;

pub enum Shown {
    Posted {
        board: Box<BoardView>,
        signed_at: Option<DateTime<Utc>>,
    },
    NotPosted {
        branch_name: String,
        /// The latest posted quarter, when the one asked for is not posted but another is.
        latest: Option<CycleQuarter>,
    },
}

/// The board of `code` for `asked` (the latest posted when `None`); `org_unit.not_found` when
/// no branch has the code.
pub async fn find(
    db: &impl ConnectionTrait,
    code: &str,
    asked: Option<CycleQuarter>,
) -> AppResult<Shown> {
    match quarters::posted(db, code, asked).await {
        Ok((branch, review)) => Ok(Shown::Posted {
            signed_at: review.signed_at,
            board: Box::new(quarters::board_of(db, branch, &review).await?),
        }),
        Err(AppError::NotFound(Missing::Board)) => {
            let branch = org_unit::Entity::find()
                .filter(org_unit::Column::Code.eq(code))
                .filter(org_unit::Column::Kind.eq(OrgKind::Branch.as_str()))
                .one(db)
                .await?
                .ok_or(AppError::NotFound(Missing::OrgUnit))?;
            let latest = match asked {
                Some(_) => match quarters::posted(db, code, None).await {
                    Ok((_, r)) => Some(CycleQuarter {
                        year: r.cycle_year,
                        quarter: r.cycle_quarter as u8,
                    }),
                    Err(AppError::NotFound(_)) => None,
                    Err(e) => return Err(e),
                },
                None => None,
            };
            Ok(Shown::NotPosted {
                branch_name: branch.name,
                latest,
            })
        }
        Err(e) => Err(e),
    }
}
