import ArgumentParser
import Foundation

/// Who runs a command that the audit trail attributes to a person: `--actor`, else the `USER`
/// environment variable, else the name of the process's user id (containers often leave `USER`
/// unset). A command never records an anonymous or made-up name.
struct OperatorOptions: ParsableArguments {
    @Option(help: "Who you are, as the audit trail names you (default: the USER environment variable, else the login name).")
    var actor: String?

    func validate() throws {
        if name == nil {
            throw ValidationError("Cannot tell who you are (USER is not set and the user id has no name); name yourself with --actor.")
        }
    }

    /// The operator's name; `nil` only when nothing names them, which ``validate()`` refuses.
    var name: String? {
        if let actor, !actor.isEmpty { return actor }
        if let user = ProcessInfo.processInfo.environment["USER"], !user.isEmpty { return user }
        guard let entry = getpwuid(getuid()), let raw = entry.pointee.pw_name else { return nil }
        let login = String(cString: raw)
        return login.isEmpty ? nil : login
    }
}
