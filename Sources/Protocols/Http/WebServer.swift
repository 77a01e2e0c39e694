import Glibc
import WorkermanCore

/// Workerman's `WebServer`: static files from a root directory per host name, with a handler for
/// everything else.
///
/// ```swift
/// let web = WebServer("http://0.0.0.0:8080")
/// web.addRoot("www.example.com", "/srv/www")      // the first root also serves unknown hosts
/// web.onRequest = { connection, request in connection.send("dynamic \(request.path)") }
/// Worker.runAll()
/// ```
/// GET and HEAD requests whose path names a file under the host's root get that file (a directory
/// gets its `index.html`), with `Last-Modified`, 304 and Range support, streamed from disk. Paths
/// that would leave the root (`..`, `%2e%2e`, a symlink pointing outside) get 403. Anything else goes
/// to `onRequest`, or gets a 404 page when there is none.
public final class WebServer {
    /// The Worker that listens; set `count`, `name` and the other Worker properties on it.
    public let worker: Worker
    /// Handles requests that no static file answers (the dynamic part of the site).
    public var onRequest: ((TcpConnection, Request) -> Void)?
    /// The file served for a directory.
    public var indexFile = "index.html"
    private var roots: [(host: String, directory: String)] = []

    /// A web server listening on `address` ("http://0.0.0.0:80").
    public init(_ address: String) {
        worker = Worker(address)
        worker.onRequest = { [unowned self] connection, request in handle(connection, request) }
    }

    /// Serves `host`'s files from `directory` (`$webserver->addRoot('www.example.com', '/path/Web')`).
    /// Requests for a host with no root of its own use the first root added.
    public func addRoot(_ host: String, _ directory: String) {
        let resolved = realpath(directory, nil).map { pointer -> String in
            defer { free(pointer) }
            return String(cString: pointer)
        }
        roots.append((HttpText.lowercased(host), resolved ?? directory))
    }

    /// The processes to run (the Worker's `count`).
    public var count: Int {
        get { worker.count }
        set { worker.count = newValue }
    }

    /// Serves a static file, a 403, or passes the request to `onRequest` (else a 404).
    func handle(_ connection: TcpConnection, _ request: Request) {
        if request.method == "GET" || request.method == "HEAD", let root = root(for: request.hostName) {
            switch StaticPath.resolve(request.path, under: root, index: indexFile) {
            case .file(let path):
                connection.send(StaticFile.response(path: path, for: request))
                return
            case .forbidden:
                connection.send(Response(403, body: "<h1>403 Forbidden</h1>"))
                return
            case .notFound:
                break
            }
        }
        if let onRequest {
            onRequest(connection, request)
        } else {
            connection.send(Response(404, body: "<h1>404 Not Found</h1>"))
        }
    }

    private func root(for host: String?) -> String? {
        let name = host.map { HttpText.lowercased($0) }
        return roots.first { $0.host == name }?.directory ?? roots.first?.directory
    }
}

/// Maps a request path onto a file under a root directory, refusing every way out of the root.
enum StaticPath {
    /// Where a request path leads.
    enum Resolution: Equatable {
        case file(String)
        case forbidden
        case notFound
    }

    /// The file `path` names under `root` (an absolute, resolved directory): percent-decoded,
    /// "." and ".." applied (a ".." above the root is forbidden), then symlinks resolved and the result
    /// checked to be inside the root. A directory resolves to its `index` file.
    static func resolve(_ path: String, under root: String, index: String) -> Resolution {
        let decoded = PercentEncoding.decodeBytes(path.utf8)
        guard !decoded.contains(0), !decoded.contains(UInt8(ascii: "\\")) else { return .forbidden }
        var segments: [Substring] = []
        for segment in String(decoding: decoded, as: UTF8.self).split(separator: "/") {
            if segment == "." { continue }
            if segment == ".." {
                guard !segments.isEmpty else { return .forbidden }
                segments.removeLast()
                continue
            }
            segments.append(segment)
        }
        let inside = root.hasSuffix("/") ? root : root + "/"
        var info = stat()
        var real: String
        if isRealPath(root), let walked = walk(segments.lazy.map(String.init), from: root, info: &info) {
            real = walked  // no symlink on the way: already the real path, inside the root
        } else {
            guard let resolved = realPath(([root] + segments.map(String.init)).joined(separator: "/")) else {
                return .notFound
            }
            guard resolved == root || resolved.hasPrefix(inside) else { return .forbidden }
            real = resolved
            guard stat(real, &info) == 0 else { return .notFound }
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            if let walked = walk([index], from: real, info: &info) {  // `real` is a real path
                real = walked
            } else {
                guard let indexReal = realPath(real + "/" + index) else { return .notFound }
                guard indexReal.hasPrefix(inside) else { return .forbidden }
                real = indexReal
                guard stat(real, &info) == 0 else { return .notFound }
            }
        }
        return (info.st_mode & S_IFMT) == S_IFREG ? .file(real) : .notFound
    }

    /// `base` (a real path: no symlinks, ".", ".." or "//") followed by `names` when none of them is a
    /// symlink, ".", ".." or empty or holds a "/": then that path is its own real path, found with one
    /// `lstat` per name instead of `realpath`'s walk of every component. `info` is the last `lstat`.
    /// Nil when `realpath` is needed: a name is one of those, is a symlink, or is missing (`realpath`
    /// then says why).
    private static func walk(_ names: some Sequence<String>, from base: String, info: inout stat) -> String? {
        var path = base
        var current = stat()
        guard lstat(path, &current) == 0 else { return nil }
        for name in names {
            guard !name.isEmpty, name != ".", name != "..", !name.utf8.contains(UInt8(ascii: "/")) else { return nil }
            path += path.hasSuffix("/") ? name : "/" + name
            guard lstat(path, &current) == 0, (current.st_mode & S_IFMT) != S_IFLNK else { return nil }
        }
        info = current
        return path
    }

    /// Root directories already checked to be their own real path (true) or not (false).
    nonisolated(unsafe) private static var checkedRoots: [String: Bool] = [:]  // one thread per process

    /// True when `realpath(path) == path`: asked once per root, then remembered (roots do not change;
    /// paths below a root are walked by `walk`).
    private static func isRealPath(_ path: String) -> Bool {
        if let known = checkedRoots[path] { return known }
        let real = realPath(path) == path
        if checkedRoots.count < 64 { checkedRoots[path] = real }
        return real
    }

    private static func realPath(_ path: String) -> String? {
        guard let pointer = realpath(path, nil) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }
}
