#if canImport(Glibc)
import Glibc
#endif

/// How many heaps glibc's malloc keeps for the process's threads.
enum MallocArenas {
    /// Has every thread allocate from one heap. By default glibc gives a thread that meets a busy
    /// heap one of its own, up to eight per core; a first sync of a long branch passes its commits
    /// between libgit2's, SQLite's and Swift's threads, and the pages those heaps keep half-used
    /// came to 14 MB of its 109 MB peak on 100,000 commits. A command's work is not malloc-bound,
    /// so the shared lock costs nothing measurable. Call it before the command starts threads:
    /// heaps already made stay.
    static func shareOne() {
        #if canImport(Glibc)
        // mallopt is declared in <malloc.h>, which Swift's Glibc module does not bring in: it is
        // looked up by name rather than given a C target of its own for one call.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let process = dlopen(nil, RTLD_NOW) else { return }
        defer { dlclose(process) }
        guard let symbol = dlsym(process, "mallopt") else { return }
        let arenaMaximum: Int32 = -8  // M_ARENA_MAX in <malloc.h>
        _ = unsafeBitCast(symbol, to: Mallopt.self)(arenaMaximum, 1)
        #endif
    }
}
