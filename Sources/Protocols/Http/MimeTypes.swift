/// Content types by file extension, for static files (the common subset of nginx's mime.types).
public enum MimeTypes {
    /// Extension (lower case, no dot) → content type; add to it before serving.
    nonisolated(unsafe) public static var byExtension: [String: String] = [  // one thread per process
        "html": "text/html;charset=utf-8", "htm": "text/html;charset=utf-8", "css": "text/css;charset=utf-8",
        "js": "text/javascript;charset=utf-8", "mjs": "text/javascript;charset=utf-8",
        "json": "application/json", "xml": "application/xml", "txt": "text/plain;charset=utf-8",
        "md": "text/markdown;charset=utf-8", "csv": "text/csv;charset=utf-8",
        "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp",
        "svg": "image/svg+xml", "ico": "image/x-icon", "avif": "image/avif", "bmp": "image/bmp",
        "woff": "font/woff", "woff2": "font/woff2", "ttf": "font/ttf", "otf": "font/otf",
        "mp3": "audio/mpeg", "ogg": "audio/ogg", "wav": "audio/wav", "mp4": "video/mp4", "webm": "video/webm",
        "pdf": "application/pdf", "zip": "application/zip", "gz": "application/gzip", "tar": "application/x-tar",
        "wasm": "application/wasm", "bin": "application/octet-stream", "iso": "application/octet-stream",
    ]

    /// The content type of `path` by its extension; "application/octet-stream" when unknown.
    public static func type(forPath path: String) -> String {
        let name = path.split(separator: "/").last ?? ""
        guard let dot = name.lastIndex(of: ".") else { return "application/octet-stream" }
        return byExtension[HttpText.lowercased(name[name.index(after: dot)...])] ?? "application/octet-stream"
    }
}
