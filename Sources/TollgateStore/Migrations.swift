import TollgateCore

/// One step of the schema's history; steps are applied in order, once, and never edited after a
/// release, so that every store can be brought forward from whatever version it has.
struct Migration: Sendable {
    let version: Int
    let name: String
    /// Statements in the SQL that SQLite and PostgreSQL share: TEXT, BIGINT, ON CONFLICT, partial
    /// indexes. Times are milliseconds since 1970 so that audit hashes survive the round trip.
    let statements: [String]
    /// Statements for one dialect only, run after the shared ones, where the two cannot share SQL
    /// (SQLite cannot drop a constraint; it rebuilds the table instead).
    var dialectStatements: [SQLDialect: [String]] = [:]
}

/// The schema's history; the last version is the newest this program understands.
let migrations: [Migration] = [
    Migration(version: 1, name: "initial schema", statements: [
        """
        CREATE TABLE stack_states (
            stack TEXT PRIMARY KEY,
            template TEXT NOT NULL,
            parameters TEXT NOT NULL,
            tags TEXT NOT NULL,
            commit_id TEXT NOT NULL,
            state_version BIGINT NOT NULL,
            removed BIGINT NOT NULL,
            recorded_at BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE scan_cursors (
            branch TEXT PRIMARY KEY,
            commit_id TEXT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE change_sets (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            stack TEXT NOT NULL,
            commits TEXT NOT NULL,
            base_state_version BIGINT NOT NULL,
            target_commit TEXT NOT NULL,
            digest TEXT NOT NULL,
            body TEXT NOT NULL,
            status TEXT NOT NULL,
            status_reason TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            UNIQUE (stack, target_commit, base_state_version)
        )
        """,
        // At most one open change set per stack: the database itself refuses a twin that a second
        // process might try to create.
        """
        CREATE UNIQUE INDEX change_sets_one_open_per_stack ON change_sets (stack)
            WHERE status IN ('PENDING', 'APPROVED')
        """,
        "CREATE INDEX change_sets_by_stack ON change_sets (stack, created_at)",
        """
        CREATE TABLE approvals (
            change_set_id TEXT NOT NULL REFERENCES change_sets (id),
            reviewer TEXT NOT NULL,
            verdict TEXT NOT NULL,
            digest TEXT NOT NULL,
            signature TEXT,
            reason TEXT,
            recorded_at BIGINT NOT NULL,
            PRIMARY KEY (change_set_id, reviewer)
        )
        """,
        """
        CREATE TABLE executions (
            id TEXT PRIMARY KEY,
            change_set_id TEXT NOT NULL REFERENCES change_sets (id),
            stack TEXT NOT NULL,
            started_at BIGINT NOT NULL,
            finished_at BIGINT,
            result TEXT,
            provider_output TEXT
        )
        """,
        "CREATE INDEX executions_by_stack ON executions (stack, started_at)",
        """
        CREATE TABLE audit_entries (
            sequence BIGINT PRIMARY KEY,
            recorded_at BIGINT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            stack TEXT,
            change_set_id TEXT,
            commit_id TEXT,
            digest TEXT,
            details TEXT NOT NULL,
            previous_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        )
        """,
        "CREATE INDEX audit_entries_by_stack ON audit_entries (stack, sequence)",
        "CREATE INDEX audit_entries_by_actor ON audit_entries (actor, sequence)",
        "CREATE INDEX audit_entries_by_time ON audit_entries (recorded_at)",
    ]),
    // Every commit a sync attributed to a stack, so that a change set covers every commit since the
    // stack's last apply: merged-side commits, commits that planned no change, and the commits of
    // rejected or cancelled predecessors.
    Migration(version: 2, name: "commits attributed to stacks", statements: [
        """
        CREATE TABLE stack_commits (
            stack TEXT NOT NULL,
            commit_id TEXT NOT NULL,
            merged_by TEXT,
            position BIGINT NOT NULL,
            PRIMARY KEY (stack, commit_id)
        )
        """,
        "CREATE INDEX stack_commits_by_position ON stack_commits (stack, position)",
        // Reading commands check each change set against its own entries; status does it for every
        // open one, so finding them must not scan the whole trail.
        "CREATE INDEX audit_entries_by_change_set ON audit_entries (change_set_id, sequence)",
    ]),
    // The policy in force gets its own table instead of the pseudo-stack `Policies/` in
    // stack_states; the revision in force moves over with the actor of its last state entry.
    Migration(version: 3, name: "policy revisions", statements: [
        """
        CREATE TABLE policy_revisions (
            revision BIGINT PRIMARY KEY,
            commit_id TEXT NOT NULL,
            change_set_id TEXT,
            actor TEXT NOT NULL,
            recorded_at BIGINT NOT NULL
        )
        """,
        """
        INSERT INTO policy_revisions (revision, commit_id, change_set_id, actor, recorded_at)
        SELECT s.state_version, s.commit_id, NULL,
            COALESCE((SELECT a.actor FROM audit_entries a WHERE a.stack = 'Policies/' AND a.action = 'state.recorded'
                      ORDER BY a.sequence DESC LIMIT 1), 'tollgate'),
            s.recorded_at
        FROM stack_states s WHERE s.stack = 'Policies/'
        """,
        "DELETE FROM stack_states WHERE stack = 'Policies/'",
    ]),
    // One apply per stack at a time across every process sharing the store: a lease the applying
    // process renews, which another may take over once it has expired.
    Migration(version: 4, name: "stack locks", statements: [
        """
        CREATE TABLE stack_locks (
            stack TEXT PRIMARY KEY,
            execution_id TEXT NOT NULL,
            holder TEXT NOT NULL,
            acquired_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL
        )
        """,
    ]),
    // What a provider reports after an apply (CloudFormation's stack outputs) is part of the
    // recorded state; a cancel asked of a running apply waits on its execution until the applying
    // process, which may be another one, sees it and stops its provider.
    //
    // A change set is unique on its content (digest) as well as its stack, target and base: after
    // CloudFormation showed more than was approved, the same commit is planned again with
    // CloudFormation's changes in it, for review. Two syncs planning the same thing still clash.
    Migration(
        version: 5, name: "stack outputs, cancel requests, change sets planned again",
        statements: [
            "ALTER TABLE stack_states ADD COLUMN outputs TEXT NOT NULL DEFAULT '{}'",
            "ALTER TABLE executions ADD COLUMN cancel_requested_by TEXT",
            "ALTER TABLE executions ADD COLUMN cancel_reason TEXT",
            "ALTER TABLE executions ADD COLUMN cancel_requested_at BIGINT",
        ],
        dialectStatements: [
            .postgres: [
                "ALTER TABLE change_sets DROP CONSTRAINT change_sets_stack_target_commit_base_state_version_key",
                "ALTER TABLE change_sets ADD CONSTRAINT change_sets_plan_key UNIQUE (stack, target_commit, base_state_version, digest)",
            ],
            // SQLite's documented table rebuild; foreign keys are off while migrations run.
            .sqlite: [
                """
                CREATE TABLE change_sets_rebuilt (
                    id TEXT PRIMARY KEY,
                    kind TEXT NOT NULL,
                    stack TEXT NOT NULL,
                    commits TEXT NOT NULL,
                    base_state_version BIGINT NOT NULL,
                    target_commit TEXT NOT NULL,
                    digest TEXT NOT NULL,
                    body TEXT NOT NULL,
                    status TEXT NOT NULL,
                    status_reason TEXT,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    UNIQUE (stack, target_commit, base_state_version, digest)
                )
                """,
                """
                INSERT INTO change_sets_rebuilt (id, kind, stack, commits, base_state_version, target_commit, digest, body,
                    status, status_reason, created_at, updated_at)
                SELECT id, kind, stack, commits, base_state_version, target_commit, digest, body,
                    status, status_reason, created_at, updated_at FROM change_sets
                """,
                "DROP TABLE change_sets",
                "ALTER TABLE change_sets_rebuilt RENAME TO change_sets",
                """
                CREATE UNIQUE INDEX change_sets_one_open_per_stack ON change_sets (stack)
                    WHERE status IN ('PENDING', 'APPROVED')
                """,
                "CREATE INDEX change_sets_by_stack ON change_sets (stack, created_at)",
            ],
        ]),
    // `tollgate serve`: bearer tokens bound to reviewers, kept only as their SHA-256, and the ids of
    // the git hosts' webhook deliveries already handled, so that a redelivery changes nothing.
    Migration(version: 6, name: "access tokens and webhook deliveries", statements: [
        """
        CREATE TABLE access_tokens (
            id TEXT PRIMARY KEY,
            reviewer TEXT NOT NULL,
            token_sha256 TEXT NOT NULL UNIQUE,
            created_at BIGINT NOT NULL,
            expires_at BIGINT,
            revoked_at BIGINT
        )
        """,
        """
        CREATE TABLE webhook_deliveries (
            host TEXT NOT NULL,
            delivery_id TEXT NOT NULL,
            received_at BIGINT NOT NULL,
            PRIMARY KEY (host, delivery_id)
        )
        """,
    ]),
    // The notification outbox: a row per status change to announce, written in the transaction
    // of the change, then delivered by one server process at a time under a lease
    // (claimed_by, claim_expires_at) and retried with backoff until delivered or given up on.
    Migration(version: 7, name: "notification outbox", statements: [
        """
        CREATE TABLE notification_outbox (
            id BIGINT PRIMARY KEY,
            event TEXT NOT NULL,
            stack TEXT NOT NULL,
            change_set_id TEXT NOT NULL,
            commit_id TEXT NOT NULL,
            actor TEXT NOT NULL,
            reason TEXT,
            created_at BIGINT NOT NULL,
            state TEXT NOT NULL,
            attempts BIGINT NOT NULL,
            next_attempt_at BIGINT NOT NULL,
            delivered_to TEXT NOT NULL,
            last_error TEXT,
            finished_at BIGINT,
            claimed_by TEXT,
            claim_expires_at BIGINT
        )
        """,
        "CREATE INDEX notification_outbox_due ON notification_outbox (state, next_attempt_at)",
    ]),
]

