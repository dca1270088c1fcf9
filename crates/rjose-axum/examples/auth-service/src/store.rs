//! Storage: users, refresh token families and their used `jti`s, the DPoP
//! key a session is bound to, the DPoP proofs seen, one-time tokens, the
//! ES256 signing keys made by rotation, and the sign-in attempts the
//! throttle counts. SQLite (embedded default) or PostgreSQL
//! (shared by several instances) through one sqlx `Any` pool, with SQL both
//! understand.
//!
//! Single use is enforced by the database, not by a read-then-write in
//! Rust: a token is consumed by `UPDATE ... SET used_at = $now WHERE jti =
//! $1 AND used_at IS NULL`, and only the request that changed the row wins.
//! Two concurrent requests with one refresh token therefore get one
//! success and one reuse detection, on SQLite (one writer at a time) as on
//! PostgreSQL (the second UPDATE waits for the first and re-checks its
//! WHERE clause).

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Row};

use crate::tokens::Purpose;

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed.
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    /// Sign-up with an email that already has an account.
    #[error("email already registered")]
    EmailTaken,
}

/// A user account.
#[derive(Debug, Clone)]
pub struct User {
    /// Random id, the `sub` of the user's tokens.
    pub id: String,
    /// Lower-cased email address.
    pub email: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// `user` or `admin`.
    pub role: String,
    /// When the email was verified (Unix seconds), if it was.
    pub email_verified_at: Option<i64>,
}

/// What presenting a refresh token did.
#[derive(Debug, PartialEq, Eq)]
pub enum RefreshUse {
    /// The token was unused and its family active: it is now used, and the
    /// new token (recorded in the same transaction) replaces it.
    Rotated {
        /// The family (session) id, unchanged by rotation.
        family_id: String,
        /// The owner.
        user_id: String,
        /// The thumbprint of the key the family is DPoP-bound to, if it is.
        jkt: Option<String>,
    },
    /// The token had been used before: someone holds a copy. The whole
    /// family is now revoked.
    Reused {
        /// The revoked family.
        family_id: String,
    },
    /// The token's family was already revoked (signed out, or reuse).
    Revoked,
    /// No such token was ever issued here.
    Unknown,
    /// The family is DPoP-bound and the refresh came without a proof. The
    /// token is left unused: without the key it is worth nothing.
    ProofRequired,
    /// The family is DPoP-bound to another key than the proof's. The
    /// token is left unused, as for [`ProofRequired`](Self::ProofRequired).
    KeyMismatch,
}

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL,
        email_verified_at BIGINT,
        created_at BIGINT NOT NULL
    )",
    // One family per sign-in (the access token's `sessionId`).
    "CREATE TABLE IF NOT EXISTS token_families (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id),
        created_at BIGINT NOT NULL,
        revoked_at BIGINT,
        revoked_reason TEXT
    )",
    // Every refresh token issued, kept after use so that reuse is
    // recognised.
    "CREATE TABLE IF NOT EXISTS refresh_tokens (
        jti TEXT PRIMARY KEY,
        family_id TEXT NOT NULL REFERENCES token_families(id),
        expires_at BIGINT NOT NULL,
        used_at BIGINT
    )",
    "CREATE INDEX IF NOT EXISTS refresh_tokens_family ON refresh_tokens(family_id)",
    // The key a DPoP-bound family is bound to (its tokens' `cnf.jkt`): set
    // at sign-in and never changed, so every refresh of the family needs a
    // proof signed with that key. A table of its own rather than a column
    // of token_families, so that databases made before DPoP get it from
    // CREATE TABLE IF NOT EXISTS like every other table.
    "CREATE TABLE IF NOT EXISTS token_family_keys (
        family_id TEXT PRIMARY KEY REFERENCES token_families(id),
        jkt TEXT NOT NULL
    )",
    // DPoP proofs accepted (token endpoints and resource routes), shared by
    // every instance: `replay_key` is rjose's hash of the proof's key, URL
    // and jti; a row is kept until the proof would be refused as too old
    // anyway (`expires_at`, exclusive), then purged.
    "CREATE TABLE IF NOT EXISTS dpop_jti (
        replay_key TEXT PRIMARY KEY,
        expires_at BIGINT NOT NULL
    )",
    "CREATE INDEX IF NOT EXISTS dpop_jti_expiry ON dpop_jti(expires_at)",
    "CREATE TABLE IF NOT EXISTS one_time_tokens (
        jti TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id),
        purpose TEXT NOT NULL,
        expires_at BIGINT NOT NULL,
        used_at BIGINT
    )",
    // Sign-in attempts per email for the throttle: in the database so that
    // every instance counts the same attempts. A row is written before the
    // password is checked and deleted when it was right, so what stays is
    // the failures (and the attempts still being checked).
    "CREATE TABLE IF NOT EXISTS sign_in_failures (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        failed_at BIGINT NOT NULL
    )",
    "CREATE INDEX IF NOT EXISTS sign_in_failures_email ON sign_in_failures(email, failed_at)",
    "CREATE INDEX IF NOT EXISTS sign_in_failures_age ON sign_in_failures(failed_at)",
    // When the first instance started on this database: the age of the
    // configured signing key, for timed rotation (one row, id 1).
    "CREATE TABLE IF NOT EXISTS service_started (
        id INTEGER PRIMARY KEY,
        started_at BIGINT NOT NULL
    )",
    // ES256 keys made by rotation, shared by every instance and kept across
    // restarts. `sealed` is the private key as a compact JWE under a key
    // derived from the configured key (JWT_PRIVATE_KEY_FILE), binding the
    // other columns: the database alone neither gives the signing keys away
    // nor lets anyone add one. A key signs from
    // `signs_from` on; it is published before, so that verifiers (other
    // instances included) know it by the time tokens carry its kid.
    "CREATE TABLE IF NOT EXISTS signing_keys (
        kid TEXT PRIMARY KEY,
        sealed TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        signs_from BIGINT NOT NULL
    )",
];

