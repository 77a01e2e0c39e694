/// A visitor's session: string values kept between requests, found again by the session cookie
/// (Workerman's `$request->session()`).
///
/// ```swift
/// worker.onRequest = { connection, request in
///     let session = request.session
///     let visits = Int(session.get("visits") ?? "0")! + 1
///     session.set("visits", "\(visits)")
///     connection.send("visit \(visits)")
/// }
/// ```
/// The first use of `request.session` reads the cookie named `worker.http.session.name` ("PHPSID",
/// as Workerman); a request without one, or with an id the handler does not know (expired, or made
/// up by the client: no session fixation), gets a new random id. A new session exists only once
/// something is written to it: then its `Set-Cookie` goes with the next response and it is stored,
/// so a page that only reads the session (is anyone logged in?) stores nothing and sets no cookie
/// for clients that come without one.
/// Changes are written through the settings' `handler` when the session is released (the request
/// is done with) or by `save()`; an unchanged session is only touched, so it lives `lifetime` more
/// seconds.
public final class Session {
    /// The settings it was started with (its Worker's `http.session`).
    let settings: SessionSettings
    /// The session id (the cookie's value).
    public private(set) var id: String
    private var values: [String: String]
    private var changed = false {
        didSet { if changed { announceIfNew() } }
    }
    /// The cookie of a new session, until something is written to it.
    private var unannouncedCookie: SetCookie?
    /// Sends a cookie with the next response (set by the request that started the session).
    var announce: ((SetCookie) -> Void)?

    init(id: String, values: [String: String], settings: SessionSettings, newCookie: SetCookie? = nil) {
        self.id = id
        self.values = values
        self.settings = settings
        unannouncedCookie = newCookie
    }

    /// True for a session made for this request that nothing has been written to yet: it has no
    /// cookie on the client and nothing in the store.
    public var isNew: Bool { unannouncedCookie != nil }

    private func announceIfNew() {
        guard let cookie = unannouncedCookie else { return }
        unannouncedCookie = nil
        announce?(cookie)
    }

    /// The value of `name` (`$session->get($name)`), or nil.
    public func get(_ name: String) -> String? { values[name] }
    /// Sets `name` to `value` (`$session->set($name, $value)`).
    public func set(_ name: String, _ value: String) {
        values[name] = value
        changed = true
    }
    /// True when `name` has a value (`$session->has($name)`).
    public func has(_ name: String) -> Bool { values[name] != nil }
    /// Removes `name` and returns its value (`$session->pull($name)`).
    @discardableResult
    public func pull(_ name: String) -> String? {
        defer { delete(name) }
        return values[name]
    }
    /// Removes `name` (`$session->delete($name)`).
    public func delete(_ name: String) {
        if values.removeValue(forKey: name) != nil { changed = true }
    }
    /// Removes every value (`$session->flush()`).
    public func flush() {
        if !values.isEmpty { changed = true }
        values = [:]
    }
    /// Every value (`$session->all()`).
    public var all: [String: String] { values }

    /// Writes the values now if they changed, else marks the session used (called on release too).
    public func save() {
        if changed {
            settings.handler.write(id, SessionCodec.encode(values))
            changed = false
        } else if !values.isEmpty {
            settings.handler.touch(id)
        }
    }

    /// Moves the values to a new id (after a login, against fixation) and removes the old one;
    /// returns the cookie that announces it.
    func regenerate() -> SetCookie {
        unannouncedCookie = nil  // the returned cookie announces it
        settings.handler.destroy(id)
        id = SessionId.make()
        changed = true
        return settings.cookie(for: id)
    }

    /// The session named by `cookie` when the handler knows it; else a new one, whose cookie is
    /// announced when something is written to it. Sometimes collects expired sessions first
    /// (`gcProbability`).
    static func start(cookie: String?, settings: SessionSettings) -> Session {
        let chance = settings.gcProbability
        if chance.numerator > 0, chance.denominator > 0, Int.random(in: 0..<chance.denominator) < chance.numerator {
            settings.handler.collectGarbage(maxLifetime: settings.lifetime)
        }
        if let cookie, SessionId.isValid(cookie),
            let stored = settings.handler.read(cookie, maxLifetime: settings.lifetime)
        {
            return Session(id: cookie, values: SessionCodec.decode(stored), settings: settings)
        }
        let id = SessionId.make()
        return Session(id: id, values: [:], settings: settings, newCookie: settings.cookie(for: id))
    }

    deinit { save() }
}

/// How a Worker's sessions are kept and announced (`worker.http.session`).
public struct SessionSettings {
    /// The cookie carrying the session id (default "PHPSID", as Workerman).
    public var name = "PHPSID"
    /// Seconds a session lives after its last use (default 1440, PHP's `gc_maxlifetime`).
    public var lifetime = 1440
    /// Where sessions are stored (default: a `FileSessionHandler` in its default directory).
    public var handler: SessionHandler = FileSessionHandler()
    /// The chance that starting a session first collects expired ones: (1, 20000) is 1 in 20,000, as Workerman.
    public var gcProbability = (numerator: 1, denominator: 20000)
    /// The session cookie's Max-Age in seconds; 0 (the default) makes a browser-session cookie.
    public var cookieLifetime = 0
    /// The session cookie's Path (default "/").
    public var cookiePath = "/"
    /// The session cookie's Domain (default none).
    public var cookieDomain: String?
    /// Whether the session cookie is sent over https only (default false).
    public var cookieSecure = false
    /// Whether scripts are denied the session cookie (default true).
    public var cookieHttpOnly = true
    /// The session cookie's SameSite (default Lax).
    public var cookieSameSite: SetCookie.SameSite? = .lax

    /// The defaults.
    public init() {}

    /// The `Set-Cookie` announcing `id`, with these attributes.
    func cookie(for id: String) -> SetCookie {
        SetCookie(
            name, id, maxAge: cookieLifetime > 0 ? cookieLifetime : nil, path: cookiePath, domain: cookieDomain,
            secure: cookieSecure, httpOnly: cookieHttpOnly, sameSite: cookieSameSite)
    }
}

/// Session ids: 128 random bits as 32 hex digits.
enum SessionId {
    /// A new random id.
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for _ in 0..<2 {
            let word = generator.next()
            for shift in stride(from: 60, through: 0, by: -4) { text.append(digits[Int((word >> UInt64(shift)) & 15)]) }
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// True for 16 to 128 letters, digits, "-" or ",": safe in file names and keys.
    static func isValid(_ id: String) -> Bool {
        (16...128).contains(id.utf8.count)
            && id.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ",")
            }
    }
}