/// Brings a store's schema up to the newest version, inside a write transaction the caller holds.
enum SchemaMigrator {
    /// The newest schema version this program understands.
    static var supportedVersion: Int { migrations.last?.version ?? 0 }

    /// Checks, without writing, that the store's schema is the one this program reads.
    ///
    /// - Throws: ``StoreError/schemaTooNew(location:found:supported:)`` or
    ///   ``StoreError/schemaTooOld(location:found:supported:)``.
    static func checkCurrent(_ session: any SQLSession) async throws {
        let current: Int64
        do {
            current = try await session.query("SELECT MAX(version) AS version FROM schema_migrations", [])
                .first?.optionalInteger("version") ?? 0
        } catch StoreError.notADatabase(let location) {
            throw StoreError.notADatabase(location: location)
        } catch {
            current = 0
        }
        if current > supportedVersion {
            throw StoreError.schemaTooNew(location: session.location, found: Int(current), supported: supportedVersion)
        }
        if current < supportedVersion {
            throw StoreError.schemaTooOld(location: session.location, found: Int(current), supported: supportedVersion)
        }
    }

    /// Applies the missing migrations on `session`, each recorded in `schema_migrations` and in the
    /// audit trail.
    ///
    /// - Throws: ``StoreError/schemaTooNew(location:found:supported:)`` when a newer program has
    ///   migrated the store, before anything is written.
    static func migrate(_ transaction: SQLStoreTransaction) async throws {
        let session = transaction.session
        try await session.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version BIGINT PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at BIGINT NOT NULL
            )
            """)
        let current = try await session.query("SELECT MAX(version) AS version FROM schema_migrations", [])
            .first?.optionalInteger("version") ?? 0
        guard current <= supportedVersion else {
            throw StoreError.schemaTooNew(location: session.location, found: Int(current), supported: supportedVersion)
        }
        let missing = migrations.filter { $0.version > current }
        guard let newest = missing.last else { return }
        for migration in missing {
            for statement in migration.statements + (migration.dialectStatements[session.dialect] ?? []) {
                try await session.execute(statement)
            }
            try await session.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                [.integer(Int64(migration.version)), .text(migration.name),
                 .integer(AuditEntry.milliseconds(of: transaction.clock.now()))])
        }
        // One entry per run, however many steps it took, naming the version reached.
        var details = ["version": String(newest.version), "name": missing.map(\.name).joined(separator: "; ")]
        if current > 0 { details["from"] = String(current) }
        _ = try await transaction.appendAudit(AuditEvent(actor: "tollgate", action: .storeMigrated, details: details))
    }
}