/// A signing key made by rotation, as stored.
#[derive(Debug, Clone)]
pub struct StoredKey {
    /// Its `kid` (RFC 7638 thumbprint).
    pub kid: String,
    /// The private key, sealed (compact JWE) under the configured key.
    pub sealed: String,
    /// When it was made (Unix seconds).
    pub created_at: i64,
    /// When it becomes the signing key (Unix seconds).
    pub signs_from: i64,
}

/// An arbitrary constant naming the advisory lock that serialises schema
/// creation and timed rotation between instances on one PostgreSQL
/// database ("jose" in ASCII).
const PG_LOCK: i64 = 0x6a6f_7365;

/// The database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    /// PostgreSQL (several instances may share it) rather than SQLite.
    postgres: bool,
}

impl Store {
    /// Connects to `url` (`sqlite://...` or `postgres://...`) and creates
    /// the tables that do not exist yet.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        install_default_drivers();
        let pool = AnyPoolOptions::new().max_connections(8).connect(url).await?;
        let store = Store {
            pool,
            postgres: url.starts_with("postgres:") || url.starts_with("postgresql:"),
        };
        store.create_schema().await?;
        sqlx::query("INSERT INTO service_started (id, started_at) VALUES (1, $1) ON CONFLICT (id) DO NOTHING")
            .bind(crate::keys::now())
            .execute(&store.pool)
            .await?;
        Ok(store)
    }

    async fn create_schema(&self) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        // Two instances starting at once on an empty PostgreSQL database
        // would race in CREATE TABLE IF NOT EXISTS (both see no table, one
        // fails on the catalog's unique index). SQLite has one writer.
        self.lock_for_transaction(&mut tx).await?;
        for statement in SCHEMA {
            sqlx::query(statement).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// On PostgreSQL, takes the service's advisory lock until the end of
    /// the transaction; SQLite serialises writers by itself.
    async fn lock_for_transaction(&self, tx: &mut sqlx::Transaction<'_, sqlx::Any>) -> Result<(), StoreError> {
        if self.postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(PG_LOCK)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// Every stored signing key, oldest first.
    pub async fn signing_keys(&self) -> Result<Vec<StoredKey>, StoreError> {
        let rows = sqlx::query("SELECT kid, sealed, created_at, signs_from FROM signing_keys ORDER BY signs_from, kid")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(StoredKey {
                    kid: row.try_get("kid")?,
                    sealed: row.try_get("sealed")?,
                    created_at: row.try_get("created_at")?,
                    signs_from: row.try_get("signs_from")?,
                })
            })
            .collect()
    }

    /// Stores `key`; with `due_before`, only if no key was made after that
    /// time and the first instance started before it: what keeps instances
    /// with the same rotation timer from rotating once each. Returns
    /// whether the key was stored.
    pub async fn insert_signing_key(&self, key: &StoredKey, due_before: Option<i64>) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        // One statement decides and inserts, so SQLite needs nothing more;
        // PostgreSQL's READ COMMITTED would let two of them both see no
        // recent key, hence the lock.
        self.lock_for_transaction(&mut tx).await?;
        // Without a deadline, the condition holds for any table.
        let due_before = due_before.unwrap_or(i64::MAX);
        let done = sqlx::query(
            "INSERT INTO signing_keys (kid, sealed, created_at, signs_from)
             SELECT $1, $2, $3, $4
             WHERE NOT EXISTS (SELECT 1 FROM signing_keys WHERE created_at > $5)
               AND NOT EXISTS (SELECT 1 FROM service_started WHERE started_at > $5)",
        )
        .bind(&key.kid)
        .bind(&key.sealed)
        .bind(key.created_at)
        .bind(key.signs_from)
        .bind(due_before)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes the stored keys named (spent: past any use).
    pub async fn delete_signing_keys(&self, kids: &[&str]) -> Result<(), StoreError> {
        for kid in kids {
            sqlx::query("DELETE FROM signing_keys WHERE kid = $1")
                .bind(kid)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// Records a sign-in attempt for `email` (id `id`), and forgets
    /// attempts older than `forget_before`, for every email, so the table
    /// stays small.
    pub async fn record_sign_in_attempt(
        &self,
        id: &str,
        email: &str,
        now: i64,
        forget_before: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sign_in_failures WHERE failed_at <= $1")
            .bind(forget_before)
            .execute(&self.pool)
            .await?;
        sqlx::query("INSERT INTO sign_in_failures (id, email, failed_at) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(email)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The attempts recorded for `email` after `since`: id and time, oldest
    /// first.
    pub async fn sign_in_attempts(&self, email: &str, since: i64) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, failed_at FROM sign_in_failures WHERE email = $1 AND failed_at > $2 ORDER BY failed_at, id",
        )
        .bind(email)
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("id")?, row.try_get("failed_at")?)))
            .collect()
    }

    /// Forgets one attempt (one that was refused without being tried).
    pub async fn delete_sign_in_attempt(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sign_in_failures WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Forgets the attempts of `email` (after a successful sign-in or a
    /// password reset).
    pub async fn clear_sign_in_failures(&self, email: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sign_in_failures WHERE email = $1")
            .bind(email)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Closes the pool (waits for connections to be returned).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Creates a user; [`StoreError::EmailTaken`] if the email exists.
    pub async fn create_user(&self, user: &User, now: i64) -> Result<(), StoreError> {
        let result = sqlx::query(
            "INSERT INTO users (id, email, password_hash, role, email_verified_at, created_at)
             VALUES ($1, $2, $3, $4, NULL, $5)",
        )
        .bind(&user.id)
        .bind(&user.email)
        .bind(&user.password_hash)
        .bind(&user.role)
        .bind(now)
        .execute(&self.pool)
        .await;
        match result {
            Ok(_) => Ok(()),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(StoreError::EmailTaken),
            Err(e) => Err(e.into()),
        }
    }

    /// The user with this (lower-cased) email.
    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        self.user_where("email", email).await
    }

    /// The user with this id.
    pub async fn user_by_id(&self, id: &str) -> Result<Option<User>, StoreError> {
        self.user_where("id", id).await
    }

    async fn user_where(&self, column: &'static str, value: &str) -> Result<Option<User>, StoreError> {
        // `column` is one of two literals above, never input.
        let sql = format!("SELECT id, email, password_hash, role, email_verified_at FROM users WHERE {column} = $1");
        let row = sqlx::query(&sql).bind(value).fetch_optional(&self.pool).await?;
        row.map(|r| {
            Ok(User {
                id: r.try_get("id")?,
                email: r.try_get("email")?,
                password_hash: r.try_get("password_hash")?,
                role: r.try_get("role")?,
                email_verified_at: r.try_get("email_verified_at")?,
            })
        })
        .transpose()
    }

    /// Number of users (for the admin statistics).
    pub async fn count_users(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?)
    }

    /// Number of active (not revoked) families (for the admin statistics).
    pub async fn count_active_sessions(&self) -> Result<i64, StoreError> {
        Ok(
            sqlx::query("SELECT COUNT(*) AS n FROM token_families WHERE revoked_at IS NULL")
                .fetch_one(&self.pool)
                .await?
                .try_get("n")?,
        )
    }

    /// Starts a family (a sign-in) with its first refresh token, bound to
    /// the DPoP key of thumbprint `jkt` if one is given.
    pub async fn start_family(
        &self,
        family_id: &str,
        user_id: &str,
        jti: &str,
        expires_at: i64,
        jkt: Option<&str>,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO token_families (id, user_id, created_at) VALUES ($1, $2, $3)")
            .bind(family_id)
            .bind(user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        if let Some(jkt) = jkt {
            sqlx::query("INSERT INTO token_family_keys (family_id, jkt) VALUES ($1, $2)")
                .bind(family_id)
                .bind(jkt)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("INSERT INTO refresh_tokens (jti, family_id, expires_at) VALUES ($1, $2, $3)")
            .bind(jti)
            .bind(family_id)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Uses refresh token `jti`, presented with a DPoP proof of the key of
    /// thumbprint `proof_jkt` if any, and, if that is allowed, records its
    /// successor `new_jti` in the same transaction. See [`RefreshUse`].
    ///
    /// The key binding is checked first, before the token is marked used:
    /// a copy of the refresh token of a DPoP-bound family, presented
    /// without the key, neither rotates it nor counts as a reuse (which
    /// would revoke the session of its rightful holder).
    pub async fn rotate_refresh(
        &self,
        jti: &str,
        new_jti: &str,
        new_expires_at: i64,
        proof_jkt: Option<&str>,
        now: i64,
    ) -> Result<RefreshUse, StoreError> {
        // The binding never changes once the family exists (it is written
        // with the family), so it is read before and outside the
        // transaction: inside, a read first would make SQLite's write lock
        // an upgrade, which concurrent refreshes fail with SQLITE_BUSY
        // instead of waiting for.
        let bound = sqlx::query(
            "SELECT k.jkt AS jkt
             FROM refresh_tokens t JOIN token_family_keys k ON k.family_id = t.family_id
             WHERE t.jti = $1",
        )
        .bind(jti)
        .fetch_optional(&self.pool)
        .await?
        .map(|row| row.try_get::<String, _>("jkt"))
        .transpose()?;
        match (&bound, proof_jkt) {
            (Some(_), None) => return Ok(RefreshUse::ProofRequired),
            (Some(bound), Some(presented)) if bound != presented => return Ok(RefreshUse::KeyMismatch),
            // A bearer family stays bearer, proof or not (never upgraded:
            // whoever holds its refresh token could bind it to any key).
            _ => {}
        }
        let mut tx = self.pool.begin().await?;
        // The atomic claim: only one request can flip used_at from NULL.
        let claimed = sqlx::query("UPDATE refresh_tokens SET used_at = $1 WHERE jti = $2 AND used_at IS NULL")
            .bind(now)
            .bind(jti)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
        let family = sqlx::query(
            "SELECT f.id AS id, f.user_id AS user_id, f.revoked_at AS revoked_at
             FROM refresh_tokens t JOIN token_families f ON f.id = t.family_id
             WHERE t.jti = $1",
        )
        .bind(jti)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(family) = family else {
            tx.rollback().await?;
            return Ok(RefreshUse::Unknown);
        };
        let family_id: String = family.try_get("id")?;
        let user_id: String = family.try_get("user_id")?;
        let revoked_at: Option<i64> = family.try_get("revoked_at")?;

        if revoked_at.is_some() {
            // Keep the token marked used: it is dead either way.
            tx.commit().await?;
            return Ok(RefreshUse::Revoked);
        }
        if !claimed {
            // Used before: a copy of the token is in other hands. Revoke
            // the family so neither holder can go on.
            sqlx::query("UPDATE token_families SET revoked_at = $1, revoked_reason = 'reuse' WHERE id = $2")
                .bind(now)
                .bind(&family_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            return Ok(RefreshUse::Reused { family_id });
        }
        sqlx::query("INSERT INTO refresh_tokens (jti, family_id, expires_at) VALUES ($1, $2, $3)")
            .bind(new_jti)
            .bind(&family_id)
            .bind(new_expires_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(RefreshUse::Rotated {
            family_id,
            user_id,
            jkt: bound,
        })
    }

    /// The family that refresh token `jti` belongs to.
    pub async fn family_of(&self, jti: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT family_id FROM refresh_tokens WHERE jti = $1")
            .bind(jti)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get("family_id")).transpose()?)
    }

    /// Revokes one family (sign-out). Returns whether it was active.
    pub async fn revoke_family(&self, family_id: &str, reason: &str, now: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE token_families SET revoked_at = $1, revoked_reason = $2 WHERE id = $3 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(reason)
        .bind(family_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Revokes every family of a user (after a password reset).
    pub async fn revoke_user_families(&self, user_id: &str, reason: &str, now: i64) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE token_families SET revoked_at = $1, revoked_reason = $2 WHERE user_id = $3 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(reason)
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// Whether a family exists and is not revoked: the access tokens of a
    /// revoked session are refused from the next request on.
    pub async fn family_active(&self, family_id: &str) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT revoked_at FROM token_families WHERE id = $1")
            .bind(family_id)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(r) => Ok(r.try_get::<Option<i64>, _>("revoked_at")?.is_none()),
            None => Ok(false),
        }
    }

    /// Records the DPoP proof of replay key `key` until `expires_at`
    /// (exclusive) unless a live record of it exists at `now`: true when
    /// recorded (the proof is fresh), false for a replay. One statement,
    /// atomic on both databases: of two requests racing with one proof,
    /// one inserts and the other finds the row. A row left over after its
    /// expiry (not purged yet) is taken over as if absent.
    pub async fn record_dpop_proof(&self, key: &str, expires_at: i64, now: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO dpop_jti (replay_key, expires_at) VALUES ($1, $2)
             ON CONFLICT (replay_key) DO UPDATE SET expires_at = excluded.expires_at
             WHERE dpop_jti.expires_at <= $3",
        )
        .bind(key)
        .bind(expires_at)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Forgets the DPoP proofs that would be refused as too old at `now`.
    /// Returns how many.
    pub async fn purge_dpop_proofs(&self, now: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM dpop_jti WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// Records an issued one-time token.
    pub async fn insert_one_time(
        &self,
        jti: &str,
        user_id: &str,
        purpose: Purpose,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO one_time_tokens (jti, user_id, purpose, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(jti)
            .bind(user_id)
            .bind(purpose.as_str())
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Consumes a one-time token: true for the first use of an issued,
    /// unexpired token of this purpose and user, false ever after.
    pub async fn consume_one_time(
        &self,
        jti: &str,
        user_id: &str,
        purpose: Purpose,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE one_time_tokens SET used_at = $1
             WHERE jti = $2 AND user_id = $3 AND purpose = $4 AND used_at IS NULL AND expires_at >= $5",
        )
        .bind(now)
        .bind(jti)
        .bind(user_id)
        .bind(purpose.as_str())
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Marks the user's email as verified.
    pub async fn mark_email_verified(&self, user_id: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET email_verified_at = $1 WHERE id = $2")
            .bind(now)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Replaces the user's password hash.
    pub async fn set_password_hash(&self, user_id: &str, hash: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
