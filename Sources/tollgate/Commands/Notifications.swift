import ArgumentParser
import TollgateCore
import TollgateEngine
import TollgateStore

/// `tollgate notifications`: the outbox of webhook notifications that `tollgate serve` delivers.
struct Notifications: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notifications",
        abstract: "List the notification outbox and retry failed notifications.",
        discussion: """
            Every change set that starts waiting for review, is approved, rejected, applied, fails \
            or is cancelled queues a notification, in the same transaction as the change; tollgate \
            serve posts it to the receivers of Policies/notifications.yaml in force, retrying with \
            backoff. A notification whose attempts ran out is kept as failed until retried; a \
            delivered one is deleted once older than serve --notification-retention (30 days).
            """,
        subcommands: [List.self, Retry.self]
    )
}

extension Notifications {
    /// `tollgate notifications list [--failed]`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the newest notifications of the outbox and where each stands.")

        @Flag(help: "Only the notifications whose attempts ran out.")
        var failed = false

        @Option(help: "How many to list, newest first.")
        var limit = 200

        @OptionGroup var repository: RepositoryOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard limit > 0 else { throw ValidationError("--limit \(limit) must be a positive number.") }
        }

        func run() async throws {
            let records = try await store.withStore(repository: repository.repo, readOnly: true) { store in
                try await NotificationOutbox(store: store).list(failedOnly: failed, limit: limit)
            }
            if output.json {
                print(try CommandOutput.json(records.map(NotificationJSON.init)))
                return
            }
            if records.isEmpty {
                print(failed ? "No failed notifications." : "The notification outbox is empty.")
                return
            }
            for record in records {
                var line = "\(record.id)  \(record.state.rawValue)  \(record.event.rawValue)  \(TerminalText.escape(record.stack))  \(record.changeSetID)"
                line += "  \(TerminalText.escape(record.actor))  \(record.attempts) attempt(s)"
                switch record.state {
                case .queued: line += ", next \(CommandOutput.timestamp(record.nextAttemptAt))"
                case .delivered, .failed: line += record.finishedAt.map { ", \(CommandOutput.timestamp($0))" } ?? ""
                }
                if let error = record.lastError { line += "\n    \(TerminalText.escape(error))" }
                print(line)
            }
        }
    }

    /// `tollgate notifications retry ID`.
    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "retry",
            abstract: "Queue a failed notification again, due at once.",
            discussion: "The audit trail records who retried which notification (notification.retried).")

        @Argument(help: "The notification's id, as notifications list shows it.")
        var id: Int64

        @OptionGroup var repository: RepositoryOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var operatorOptions: OperatorOptions

        func run() async throws {
            let actor = operatorOptions.name ?? "tollgate"
            let record = try await store.withStore(repository: repository.repo) { store in
                try await NotificationOutbox(store: store).retry(id: id, actor: actor)
            }
            print("Notification \(record.id) (\(record.event.rawValue), change set \(record.changeSetID)) is queued again.")
        }
    }
}
