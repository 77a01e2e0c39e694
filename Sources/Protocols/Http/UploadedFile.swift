import Glibc

/// A file uploaded in a `multipart/form-data` request (PHP's `$_FILES` entry).
///
/// Small files stay in memory (`data`); files over `Http.uploadMemoryLimit` are written to a
/// temporary file in `Http.uploadDirectory` (`temporaryPath`, PHP's `tmp_name`), removed when the
/// last reference to this object goes.
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
    /// The temporary file holding the bytes, for large files.
    public let temporaryPath: String?

    init(fieldName: String, fileName: String, contentType: String, bytes: ArraySlice<UInt8>) {
        self.fieldName = fieldName
        self.fileName = fileName
        self.contentType = contentType
        size = bytes.count
        if bytes.count > Http.uploadMemoryLimit, let path = Self.writeTemporaryFile(bytes) {
            data = nil
            temporaryPath = path
        } else {
            data = Array(bytes)
            temporaryPath = nil
        }
    }

    /// The bytes, from memory or read back from the temporary file.
    public func readBytes() -> [UInt8] {
        if let data { return data }
        guard let temporaryPath else { return [] }
        let fd = open(temporaryPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { Glibc.close(fd) }
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, size - done, off_t(done)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            done += n
        }
        return Array(bytes[0..<done])
    }

    private static func writeTemporaryFile(_ bytes: ArraySlice<UInt8>) -> String? {
        var template = Array("\(Http.uploadDirectory)/workerman-upload-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { return nil }
        defer { Glibc.close(fd) }
        let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let written = bytes.withUnsafeBytes { raw -> Bool in
            var done = 0
            while done < raw.count {
                let n = write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                done += n
            }
            return true
        }
        if !written {
            unlink(path)
            return nil
        }
        return path
    }

    deinit {
        if let temporaryPath { unlink(temporaryPath) }
    }
}
