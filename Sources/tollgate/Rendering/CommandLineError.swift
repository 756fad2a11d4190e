import TollgateCore

extension ErrorRemedy {
    /// The command line's words for the remedy, with their own leading punctuation: the flag or
    /// command that gets past the error. Only the command line knows its flags, so the engine's
    /// errors name none and this is the one place that adds them.
    var commandLineHint: String {
        switch self {
        case .chooseRepository: "; pass --repo with the path of a clone"
        case .chooseBranch: "; pass --branch or set 'branch' in tollgate.yaml"
        case .chooseStore: ", or choose another with --state"
        case .chooseDatabase: " and that --database or TOLLGATE_DATABASE_URL names it"
        case .chooseHistoryStart: "; --since must name a commit on the branch"
        case .chooseMergeAsHistoryStart: "; pass the merge commit to --since instead"
        case .chooseSyncStart: "; --from must name a commit on the branch"
        case .omitSyncStart: "; --from applies only to the first sync of a branch"
        case .trustAgainOnPurpose: ", or run tollgate init --force to trust another revision on purpose"
        case .signOperatorAct: ": sign the act's text (print it with --print-text) with ssh-keygen -Y sign -n tollgate, or pass your private key"
        case .resumeApply: "; run tollgate apply with --resume on its change set first"
        case .resumeLapsedApply: ", or if its process died, run tollgate apply with --resume once its lock has lapsed"
        case .giveRemoteToken: "; give the token with --token-file FILE or the TOLLGATE_REMOTE_TOKEN environment variable"
        case .chooseSSHKey: "; pass --ssh-key with a readable private key file"
        case .chooseSSHPassphrase: "; pass --ssh-passphrase-file with a readable file"
        case .chooseKnownHosts: "; pass --known-hosts with an OpenSSH known_hosts file listing the host's key"
        case .chooseCloneDirectory: "; pass --clone-dir"
        case .chooseCAFile: "; pass --ca-file with the PEM certificate of the authority that issued the server's certificate"
        case .raiseFetchTimeout: "; allow more with --fetch-timeout"
        }
    }
}

/// How the command line words an error for the operator at the terminal.
enum CommandLineError {
    /// The error's sentence with its underlying detail (the database's own text is the operator's
    /// to see), followed by the flag or command that gets past it.
    static func message(for error: any Error) -> String {
        guard let error = error as? any TollgateError else { return String(describing: error) }
        var text = error.debugDescription
        guard let remedy = error.remedy else { return text }
        if text.hasSuffix(".") { text.removeLast() }
        return text + remedy.commandLineHint + "."
    }
}
