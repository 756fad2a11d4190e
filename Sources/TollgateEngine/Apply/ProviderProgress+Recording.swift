import TollgateStore

extension ProviderProgress {
    /// Hands each line to `self` and also keeps the lines so far on the running execution, so that
    /// another process (the web page's event stream) sees an apply's events as they happen.
    ///
    /// A store that cannot take a line does not stop the apply: the line still reaches `self`, and
    /// the whole output is recorded when the execution ends.
    func recording(executionID: String, in store: any StateStore) -> ProviderProgress {
        let transcript = ProgressTranscript()
        return ProviderProgress { line in
            await self(line)
            let text = await transcript.append(line)
            _ = try? await store.transaction { try await $0.recordProviderOutput(executionID: executionID, output: text) }
        }
    }
}

/// The lines reported so far; an actor, since a provider may report from several tasks.
private actor ProgressTranscript {
    private var text = ""

    func append(_ line: String) -> String {
        text += line + "\n"
        return text
    }
}
