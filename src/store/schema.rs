//! The one catalogue of tables. Keys are big-endian integers or `0x00`-joined
//! byte strings so that range scans come out in the order the callers need;
//! values are versioned records (see `codec`).

use redb::TableDefinition;

/// Schema version and id sequences.
pub const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");

/// UserId -> User record.
pub const USERS: TableDefinition<u64, &[u8]> = TableDefinition::new("users");
/// lower-cased username -> UserId.
pub const USERS_BY_NAME: TableDefinition<&str, u64> = TableDefinition::new("users_by_name");

/// SHA-256 of the session cookie -> Session record.
pub const SESSIONS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("sessions");

/// SHA-256 of a one-time link token -> OneTimeLink record.
pub const ONE_TIME_LINKS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("one_time_links");

/// AuditId (ascending with time) -> AuditEvent record.
pub const AUDIT: TableDefinition<u64, &[u8]> = TableDefinition::new("audit");

/// Every table, so that `migrate` can create them all in a new file and a
/// read transaction never meets a missing table.
pub fn create_all(tx: &redb::WriteTransaction) -> Result<(), redb::TableError> {
    tx.open_table(META)?;
    tx.open_table(USERS)?;
    tx.open_table(USERS_BY_NAME)?;
    tx.open_table(SESSIONS)?;
    tx.open_table(ONE_TIME_LINKS)?;
    tx.open_table(AUDIT)?;
    Ok(())
}
