/// A file uploaded in a `multipart/form-data` request (PHP's `$_FILES` entry).
///
/// Small files stay in memory (`data`); files over `worker.http.uploadMemoryLimit` are written to a
/// temporary file in `worker.http.uploadDirectory` as they arrive (`temporaryPath`, PHP's `tmp_name`),
/// removed when the last reference to this object goes: move or copy it before then to keep it.
public final class UploadedFile {
    /// The form field's name.
    public let fieldName: String
    /// The file name the client gave (PHP's `name`), without any directory part.
    public let fileName: String
    /// The part's Content-Type (PHP's `type`), "application/octet-stream" when absent.
    public let contentType: String
    /// The size in bytes.
    public let size: Int
    /// The bytes, for files kept in memory; nil when they are in `temporaryPath`.
    public let data: [UInt8]?
    private let file: TemporaryFile?

    init(fieldName: String, fileName: String, contentType: String, content: SpillingBuffer) {
        self.fieldName = fieldName
        self.fileName = fileName
        self.contentType = contentType
        size = content.size
        content.finish()
        file = content.file
        data = content.file == nil ? content.bytes : nil
    }

    /// The temporary file holding the bytes, for large files.
    public var temporaryPath: String? { file?.path }

    /// The bytes, from memory or read back from the temporary file (all of them: for large files
    /// prefer `forEachBlock`).
    public func readBytes() -> [UInt8] { data ?? file?.readAll() ?? [] }

    /// Calls `body` with the bytes front to back, in blocks of up to 64 KiB, without holding the
    /// whole file in memory; false when the temporary file could not be read.
    @discardableResult
    public func forEachBlock(_ body: (UnsafeRawBufferPointer) -> Void) -> Bool {
        if let data {
            data.withUnsafeBytes(body)
            return true
        }
        return file?.forEachBlock(body) ?? false
    }
}
