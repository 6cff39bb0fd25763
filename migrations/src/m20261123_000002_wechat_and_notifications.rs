//! WeChat sign-in and notifications: members' bound WeChat identities, the one-time tickets and
//! invite codes that bind them, the server's shared WeChat access token, members' subscription
//! consents, the transactional outbox of messages to send, and the in-app inbox.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::columns::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One WeChat account per member and one member per WeChat account.
        manager
            .create_table(
                Table::create()
                    .table(n("wechat_identity"))
                    .col(id_pk())
                    .col(id_ref("member_id").unique_key())
                    .col(string_len(n("openid"), 64).unique_key())
                    .col(string_len_null(n("unionid"), 64))
                    .col(at("bound_at"))
                    .foreign_key(&mut fk("wechat_identity", "member_id", "member"))
                    .to_owned(),
            )
            .await?;

        // Given to a WeChat user nobody has bound yet; spent by binding with an invite code.
        manager
            .create_table(
                Table::create()
                    .table(n("wechat_ticket"))
                    .col(id_pk())
                    .col(string_len(n("ticket_hash"), 64).unique_key())
                    .col(string_len(n("openid"), 64))
                    .col(string_len_null(n("unionid"), 64))
                    .col(integer(n("failed_attempts")).default(0))
                    .col(at("created_at"))
                    .col(at("expires_at"))
                    .col(at_null("used_at"))
                    .to_owned(),
            )
            .await?;

        // One-time codes a secretary gives a member to bind their WeChat; stored hashed.
        manager
            .create_table(
                Table::create()
                    .table(n("invite_code"))
                    .col(id_pk())
                    .col(id_ref("member_id"))
                    .col(string_len(n("code_hash"), 64).unique_key())
                    .col(id_ref("created_by"))
                    .col(at("created_at"))
                    .col(at("expires_at"))
                    .col(at_null("used_at"))
                    .col(at_null("revoked_at"))
                    .foreign_key(&mut fk("invite_code", "member_id", "member"))
                    .foreign_key(&mut fk("invite_code", "created_by", "member"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("invite_code", &["member_id"], false))
            .await?;

        // The access token for WeChat's server APIs, shared by every instance of the server.
        manager
            .create_table(
                Table::create()
                    .table(n("wechat_token"))
                    .col(string_len(n("appid"), 64).primary_key())
                    .col(string_len_null(n("access_token"), 512))
                    .col(at_null("expires_at"))
                    // Whoever holds an unexpired lease is fetching a new token; others wait.
                    .col(at_null("lease_until"))
                    .col(at("updated_at"))
                    .to_owned(),
            )
            .await?;

        // A one-time subscription accepted in the mini program: allows one message of a template.
        manager
            .create_table(
                Table::create()
                    .table(n("subscription_consent"))
                    .col(id_pk())
                    .col(id_ref("member_id"))
                    .col(string_len(n("template_id"), 64))
                    .col(at("granted_at"))
                    .col(at_null("spent_at"))
                    .foreign_key(&mut fk("subscription_consent", "member_id", "member"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "subscription_consent",
                &["member_id", "template_id", "spent_at"],
                false,
            ))
            .await?;

        // Messages to send, written in the transaction of the event they tell of.
        manager
            .create_table(
                Table::create()
                    .table(n("outbox"))
                    .col(id_pk())
                    .col(id_ref("member_id"))
                    // wechat
                    .col(string_len(n("channel"), 16))
                    .col(string_len(n("template_id"), 64))
                    // The message without its recipient: {page, data}.
                    .col(text(n("payload")))
                    // pending | sent | refused | failed
                    .col(string_len(n("status"), 16))
                    .col(integer(n("attempts")).default(0))
                    .col(at("next_attempt_at"))
                    .col(at_null("lease_until"))
                    .col(text_null(n("last_error")))
                    .col(at("created_at"))
                    .col(at_null("sent_at"))
                    .foreign_key(&mut fk("outbox", "member_id", "member"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("outbox", &["status", "next_attempt_at"], false))
            .await?;

        // The in-app inbox, for everyone, with or without WeChat.
        manager
            .create_table(
                Table::create()
                    .table(n("notification"))
                    .col(id_pk())
                    .col(id_ref("member_id"))
                    // deed.approved | deed.rejected | deed.returned | deed.revoked | ...
                    .col(string_len(n("kind"), 32))
                    .col(id_ref_null("deed_id"))
                    // What the message is worded from, e.g. {title, points, reason}.
                    .col(text(n("params")))
                    .col(at("created_at"))
                    .col(at_null("read_at"))
                    .foreign_key(&mut fk("notification", "member_id", "member"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("notification", &["member_id", "id"], false))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "notification",
            "outbox",
            "subscription_consent",
            "wechat_token",
            "invite_code",
            "wechat_ticket",
            "wechat_identity",
        ] {
            manager
                .drop_table(Table::drop().table(n(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
