import TollgateCore

/// The two SQL dialects the store speaks; the differences are few and all named here.
enum SQLDialect: Sendable {
    case sqlite
    case postgres

    /// Rewrites `?` placeholders as `$1`, `$2`, … for PostgreSQL; the store's own SQL has no `?`
    /// inside string literals, so a plain scan is enough.
    func placeholders(_ sql: String) -> String {
        guard self == .postgres else { return sql }
        var result = ""
        var index = 0
        for character in sql {
            if character == "?" {
                index += 1
                result += "$\(index)"
            } else {
                result.append(character)
            }
        }
        return result
    }
}

/// A value bound into a statement or read from a row, in the few types the schema uses.
enum SQLValue: Sendable, Hashable {
    case text(String)
    case integer(Int64)
    case null

    init(_ text: String?) {
        self = text.map(SQLValue.text) ?? .null
    }

    init(_ integer: Int64?) {
        self = integer.map(SQLValue.integer) ?? .null
    }
}

/// The column names of one result, shared by all its rows so that a row is just its values.
final class SQLColumns: Sendable {
    let positions: [String: Int]

    init(_ names: [String]) {
        positions = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }
}

/// One result row by column name; a missing or mistyped value means the database was edited by
/// hand, so the accessors throw ``StoreError/corruptRecord(location:what:)`` rather than trap.
struct SQLRow: Sendable {
    let columns: SQLColumns
    let values: [SQLValue]
    let location: String

    private func value(_ column: String) -> SQLValue? {
        columns.positions[column].map { values[$0] }
    }

    /// The value of `column` as read, to bind into a later statement, such as the key a next
    /// page starts after.
    func boundValue(_ column: String) throws -> SQLValue {
        guard let value = value(column) else { throw corrupt(column) }
        return value
    }

    func text(_ column: String) throws -> String {
        guard case .text(let value)? = value(column) else { throw corrupt(column) }
        return value
    }

    func optionalText(_ column: String) throws -> String? {
        switch value(column) {
        case .text(let value)?: return value
        case .null?: return nil
        default: throw corrupt(column)
        }
    }

    func integer(_ column: String) throws -> Int64 {
        guard case .integer(let value)? = value(column) else { throw corrupt(column) }
        return value
    }

    func optionalInteger(_ column: String) throws -> Int64? {
        switch value(column) {
        case .integer(let value)?: return value
        case .null?: return nil
        default: throw corrupt(column)
        }
    }

    /// The value at `index` of a statement that names its columns in a known order, read without
    /// looking the name up: the audit trail reads a million rows this way. `column` names it in errors.
    func text(at index: Int, _ column: String) throws -> String {
        guard index < values.count, case .text(let value) = values[index] else { throw corrupt(column) }
        return value
    }

    /// The optional text at `index`; see ``text(at:_:)``.
    func optionalText(at index: Int, _ column: String) throws -> String? {
        guard index < values.count else { throw corrupt(column) }
        switch values[index] {
        case .text(let value): return value
        case .null: return nil
        default: throw corrupt(column)
        }
    }

    /// The integer at `index`; see ``text(at:_:)``.
    func integer(at index: Int, _ column: String) throws -> Int64 {
        guard index < values.count, case .integer(let value) = values[index] else { throw corrupt(column) }
        return value
    }

    private func corrupt(_ column: String) -> StoreError {
        .corruptRecord(location: location, what: "value in column \(column)")
    }
}

/// A unique or primary-key constraint refused an insert; the store turns it into the
/// ``StoreError`` that names the record.
struct UniqueViolation: Error {
    let constraint: String
}

/// One database connection as the shared store code sees it.
///
/// Implementations wrap every driver error into ``StoreError`` (or ``UniqueViolation``), so that no
/// raw database error leaves the module.
protocol SQLSession: Sendable {
    var dialect: SQLDialect { get }
    var location: String { get }
    /// Runs one statement written with `?` placeholders and returns its rows.
    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow]
    /// Runs one statement and hands its rows to `body` one at a time, in order, on one thread,
    /// without collecting them, so that reading a whole audit trail holds one row at a time.
    func forEachRow(_ sql: String, _ binds: [SQLValue], _ body: @escaping @Sendable (SQLRow) -> Void) async throws
}

extension SQLSession {
    /// Runs one statement and hands its rows to `body` in order; this default collects them first.
    func forEachRow(_ sql: String, _ binds: [SQLValue], _ body: @escaping @Sendable (SQLRow) -> Void) async throws {
        for row in try await query(sql, binds) { body(row) }
    }

    /// Runs one statement and discards its rows.
    func execute(_ sql: String, _ binds: [SQLValue] = []) async throws {
        _ = try await query(sql, binds)
    }
}
