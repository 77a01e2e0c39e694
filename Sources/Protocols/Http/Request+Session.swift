import WorkermanCore

extension Request {
    /// The visitor's session (`$request->session()`), started on first use: see `Session`.
    /// A new session's `Set-Cookie` goes out with the response to this request once something is
    /// written to the session (a session only read stores nothing and sets no cookie).
    public var session: Session {
        if let started = startedSession { return started }
        let session = Session.start(cookie: cookie(settings.session.name), settings: settings.session)
        startedSession = session
        if session.isNew {
            session.announce = { [weak self] cookie in self?.announce(cookie) }
        }
        return session
    }

    /// Gives the session a new id, keeping its values (`$request->sessionRegenerateId()`): do it
    /// after a login so that an id known before it is worthless.
    public func regenerateSessionId() {
        announce(session.regenerate())
    }

    /// Makes the next response on the connection (this request's, unless earlier pipelined ones
    /// are still unanswered: the same client either way) carry `cookie`.
    private func announce(_ cookie: SetCookie) {
        (state.connection as? TcpConnection)?.protocolState(of: Http.self)?.sessionCookie = cookie
    }
}
