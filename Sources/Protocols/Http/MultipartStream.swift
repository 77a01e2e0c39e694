import Glibc
import WorkermanCore

/// Parses a `multipart/form-data` body (RFC 7578) fed in pieces of any size, keeping only a small
/// look-behind in memory: field values go to memory, files to `SpillingBuffer`s (temporary files
/// once they pass the Worker's `http.uploadMemoryLimit`).
struct MultipartStream {
    private enum Phase {
        /// Before the first delimiter.
        case preamble
        /// Right after a delimiter: "--" ends the body, CRLF starts a part.
        case afterDelimiter
        /// The part's header lines.
        case partHead
        /// The part's content, up to the next delimiter.
        case partData
        /// After the closing delimiter, or after a fault: ignored.
        case done
    }

    private enum Part {
        case field(name: String, value: [UInt8])
        case file(fieldName: String, fileName: String, contentType: String, content: SpillingBuffer)
        case skipped
    }

    /// "\r\n--boundary": what separates parts (the first one is found after a virtual CRLF).
    private let delimiter: [UInt8]
    /// Bytes received and not yet assigned: at most a piece plus a delimiter's length.
    private var pending: [UInt8] = [0x0d, 0x0a]
    private var phase = Phase.preamble
    private var part = Part.skipped
    private var fields = FormParameters()
    private var files: [UploadedFile] = []
    private var fileParts = 0
    /// The Worker's limits.
    private let settings: HttpSettings

    /// A parser for parts separated by `boundary`, within `settings`' limits.
    init(boundary: String, settings: HttpSettings) {
        delimiter = Array("\r\n--\(boundary)".utf8)
        self.settings = settings
    }

    /// Parses the next piece of the body.
    mutating func feed(_ piece: UnsafeRawBufferPointer) {
        guard case .done = phase else {
            pending.append(contentsOf: piece)
            while step() {}
            return
        }
    }

    /// The fields and files of the body; a part the body did not finish is dropped.
    mutating func finish() -> (fields: FormParameters, files: [UploadedFile]) {
        phase = .done
        pending = []
        return (fields, files)
    }

    /// Moves on by one phase; false when more bytes are needed.
    private mutating func step() -> Bool {
        switch phase {
        case .preamble, .partData:
            guard let found = Self.find(delimiter, in: pending, from: 0) else {
                let safe = pending.count - (delimiter.count - 1)
                if safe > 0 {
                    take(safe)
                    pending.removeFirst(safe)
                }
                return false
            }
            take(found)
            if case .partData = phase { endPart() }
            pending.removeFirst(found + delimiter.count)
            phase = .afterDelimiter
            return true
        case .afterDelimiter:
            guard pending.count >= 2 else { return false }
            if pending[0] == UInt8(ascii: "-") && pending[1] == UInt8(ascii: "-") {
                phase = .done
                pending = []
                return false
            }
            guard pending[0] == 0x0d && pending[1] == 0x0a else { return fault() }
            phase = .partHead  // the CRLF stays: the head is found as "\r\n...\r\n\r\n"
            return true
        case .partHead:
            guard let end = Self.find(Array("\r\n\r\n".utf8), in: pending, from: 0) else {
                return pending.count > settings.maxHeaderSize ? fault() : false
            }
            startPart(String(decoding: pending[2..<(end + 2)], as: UTF8.self))
            pending.removeFirst(end + 4)
            phase = .partData
            return true
        case .done:
            return false
        }
    }

    /// Gives the first `count` pending bytes to the current part (or drops them in the preamble).
    private mutating func take(_ count: Int) {
        guard case .partData = phase, count > 0 else { return }
        switch part {
        case .field(let name, var value):
            part = .skipped  // no second reference while appending
            let room = max(0, settings.uploadMemoryLimit - value.count)
            value.append(contentsOf: pending[0..<min(count, room)])
            part = .field(name: name, value: value)
        case .file(let fieldName, let fileName, let contentType, var content):
            part = .skipped
            pending.withUnsafeBytes { content.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            part = .file(fieldName: fieldName, fileName: fileName, contentType: contentType, content: content)
        case .skipped:
            break
        }
    }

    private mutating func startPart(_ headText: String) {
        let headers = MultipartParser.partHeaders(headText)
        let disposition = MultipartParser.dispositionParameters(headers["content-disposition"] ?? "")
        guard let name = disposition["name"] else {
            part = .skipped
            return
        }
        guard let fileName = disposition["filename"] else {
            part = .field(name: name.hasSuffix("[]") ? String(name.dropLast(2)) : name, value: [])
            return
        }
        guard fileParts < settings.maxFileUploads, !fileName.isEmpty else {
            part = .skipped
            return
        }
        fileParts += 1
        let baseName = String(fileName.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? "")
        part = .file(
            fieldName: name, fileName: baseName, contentType: headers["content-type"] ?? "application/octet-stream",
            content: SpillingBuffer(limit: settings.uploadMemoryLimit, directory: settings.uploadDirectory))
    }

    private mutating func endPart() {
        switch part {
        case .field(let name, let value):
            fields.add(name, String(decoding: value, as: UTF8.self))
        case .file(let fieldName, let fileName, let contentType, let content) where !content.failed:
            files.append(
                UploadedFile(fieldName: fieldName, fileName: fileName, contentType: contentType, content: content))
        case .file, .skipped:
            break
        }
        part = .skipped
    }

    /// A malformed body: what was parsed so far stands, the rest is ignored.
    private mutating func fault() -> Bool {
        phase = .done
        part = .skipped
        pending = []
        return false
    }

    /// The index of `needle` (not empty) in `haystack` at or after `start`, or nil: memchr for its
    /// first byte, memcmp for the rest.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        haystack.withUnsafeBytes { hay in
            needle.withUnsafeBytes { pin in
                let view = ByteView(hay)
                var index = start
                while index + pin.count <= hay.count, let candidate = view.firstIndex(of: pin[0], from: index) {
                    guard candidate + pin.count <= hay.count else { return nil }
                    if memcmp(hay.baseAddress! + candidate, pin.baseAddress!, pin.count) == 0 { return candidate }
                    index = candidate + 1
                }
                return nil
            }
        }
    }
}
