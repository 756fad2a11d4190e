import Foundation

/// A folder under the system's temporary directory that is removed when the value is released.
public final class TemporaryDirectory: Sendable {
    /// The folder's absolute path.
    public let path: String

    /// Creates a fresh, empty folder whose name starts with `prefix`.
    public init(prefix: String = "tollgate-test") throws {
        let base = FileManager.default.temporaryDirectory.path
        let url = URL(fileURLWithPath: base).appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        path = url.path
    }

    /// The absolute path of `relative` inside this folder.
    public func appending(_ relative: String) -> String {
        path + "/" + relative
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
