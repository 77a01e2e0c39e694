/// Bytes that arrive in pieces (a request body, an uploaded file): kept in memory up to `limit`
/// bytes, moved to a `TemporaryFile` as soon as they outgrow it.
struct SpillingBuffer {
    /// The bytes while they fit in memory; empty once they moved to `file`.
    private(set) var bytes: [UInt8] = []
    /// The temporary file holding the bytes once they outgrew `limit`.
    private(set) var file: TemporaryFile?
    /// How many bytes were appended.
    private(set) var size = 0
    /// True when a temporary file could not be made or written: the bytes are lost.
    private(set) var failed = false
    private let limit: Int
    /// Where the temporary file goes.
    private let directory: String

    /// An empty buffer that spills into a temporary file in `directory` past `limit` bytes.
    init(limit: Int, directory: String) {
        self.limit = limit
        self.directory = directory
    }

    /// Appends `piece`, spilling to disk when the total passes the limit.
    mutating func append(_ piece: UnsafeRawBufferPointer) {
        guard !failed, !piece.isEmpty else { return }
        size += piece.count
        if file == nil && size <= limit {
            bytes.append(contentsOf: piece)
            return
        }
        if file == nil {
            guard let made = TemporaryFile(directory: directory), bytes.withUnsafeBytes({ made.append($0) }) else {
                fail()
                return
            }
            file = made
            bytes = []
        }
        if !file!.append(piece) { fail() }
    }

    /// Closes the temporary file for writing, if there is one.
    func finish() { file?.closeForWriting() }

    private mutating func fail() {
        failed = true
        file = nil
        bytes = []
    }
}
