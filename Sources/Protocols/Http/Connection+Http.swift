import WorkermanCore

extension Connection {
    /// Sends an HTTP response (`$connection->send($response)`).
    @discardableResult
    public func send(_ response: Response) -> SendResult { send(.object(response)) }

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
    /// Runs with each HTTP request: sets `onMessage` to call it with the decoded `Request`.
    ///
    /// ```swift
    /// let worker = Worker("http://0.0.0.0:8080")
    /// worker.onRequest = { connection, request in
    ///     connection.send("hello \(request.get("name") ?? "world")")
    /// }
    /// ```
    /// Other messages (none for an `http://` Worker) are ignored.
    public var onRequest: ((Connection, Request) -> Void)? {
        get { nil }
        set {
            guard let handler = newValue else {
                onMessage = nil
                return
            }
            onMessage = { connection, message in
                if let request = message.value(as: Request.self) { handler(connection, request) }
            }
        }
    }
}
