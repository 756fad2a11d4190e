import Testing
import TollgateGit

/// The pack mapping limit is libgit2's, one for the whole process: what Tollgate sets must be what
/// libgit2 then holds to.
@Suite("Pack mapping limit")
struct PackMappingTests {
    @Test("a process starts at the standard limit, and a history walk's limit reaches libgit2")
    func limits() {
        // Other tests in this process only read repositories, which no limit changes the result of.
        #expect(PackMapping.limit == PackMapping.standardLimit)
        PackMapping.setLimit(PackMapping.historyWalkLimit)
        #expect(PackMapping.limit == 24 << 20)
        PackMapping.setLimit(PackMapping.standardLimit)
        #expect(PackMapping.limit == 12 << 20)
    }
}
