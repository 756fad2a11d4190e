public import Logging
import Synchronization

/// Keeps each message a logger receives, with its `store.location` metadata, for assertions.
public final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    /// Creates an empty capture.
    public init() {}

    /// Every message so far, oldest first.
    public var all: [String] { lines.withLock { $0 } }

    /// A logger at trace level whose messages this capture keeps.
    public var logger: Logger {
        var logger = Logger(label: "test") { _ in Handler(sink: self) }
        logger.logLevel = .trace
        return logger
    }

    fileprivate func append(_ line: String) {
        lines.withLock { $0.append(line) }
    }

    private struct Handler: LogHandler {
        let sink: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let location = event.metadata?["store.location"].map { " location=\($0)" } ?? ""
            sink.append("\(event.message)\(location)")
        }
    }
}
