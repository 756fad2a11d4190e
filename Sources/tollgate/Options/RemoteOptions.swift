import ArgumentParser
import Foundation
import TollgateEngine

/// A remote repository to follow instead of reading --repo: Tollgate fetches it into a clone of
/// its own before each sync.
struct RemoteOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Follow this remote repository: a path, file://, ssh://[user@]host[:port]/path, user@host:path or https:// URL (no credentials in it).",
        discussion: "Tollgate keeps its own bare clone (--clone-dir) and fetches it before every sync.",
        valueName: "url"))
    var remote: String?

    @Option(help: ArgumentHelp("The remote branch to follow.", valueName: "branch"))
    var remoteBranch = "main"

    @Option(help: ArgumentHelp(
        "Where Tollgate keeps its clone of the remote (default: remote.git beside the state file, or .tollgate/remote.git).",
        valueName: "dir"))
    var cloneDir: String?

    @Option(help: ArgumentHelp("The SSH private key to fetch with (ssh remotes).", valueName: "file"))
    var sshKey: String?

    @Option(help: ArgumentHelp("A file holding the SSH key's passphrase, if it has one.", valueName: "file"))
    var sshPassphraseFile: String?

    @Option(help: ArgumentHelp(
        "The OpenSSH known_hosts file that must list the SSH host's key; an unknown or changed key is refused.",
        valueName: "file"))
    var knownHosts: String?

    @Option(help: ArgumentHelp(
        "A file holding the HTTPS token (instead of TOLLGATE_REMOTE_TOKEN); never put it in the URL.",
        valueName: "file"))
    var tokenFile: String?

    @Option(help: ArgumentHelp(
        "A PEM file of the certificate authorities the https remote's certificate must chain to, in place of the system's (a private CA, or a self-signed certificate).",
        valueName: "file"))
    var caFile: String?

    @Option(help: ArgumentHelp("How long one fetch may take, such as 120s.", valueName: "duration"))
    var fetchTimeout = DurationText(argument: "120s") ?? DurationText(days: 0)

    func validate() throws {
        if remote == nil {
            let given: [(String, Bool)] = [
                ("--clone-dir", cloneDir != nil), ("--ssh-key", sshKey != nil), ("--ssh-passphrase-file", sshPassphraseFile != nil),
                ("--known-hosts", knownHosts != nil), ("--token-file", tokenFile != nil), ("--ca-file", caFile != nil),
            ]
            if let (flag, _) = given.first(where: \.1) { throw ValidationError("\(flag) applies only with --remote URL.") }
        }
        guard fetchTimeout.seconds > 0 else { throw ValidationError("--fetch-timeout must be longer than 0s.") }
    }

    /// The remote to follow, or nil when none was given; the clone lives beside the state file
    /// (`state`), or in `.tollgate/` under `repository`.
    func remoteRepository(repository: String, state: String?) -> RemoteRepository? {
        guard let remote else { return nil }
        let folder = state.map { ($0 as NSString).deletingLastPathComponent } ?? (repository as NSString).appendingPathComponent(".tollgate")
        return RemoteRepository(
            url: remote, branch: remoteBranch, cloneDirectory: cloneDir ?? (folder.isEmpty ? "." : folder) + "/remote.git",
            sshKeyFile: sshKey, sshPassphraseFile: sshPassphraseFile, knownHostsFile: knownHosts, tokenFile: tokenFile,
            timeout: .seconds(fetchTimeout.seconds), caFile: caFile)
    }
}
