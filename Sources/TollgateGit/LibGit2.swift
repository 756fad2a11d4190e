internal import CLibGit2
internal import CLibGit2Certificates

/// libgit2 must be initialised once per process before any call; a lazily initialised global
/// gives exactly that, thread-safely, without a start-up hook.
private let libgit2Initialised: Bool = {
    git_libgit2_init()
    // History walks read each commit once, so a large cache only costs memory.
    _ = tollgate_git_set_cache_max_size(16 * 1024 * 1024)
    _ = tollgate_git_set_strict_hash_verification(0)
    _ = tollgate_git_set_caching(0)
    // Many small windows hold more separate parts of a large pack than a few large ones: a
    // history over a 321 MiB pack remaps less and spends less time in the kernel, where mapping
    // was its largest cost.
    _ = tollgate_git_set_pack_window_size(256 * 1024)
    _ = tollgate_git_set_mapped_limit(PackMapping.standardLimit)
    return true
}()

/// How much of the packfiles libgit2 keeps mapped at once, in windows of 256 KiB: libgit2 has one
/// limit for the whole process.
public enum PackMapping {
    /// What every process starts with: 48 windows. Small windows are touched more fully than
    /// large ones, so each one mapped costs resident memory, and a first sync of 100,000 commits,
    /// which holds the store and the change sets beside its walk, needs to stay under 100 MB.
    public static let standardLimit = 12 << 20

    /// For a process whose only work is one history walk (`tollgate history`), which has nothing
    /// else to keep: 96 windows, which a walk over a large pack remaps half as often. The
    /// 100,000-commit history then peaks at about 87 MB instead of 73, under its 100 MB bound.
    public static let historyWalkLimit = 24 << 20

    /// The limit in force.
    public static var limit: Int {
        ensureLibGit2()
        var bytes = 0
        _ = tollgate_git_get_mapped_limit(&bytes)
        return bytes
    }

    /// Sets the limit for the rest of the process; windows over it are unmapped as new ones are needed.
    public static func setLimit(_ bytes: Int) {
        ensureLibGit2()
        _ = tollgate_git_set_mapped_limit(bytes)
    }
}

/// Makes sure libgit2 is initialised; every entry point into this module calls it first.
func ensureLibGit2() {
    _ = libgit2Initialised
}

/// The system's CA certificates for libgit2's own TLS check. libgit2 would read them while it
/// initialises, at every command's start; CLibGit2Certificates defers that to the first HTTPS
/// fetch, which calls this first.
enum SystemCertificates {
    /// Where libgit2 asked to read them from at initialisation, still unread until ``load()``;
    /// nil for a libgit2 that does not read them then (one built without mbedTLS).
    static var deferredLocation: String? {
        ensureLibGit2()
        return tollgate_git_deferred_certificates().map { String(cString: $0) }
    }

    /// Reads them, once per process; later calls return at once.
    static func load() throws(GitError) {
        ensureLibGit2()
        try check(tollgate_git_load_certificates(), "reading the system's CA certificates")
    }

    /// Has libgit2's own check trust the CAs of `file` instead, read at once; it shows that loads
    /// after ``load()`` reach mbedTLS.
    static func load(file: String) throws(GitError) {
        ensureLibGit2()
        try check(tollgate_git_load_certificates_from(file), "reading the CA certificates of \(file)")
    }
}

/// Checks a libgit2 return code, turning a failure into a ``GitError`` that says what Tollgate was
/// doing. The error message is per thread and overwritten by the next call, so it is read at once.
@inline(__always)
func check(_ code: Int32, _ context: @autoclosure () -> String) throws(GitError) {
    guard code < 0 else { return }
    throw lastError(code: code, context: context())
}

/// The ``GitError`` for a failed call, with libgit2's own message when it left one.
func lastError(code: Int32, context: String) -> GitError {
    let message: String
    if let error = git_error_last(), let text = error.pointee.message {
        message = String(cString: text)
    } else {
        message = "libgit2 error \(code)"
    }
    return .libgit2(code: code, message: message, context: context)
}

/// Whether `code` is libgit2's "not found".
func isNotFound(_ code: Int32) -> Bool {
    code == GIT_ENOTFOUND.rawValue
}
