//! The demo's administration: admin1 (the town's org admin) sets up a party group (党小组) under
//! demo-1, secretary1 appoints member6 to the branch committee, and issues WeChat invite codes
//! for member7 (left open) and member8 (revoked again), all through the same services as the
//! app, so the audit history holds them.

use chrono::{DateTime, Utc};
use jifen_shared::api::{GrantRoleRequest, NewOrgUnit};
use jifen_shared::domain::{OrgKind, Role};

use super::{access, Demo};
use crate::error::{AppError, AppResult};
use crate::infra::db::Db;
use crate::services::admin::{invites, roles, units};
use crate::services::wechat::invites::{issue, Issued};

pub async fn administration(db: &Db, now: DateTime<Utc>, demo: &Demo) -> AppResult<()> {
    let admin = access(db, demo, "admin1").await?;
    let secretary = access(db, demo, "secretary1").await?;
    let branch = demo.branch("demo-1");
    units::create(
        db,
        now,
        &admin,
        NewOrgUnit {
            parent_id: branch.to_owned(),
            kind: OrgKind::Group,
            name: "东关村第一党小组".into(),
            code: None,
        },
    )
    .await?;
    roles::grant(
        db,
        now,
        &secretary,
        branch,
        GrantRoleRequest {
            member_id: demo.member("member6").to_owned(),
            role: Role::Committee,
        },
    )
    .await?;
    for username in ["member7", "member8"] {
        match issue(db, now, &secretary, demo.member(username)).await? {
            Issued::Code(_) => {}
            Issued::Pending(_) => {
                return Err(AppError::Internal(anyhow::anyhow!(
                    "{username} holds no role: the demo's invite needs no second person"
                )))
            }
        }
    }
    let open = invites::list(db.conn(), now, &secretary, branch).await?;
    let revoked = open
        .open
        .iter()
        .find(|i| i.member_id == demo.member("member8"))
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("member8's invite was issued")))?;
    invites::revoke(db, now, &secretary, &revoked.id).await
}
