//! Jifen's schema, one migration per change. A migration that has landed is history: never edit
//! it, add a new one. Migrations hold DDL only and never import the server's entities.

pub use sea_orm_migration::prelude::*;

mod columns;
mod m20261123_000001_create_core_tables;
mod m20261123_000002_wechat_and_notifications;
mod m20261123_000003_feedback_decisions;
mod m20261124_000004_sessions;
mod m20261124_000005_feedback_hardening;
mod m20261124_000006_audit_seals;
mod m20261124_000007_photo_limits;
mod m20261129_000008_branch_settings;
mod m20261129_000009_rule_versions;
mod m20261129_000010_cycle_years;
mod m20261129_000011_deductions;
mod m20261129_000012_appeals;
mod m20261129_000013_alerts_and_grades;
mod m20261129_000014_statements;
mod m20261129_000015_meetings;
mod m20261129_000016_migrant_and_registered;
mod m20261129_000017_photo_evidence;
// Issue 14: one migration per part: stats 000018, roster 000019, ratings 000020, admin 000021 (add below this line)
mod m20261129_000018_stats_indexes;
mod m20261129_000019_roster_phones;
mod m20261129_000020_ratings;
mod m20261129_000021_retired_codes;
// Issue 15: statistics (first decisions on the deed)
mod m20261129_000022_first_decided_at;
// Issue 15: (one line per part, in number order)
mod m20261129_000024_change_log;
mod m20261130_000025_member_status;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_core_tables::Migration),
            Box::new(m20261123_000002_wechat_and_notifications::Migration),
            Box::new(m20261123_000003_feedback_decisions::Migration),
            Box::new(m20261124_000004_sessions::Migration),
            Box::new(m20261124_000005_feedback_hardening::Migration),
            Box::new(m20261124_000006_audit_seals::Migration),
            Box::new(m20261124_000007_photo_limits::Migration),
            Box::new(m20261129_000008_branch_settings::Migration),
            Box::new(m20261129_000009_rule_versions::Migration),
            Box::new(m20261129_000010_cycle_years::Migration),
            Box::new(m20261129_000011_deductions::Migration),
            Box::new(m20261129_000012_appeals::Migration),
            Box::new(m20261129_000013_alerts_and_grades::Migration),
            Box::new(m20261129_000014_statements::Migration),
            Box::new(m20261129_000015_meetings::Migration),
            Box::new(m20261129_000016_migrant_and_registered::Migration),
            Box::new(m20261129_000017_photo_evidence::Migration),
            // Issue 14: (add this part's migration below this line, in number order)
            Box::new(m20261129_000018_stats_indexes::Migration),
            Box::new(m20261129_000019_roster_phones::Migration),
            Box::new(m20261129_000020_ratings::Migration),
            Box::new(m20261129_000021_retired_codes::Migration),
            // Issue 15: statistics
            Box::new(m20261129_000022_first_decided_at::Migration),
            // Issue 15: (add this part's migration below this line, in number order)
            Box::new(m20261129_000024_change_log::Migration),
            Box::new(m20261130_000025_member_status::Migration),
        ]
    }
}
