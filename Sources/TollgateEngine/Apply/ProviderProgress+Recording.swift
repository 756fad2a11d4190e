import TollgateStore

extension ProviderProgress {
    /// Hands each line to `self` and keeps it in `transcript`, which the apply's watcher puts on
    /// the running execution, so that another process (the web page's event stream) sees an
    /// apply's events while it runs.
    func copying(into transcript: ProgressTranscript) -> ProviderProgress {
        ProviderProgress { line in
            await self(line)
            await transcript.append(line)
        }
    }
}

/// The lines a running provider reported so far, up to ``limit`` bytes; the whole output is
/// recorded when the execution ends. An actor, since a provider may report from several tasks.
actor ProgressTranscript {
    /// The most kept while the apply runs; a provider that prints more is shown in full at its end.
    static let limit = 256 * 1024
    private var text = ""
    private var changed = false
    private var full = false

    func append(_ line: String) {
        guard !full else { return }
        if text.utf8.count + line.utf8.count >= Self.limit {
            full = true
            text += "[further lines are kept when the apply ends]\n"
        } else {
            text += line + "\n"
        }
        changed = true
    }

    /// The lines so far when they changed since the last call; nil otherwise.
    func takeChanged() -> String? {
        guard changed else { return nil }
        changed = false
        return text
    }
}
