//! Members' one-time subscriptions: each `accept` from `wx.requestSubscribeMessage` allows one
//! message of that template, spent when a message is queued.

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

use jifen_shared::api::SubscriptionBalance;
use jifen_shared::words::Word;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
};

use crate::entity::subscription_consent;
use crate::error::{AppError, AppResult, FieldIssue};
use crate::infra::db::Db;
use crate::infra::ids;
use crate::services::notify::Templates;

/// Unspent subscriptions kept per template; WeChat's own quota is smaller in practice.
const MAX_UNSPENT: u64 = 50;

/// Records what the member answered to a subscription request.
pub async fn record(
    db: &Db,
    now: DateTime<Utc>,
    templates: &Templates,
    member_id: &str,
    results: &BTreeMap<String, String>,
) -> AppResult<SubscriptionBalance> {
    let known = templates.ids();
    let mut issues = Vec::new();
    for (template, answer) in results {
        if !known.contains(template) {
            issues.push(FieldIssue::worded(
                format!("results.{template}"),
                "subscription.unknown_template",
                Word::UnknownTemplate,
            ));
        } else if !matches!(answer.as_str(), "accept" | "reject" | "ban" | "filter") {
            issues.push(FieldIssue::worded(
                format!("results.{template}"),
                "subscription.unknown_answer",
                Word::UnknownSubscriptionAnswer,
            ));
        }
    }
    if !issues.is_empty() {
        return Err(AppError::Validation(issues));
    }
    let txn = db.begin_write().await?;
    for (template, _) in results.iter().filter(|(_, a)| a.as_str() == "accept") {
        if unspent(&*txn, member_id, template).await? >= MAX_UNSPENT {
            continue;
        }
        subscription_consent::Entity::insert(subscription_consent::ActiveModel {
            id: Set(ids::new()),
            member_id: Set(member_id.to_owned()),
            template_id: Set(template.clone()),
            granted_at: Set(now),
            spent_at: Set(None),
        })
        .exec(&*txn)
        .await?;
    }
    txn.commit().await?;
    balance(db.conn(), templates, member_id).await
}

/// How many messages each template may still send the member.
pub async fn balance(
    db: &impl ConnectionTrait,
    templates: &Templates,
    member_id: &str,
) -> AppResult<SubscriptionBalance> {
    let mut available = BTreeMap::new();
    for template in templates.ids() {
        let n = unspent(db, member_id, &template).await?;
        available.insert(template, n);
    }
    Ok(SubscriptionBalance { available })
}

async fn unspent(db: &impl ConnectionTrait, member_id: &str, template: &str) -> AppResult<u64> {
    Ok(subscription_consent::Entity::find()
        .filter(subscription_consent::Column::MemberId.eq(member_id))
        .filter(subscription_consent::Column::TemplateId.eq(template))
        .filter(subscription_consent::Column::SpentAt.is_null())
        .count(db)
        .await?)
}
