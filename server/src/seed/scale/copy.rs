//! Writing batches: PostgreSQL takes each table's rows as one `COPY ... FROM STDIN`, SQLite as
//! multi-row INSERTs; both inside one transaction, so a failed run leaves nothing behind.
//!
//! Filling an empty PostgreSQL database, the indexes and key constraints of the tables written are
//! dropped first and made again from their own definitions (`pg_get_indexdef`,
//! `pg_get_constraintdef`) before the commit: one sorted build per index instead of millions of
//! scattered inserts into it. The primary keys matter most: ids sort by time, but each branch's
//! rows span the whole period, so every branch written inserts all over each key's index, and
//! after every checkpoint each leaf page touched costs a full-page image in the WAL. Measured at
//! province size, that WAL, not the generator's CPU, set the pace. The foreign keys go first
//! (they lean on the keys) and come back last, each checked in one query over the whole table
//! rather than row by row.
//!
//! The tables are also emptied (`TRUNCATE`, they hold nothing yet) in the same transaction, which
//! lets each `COPY` write its rows already frozen (`FREEZE`) with the pages marked all-visible:
//! without it, the first reads after the load set every row's hint bits and write the whole
//! database a second time, and no scan could skip the heap until a vacuum had read it all; at
//! province size that made the first hour of statistics several times slower.
//!
//! When the role may (a superuser), the load also runs with `session_replication_role = replica`
//! for its transaction, which skips the foreign-key triggers: one lookup in a parent table per
//! row otherwise, for rows whose parents the generator has just written itself. The rows are
//! written in foreign-key order all the same ([`Table::ALL`]), so SQLite, which checks each row,
//! takes the very same batches.

use sea_orm::sqlx::pool::PoolConnection;
use sea_orm::sqlx::{self, Postgres};
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use super::rows::{Batch, Encoding, Table};
use super::ScaleError;
use crate::infra::db::{Db, WriteTxn};

/// Most values bound to one SQLite statement (SQLite allows 32766 since 3.32).
const MAX_BOUND: usize = 30_000;

pub enum Writer {
    Postgres {
        conn: PoolConnection<Postgres>,
        /// The statements that make again what was dropped for the load, in order.
        rebuild: Vec<String>,
        /// Foreign-key triggers are off for the load.
        replica: bool,
        /// The tables were emptied in this transaction: rows go in frozen.
        freeze: bool,
    },
    Sqlite(WriteTxn),
}

/// The secondary indexes of the generator's tables: (name, definition).
const SECONDARY_INDEXES: &str = "SELECT ic.relname, pg_get_indexdef(i.indexrelid) \
     FROM pg_index i \
     JOIN pg_class ic ON ic.oid = i.indexrelid \
     JOIN pg_class t ON t.oid = i.indrelid \
     JOIN pg_namespace n ON n.oid = t.relnamespace \
     WHERE n.nspname = current_schema() AND t.relname = ANY($1) \
     AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) \
     ORDER BY t.relname, ic.relname";

