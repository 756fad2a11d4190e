import Foundation

/// Lines of output kept aside until they can be printed in another order: `history` walks the
/// branch newest first and prints it oldest first.
///
/// The lines go to an unnamed temporary file, so that a history of any length takes no more memory
/// than the place of each line; where no temporary file can be made they are kept in memory.
final class LineSpool: @unchecked Sendable {
    // @unchecked: a spool is used by one thread at a time; the history walk appends to it on the
    // repository's pool thread while the command awaits the walk, and only then reads it.
    private let file: UnsafeMutablePointer<FILE>?
    private var memory: [UInt8] = []
    private var length = 0
    /// The `errno` of the first write that failed.
    private var failure: Int32?

    init() {
        file = tmpfile()
    }

    deinit {
        if let file { fclose(file) }
    }

    /// Keeps `line` and returns where it lies, for ``write(_:to:)``.
    func append(_ line: String) -> Range<Int> {
        var line = line
        let start = length
        line.withUTF8 { bytes in
            if let file {
                if !bytes.isEmpty, fwrite(bytes.baseAddress, 1, bytes.count, file) != bytes.count, failure == nil {
                    failure = errno
                }
            } else {
                memory.append(contentsOf: bytes)
            }
            length += bytes.count
        }
        return start..<length
    }

    /// Writes the lines at `spans`, in that order, to `out`.
    ///
    /// - Throws: ``LineSpoolError`` when the temporary file could not be written or read back.
    func write(_ spans: some Sequence<Range<Int>>, to out: inout StandardOutput) throws {
        guard let file else {
            for span in spans { out.write(memory[span]) }
            return
        }
        if let failure { throw LineSpoolError(code: failure) }
        guard fflush(file) == 0 else { throw LineSpoolError(code: errno) }
        let descriptor = fileno(file)
        var buffer: [UInt8] = []
        for span in spans {
            buffer.removeAll(keepingCapacity: true)
            buffer.append(contentsOf: repeatElement(0, count: span.count))
            let read = buffer.withUnsafeMutableBytes { bytes in
                pread(descriptor, bytes.baseAddress, span.count, off_t(span.lowerBound))
            }
            guard read == span.count else { throw LineSpoolError(code: read < 0 ? errno : EIO) }
            out.write(buffer[...])
        }
    }
}

/// The temporary file that held the output could not be written or read back.
struct LineSpoolError: Error, CustomStringConvertible {
    /// The `errno` of the failed call.
    let code: Int32

    var description: String {
        "The output could not be kept in a temporary file (\(String(cString: strerror(code)))); check that the temporary folder has space."
    }
}
