import ArgumentParser
import Foundation
import TollgateCore
import TollgateEngine
import TollgateStore

/// `tollgate token`: bearer tokens that let `tollgate serve`'s API act as one reviewer.
struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Issue, list and revoke the bearer tokens of tollgate serve's API.",
        discussion: """
            A token acts only as the reviewer it was issued to, who must be listed in the policy in \
            force. Tollgate prints a token once and keeps only its SHA-256; issuing and revoking \
            are written to the audit trail.
            """,
        subcommands: [Issue.self, List.self, Revoke.self]
    )
}

extension Token {
    /// `tollgate token issue REVIEWER`.
    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "issue",
            abstract: "Issue a token for a reviewer and print it once.")

        @Argument(help: "The reviewer's id in Policies/reviewers.yaml of the policy in force.")
        var reviewer: String

        @Option(help: ArgumentHelp(
            "How long the token works: a number and s, m, h or d, such as 90d; 0d for no expiry.", valueName: "duration"))
        var expires = DurationText(days: 90)

        @OptionGroup var operatorOptions: OperatorOptions
        @OptionGroup var repository: RepositoryOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let actor = operatorOptions.name ?? "tollgate"
            let issued = try await store.withStore(repository: repository.repo) { store in
                let managed = try await ManagedRepository.open(
                    path: repository.repo, settingsFile: repository.config, branch: repository.branch, store: store)
                return try await AccessTokens(store: store).issue(
                    reviewer: reviewer, lifetime: expires.seconds == 0 ? nil : TimeInterval(expires.seconds), actor: actor,
                    repository: managed)
            }
            if output.json {
                print(try CommandOutput.json(TokenJSON(issued.record, token: issued.token)))
            } else {
                print(issued.token)
                let until = issued.record.expiresAt.map { "until \(CommandOutput.timestamp($0))" } ?? "with no expiry"
                printError("Token \(issued.record.id) acts as \(TerminalText.escape(reviewer)) \(until); it is shown only this once.")
            }
        }
    }

    /// `tollgate token list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the tokens (never the tokens themselves): id, reviewer, issue, expiry and revocation.")

        @OptionGroup var repository: RepositoryOptions
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let records = try await store.withStore(repository: repository.repo, readOnly: true) { store in
                try await AccessTokens(store: store).list()
            }
            let now = Date()
            if output.json {
                print(try CommandOutput.json(records.map { TokenJSON($0, token: nil, now: now) }))
                return
            }
            if records.isEmpty {
                print("No tokens; tollgate token issue REVIEWER makes one.")
                return
            }
            for record in records {
                let json = TokenJSON(record, token: nil, now: now)
                let expiry = record.expiresAt.map { "expires \(CommandOutput.timestamp($0))" } ?? "no expiry"
                print("\(record.id)  \(TerminalText.escape(record.reviewer))  \(json.state)  issued \(CommandOutput.timestamp(record.createdAt)), \(expiry)")
            }
        }
    }

    /// `tollgate token revoke ID`.
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a token at once.")

        @Argument(help: "The token's id, such as tok-3f9a0c1e, as token list shows it.")
        var id: String

        @OptionGroup var operatorOptions: OperatorOptions
        @OptionGroup var repository: RepositoryOptions
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let actor = operatorOptions.name ?? "tollgate"
            let record = try await store.withStore(repository: repository.repo) { store in
                try await AccessTokens(store: store).revoke(id: id, actor: actor)
            }
            print("Token \(record.id) of \(TerminalText.escape(record.reviewer)) is revoked.")
        }
    }
}

/// Writes a line to standard error, where diagnostics go.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
