import WorkermanCore

extension Connection {
    /// Sends an HTTP response (`$connection->send($response)`).
    @discardableResult
    public func send(_ response: Response) -> SendResult {
        // The typed path: encoded with the connection's HTTP state, never boxed in a Message.
        if type(of: self) == TcpConnection.self || self is TcpConnection {  // the exact type first: no cast call
            // Borrowed, not retained: `self` is alive for the whole call.
            let tcp = unsafeDowncast(self, to: TcpConnection.self)
            if let result = tcp.send(
                through: Http.self, { state, buffer in ResponseEncoder.write(response, state, tcp, into: &buffer) })
            {
                return result
            }
        }
        return send(.object(response))
    }

    /// Sends one chunk of a chunked response; `Chunk("")` ends it.
    @discardableResult
    public func send(_ chunk: Chunk) -> SendResult { send(.object(chunk)) }

    /// Sends one event of a `text/event-stream` response.
    @discardableResult
    public func send(_ event: ServerSentEvent) -> SendResult { send(.object(event)) }

    /// Sends `response`, then closes the connection once it is written (`$connection->close($response)`).
    public func close(_ response: Response) { close(.object(response)) }
}

extension Worker {
    /// Runs with each HTTP request, typed (Workerman's `onMessage` with a `Request`): the same as
    /// `worker.http.onRequest`. When it is nil, `onMessage` gets `.object(Request)` instead.
    ///
    /// ```swift
    /// let worker = Worker("http://0.0.0.0:8080")
    /// worker.onRequest = { connection, request in
    ///     connection.send("hello \(request.get("name") ?? "world")")
    /// }
    /// ```
    public var onRequest: ((TcpConnection, Request) -> Void)? {
        get { http.onRequest }
        set { http.onRequest = newValue }
    }
}
