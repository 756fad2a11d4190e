internal import CLibGit2
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// The raw bytes of one tree object, read from the object database and scanned in place.
///
/// `git_tree_lookup` parses every entry of a tree (the octal mode, the name, the id) into an array
/// before anything can be asked; a history walk opens thousands of folders whose entries are almost
/// all unchanged, so it reads the bytes instead and looks only at the entries it needs, as git's own
/// `tree_desc` does. Owns its `git_odb_object`; its bytes are valid while it lives.
final class RawTree {
    private let object: OpaquePointer
    /// The tree's id.
    let id: ObjectID
    /// The tree's entries: `<octal mode> <name>\0<20-byte id>`, one after another.
    let bytes: UnsafeRawBufferPointer

    init(_ object: OpaquePointer, id: ObjectID) {
        self.object = object
        self.id = id
        let size = git_odb_object_size(object)
        bytes = UnsafeRawBufferPointer(start: git_odb_object_data(object), count: size)
    }

    deinit {
        git_odb_object_free(object)
    }

    /// The entry that starts at `offset`, or `nil` at the end of the tree.
    ///
    /// - Throws: ``GitError/libgit2(code:message:context:)`` for bytes that are not a tree entry, as
    ///   libgit2 refuses such a tree.
    @inline(__always)
    func entry(at offset: Int) throws(GitError) -> RawTreeEntry? {
        guard offset < bytes.count, let base = bytes.baseAddress else { return nil }
        var index = offset
        var mode: UInt32 = 0
        while index < bytes.count {
            let byte = base.load(fromByteOffset: index, as: UInt8.self)
            if byte == UInt8(ascii: " ") { break }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "7"), mode <= 0o177777 else { throw malformed(at: offset) }
            mode = mode << 3 | UInt32(byte - UInt8(ascii: "0"))
            index += 1
        }
        guard index > offset, index < bytes.count, mode <= 0o177777 else { throw malformed(at: offset) }
        let nameStart = index + 1
        guard nameStart < bytes.count,
              let nul = memchr(base + nameStart, 0, bytes.count - nameStart) else { throw malformed(at: offset) }
        let nameLength = base.distance(to: UnsafeRawPointer(nul)) - nameStart
        let idStart = nameStart + nameLength + 1
        guard nameLength > 0, bytes.count - idStart >= 20 else { throw malformed(at: offset) }
        return RawTreeEntry(mode: RawTreeEntry.normalized(mode), nameStart: nameStart, nameLength: nameLength, idStart: idStart)
    }

    /// Where the entry that starts at `offset` ends, found without parsing it; `nil` when the bytes
    /// there are not a whole entry (``entry(at:)`` then says what is wrong).
    @inline(__always)
    func end(ofEntryAt offset: Int) -> Int? {
        guard offset < bytes.count, let base = bytes.baseAddress,
              let nul = memchr(base + offset, 0, bytes.count - offset) else { return nil }
        let end = base.distance(to: UnsafeRawPointer(nul)) + 21
        return end <= bytes.count ? end : nil
    }

    /// Whether `other` holds at `otherOffset` the bytes of the entry here from `offset` up to `end`:
    /// the same mode, name and id. Its entry there then ends `end - offset` bytes further on, since
    /// its first NUL lies where this one's does.
    @inline(__always)
    func sameBytes(_ offset: Int, _ end: Int, in other: RawTree, at otherOffset: Int) -> Bool {
        guard other.bytes.count - otherOffset >= end - offset, let base = bytes.baseAddress,
              let otherBase = other.bytes.baseAddress else { return false }
        return memcmp(base + offset, otherBase + otherOffset, end - offset) == 0
    }

    /// Whether the bytes from `offset` to the end here are exactly those from `otherOffset` to the
    /// end of `other`.
    @inline(__always)
    func sameTail(from offset: Int, as other: RawTree, from otherOffset: Int) -> Bool {
        bytes.count - offset == other.bytes.count - otherOffset && sameBytes(offset, bytes.count, in: other, at: otherOffset)
    }

    /// The name of `entry`, valid while this tree lives.
    @inline(__always)
    func name(of entry: RawTreeEntry) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[entry.nameStart..<entry.nameStart + entry.nameLength])
    }

    /// The object id `entry` names.
    func objectID(of entry: RawTreeEntry) -> ObjectID {
        ObjectID(rawBytes: UnsafeRawBufferPointer(rebasing: bytes[entry.idStart..<entry.end]))
    }

    /// Whether `entry` here and `other` in `otherTree` name the same object.
    @inline(__always)
    func sameObject(_ entry: RawTreeEntry, as other: RawTreeEntry, in otherTree: RawTree) -> Bool {
        guard let base = bytes.baseAddress, let otherBase = otherTree.bytes.baseAddress else { return false }
        return memcmp(base + entry.idStart, otherBase + other.idStart, 20) == 0
    }

    /// The entry called `name`, or `nil` when there is none.
    func entry(named name: some Collection<UInt8>) throws(GitError) -> RawTreeEntry? {
        var offset = 0
        while let entry = try entry(at: offset) {
            let entryName = self.name(of: entry)
            if entryName.count == name.count, entryName.elementsEqual(name) { return entry }
            offset = entry.end
        }
        return nil
    }

    private func malformed(at offset: Int) -> GitError {
        .libgit2(code: -1, message: "failed to parse tree: malformed entry at byte \(offset)", context: "Reading tree \(id.short)")
    }
}

/// Where one entry lies in a ``RawTree``, and its mode as libgit2 normalises it.
struct RawTreeEntry {
    /// The mode, one of git's five: folder, file, executable file, symbolic link, submodule.
    let mode: UInt32
    let nameStart: Int
    let nameLength: Int
    let idStart: Int

    /// Where the next entry starts.
    var end: Int { idStart + 20 }

    /// Whether the entry is a folder.
    var isTree: Bool { mode == 0o040000 }

    /// Whether the entry is a file's contents (a file, executable or not, or a symbolic link), not a
    /// folder or a submodule.
    var isBlob: Bool { mode != 0o040000 && mode != 0o160000 }

    /// libgit2's `normalize_filemode`, so that modes compare as they did through `git_tree_entry_filemode`.
    static func normalized(_ mode: UInt32) -> UInt32 {
        let type = mode & 0o170000
        if type == 0o040000 { return 0o040000 }
        if mode & 0o100 != 0 { return 0o100755 }
        if type == 0o160000 { return 0o160000 }
        if type == 0o120000 { return 0o120000 }
        return 0o100644
    }
}