/// The key constraints of the generator's tables and the foreign keys that lean on them or on
/// which they lean: (table, name, definition, is a foreign key).
const CONSTRAINTS: &str =
    "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid), c.contype = 'f' \
     FROM pg_constraint c \
     JOIN pg_class t ON t.oid = c.conrelid \
     JOIN pg_namespace n ON n.oid = t.relnamespace \
     LEFT JOIN pg_class r ON r.oid = c.confrelid \
     WHERE n.nspname = current_schema() \
     AND ((c.contype IN ('p', 'u') AND t.relname = ANY($1)) \
       OR (c.contype = 'f' AND (t.relname = ANY($1) OR r.relname = ANY($1)))) \
     ORDER BY t.relname, c.conname";

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Writer {
    /// Starts the one transaction everything is written in; `fresh` (an empty database) lets
    /// PostgreSQL build the indexes and keys after the load.
    pub async fn begin(db: &Db, fresh: bool) -> Result<Self, ScaleError> {
        match db.backend() {
            DbBackend::Postgres => {
                let pool = db.conn().get_postgres_connection_pool();
                let mut conn = pool.acquire().await?;
                match prepare(&mut conn, fresh).await {
                    Ok((rebuild, replica)) => Ok(Writer::Postgres {
                        conn,
                        rebuild,
                        replica,
                        freeze: fresh,
                    }),
                    Err(e) => {
                        discard(conn).await;
                        Err(e)
                    }
                }
            }
            _ => Ok(Writer::Sqlite(db.begin_write().await?)),
        }
    }

    pub fn encoding(&self) -> Encoding {
        match self {
            Writer::Postgres { .. } => Encoding::CopyText,
            Writer::Sqlite(_) => Encoding::Bound,
        }
    }

    /// Writes every table of the batch, in foreign-key order.
    pub async fn write(&mut self, mut batch: Batch) -> Result<(), ScaleError> {
        for table in Table::ALL {
            if batch.rows(table) == 0 {
                continue;
            }
            let columns = table.columns();
            match self {
                Writer::Postgres { conn, freeze, .. } => {
                    let statement = format!(
                        "COPY {} ({}) FROM STDIN{}",
                        table.name(),
                        columns.join(", "),
                        if *freeze { " WITH (FREEZE)" } else { "" }
                    );
                    let mut copy = conn.copy_in_raw(&statement).await?;
                    copy.send(batch.copy_text(table)).await?;
                    copy.finish().await?;
                }
                Writer::Sqlite(txn) => {
                    let values = batch.values(table);
                    let per_row = columns.len();
                    let rows_per_statement = (MAX_BOUND / per_row).max(1);
                    let row = format!("({})", vec!["?"; per_row].join(","));
                    for chunk in values.chunks(rows_per_statement * per_row) {
                        let sql = format!(
                            "INSERT INTO {} ({}) VALUES {}",
                            table.name(),
                            columns.join(", "),
                            vec![row.as_str(); chunk.len() / per_row].join(",")
                        );
                        txn.execute(Statement::from_sql_and_values(
                            DbBackend::Sqlite,
                            sql,
                            chunk.to_vec(),
                        ))
                        .await?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Gives up: nothing written so far stays.
    pub async fn abort(self) {
        match self {
            Writer::Postgres { conn, .. } => discard(conn).await,
            // Dropping the transaction rolls it back.
            Writer::Sqlite(txn) => drop(txn),
        }
    }

    pub async fn commit(self) -> Result<(), ScaleError> {
        match self {
            Writer::Postgres {
                mut conn,
                rebuild,
                replica,
                ..
            } => {
                if let Err(e) = finish(&mut conn, &rebuild, replica).await {
                    discard(conn).await;
                    return Err(e);
                }
                // Fresh statistics, so the first queries on the new data are planned for its size.
                for table in Table::ALL {
                    sqlx::query(&format!("ANALYZE {}", table.name()))
                        .execute(&mut *conn)
                        .await?;
                }
            }
            Writer::Sqlite(txn) => txn.commit().await?,
        }
        Ok(())
    }
}

/// Opens the load's transaction on `conn`; on an empty database (`fresh`) makes room for the
/// load as the module's doc says. Returns what to make again and whether the foreign-key
/// triggers are off.
async fn prepare(
    conn: &mut PoolConnection<Postgres>,
    fresh: bool,
) -> Result<(Vec<String>, bool), ScaleError> {
    sqlx::query("BEGIN").execute(&mut **conn).await?;
    // For the index builds at the end; this transaction only.
    sqlx::query("SET LOCAL maintenance_work_mem = '512MB'")
        .execute(&mut **conn)
        .await?;
    let superuser: String = sqlx::query_scalar("SELECT current_setting('is_superuser')")
        .fetch_one(&mut **conn)
        .await?;
    let replica = superuser == "on";
    if replica {
        sqlx::query("SET LOCAL session_replication_role = replica")
            .execute(&mut **conn)
            .await?;
    }
    let mut rebuild = Vec::new();
    if !fresh {
        return Ok((rebuild, replica));
    }
    let tables: Vec<String> = Table::ALL.iter().map(|t| t.name().to_owned()).collect();
    let all = tables
        .iter()
        .map(|t| quoted(t))
        .collect::<Vec<_>>()
        .join(", ");
    // Nobody writes to the tables until the commit, and they must really be empty: the
    // TRUNCATE below would take whatever they hold.
    sqlx::query(&format!("LOCK TABLE {all} IN ACCESS EXCLUSIVE MODE"))
        .execute(&mut **conn)
        .await?;
    for table in Table::ALL {
        let holds: bool = sqlx::query_scalar(&format!(
            "SELECT EXISTS (SELECT 1 FROM {})",
            quoted(table.name())
        ))
        .fetch_one(&mut **conn)
        .await?;
        if holds {
            return Err(ScaleError::TableNotEmpty {
                table: table.name(),
            });
        }
    }
    let indexes: Vec<(String, String)> = sqlx::query_as(SECONDARY_INDEXES)
        .bind(&tables)
        .fetch_all(&mut **conn)
        .await?;
    let constraints: Vec<(String, String, String, bool)> = sqlx::query_as(CONSTRAINTS)
        .bind(&tables)
        .fetch_all(&mut **conn)
        .await?;
    // Dropped: foreign keys (they lean on the keys), keys, indexes. Made again: keys, indexes,
    // foreign keys.
    let (mut drops, mut foreign_again, mut key_drops) = (Vec::new(), Vec::new(), Vec::new());
    for (table, name, definition, is_foreign) in constraints {
        let (table, name) = (quoted(&table), quoted(&name));
        let drop = format!("ALTER TABLE {table} DROP CONSTRAINT {name}");
        let again = format!("ALTER TABLE {table} ADD CONSTRAINT {name} {definition}");
        if is_foreign {
            drops.push(drop);
            foreign_again.push(again);
        } else {
            key_drops.push(drop);
            rebuild.push(again);
        }
    }
    drops.append(&mut key_drops);
    for (name, definition) in indexes {
        drops.push(format!("DROP INDEX {}", quoted(&name)));
        rebuild.push(definition);
    }
    rebuild.append(&mut foreign_again);
    for drop in drops {
        sqlx::query(&drop).execute(&mut **conn).await?;
    }
    sqlx::query(&format!("TRUNCATE {all}"))
        .execute(&mut **conn)
        .await?;
    Ok((rebuild, replica))
}

/// Makes again what [`prepare`] dropped, and commits.
async fn finish(
    conn: &mut PoolConnection<Postgres>,
    rebuild: &[String],
    replica: bool,
) -> Result<(), ScaleError> {
    if replica {
        sqlx::query("SET LOCAL session_replication_role = origin")
            .execute(&mut **conn)
            .await?;
    }
    for definition in rebuild {
        sqlx::query(definition).execute(&mut **conn).await?;
    }
    sqlx::query("COMMIT").execute(&mut **conn).await?;
    Ok(())
}

/// Rolls the load's transaction back; a connection whose state is then unknown is closed
/// rather than given back to the pool.
async fn discard(mut conn: PoolConnection<Postgres>) {
    if sqlx::query("ROLLBACK").execute(&mut *conn).await.is_err() {
        drop(conn.detach());
    }
}
