/// The callbacks of a stream connection, each handing the connection as its own kind: an
/// `AsyncTcpConnection`'s `onClose` receives an `AsyncTcpConnection` (so it can `reconnect` without
/// a cast), an accepted connection's `onMessage` a `TcpConnection` (so it can be stored next to the
/// ones `onConnect` saw).
///
/// ```swift
/// let upstream = try AsyncTcpConnection("text://127.0.0.1:5678")
/// upstream.onMessage = { connection, data in print(data) }
/// upstream.onClose = { connection in connection.reconnect(after: 1) }
/// ```
/// Every `TcpConnection` conforms; there is nothing to implement.
public protocol ConnectionCallbacks: TcpConnection {}

extension TcpConnection: ConnectionCallbacks {}

extension ConnectionCallbacks {
    /// Called with each decoded packet; defaults to the Worker's `onMessage`.
    public var onMessage: ((Self, Message) -> Void)? {
        get { messageHandler.map { handler in { handler($0, $1) } } }
        set { messageHandler = newValue.map { handler in { handler(unsafeDowncast($0, to: Self.self), $1) } } }
    }

    /// Called when the connection closes, exactly once per connection, however it closed.
    public var onClose: ((Self) -> Void)? {
        get { closeHandler.map { handler in { handler($0) } } }
        set { closeHandler = newValue.map { handler in { handler(unsafeDowncast($0, to: Self.self)) } } }
    }

    /// Called when the send buffer reaches `maxSendBufferSize`.
    public var onBufferFull: ((Self) -> Void)? {
        get { bufferFullHandler.map { handler in { handler($0) } } }
        set { bufferFullHandler = newValue.map { handler in { handler(unsafeDowncast($0, to: Self.self)) } } }
    }

    /// Called when the send buffer has been written out completely.
    public var onBufferDrain: ((Self) -> Void)? {
        get { bufferDrainHandler.map { handler in { handler($0) } } }
        set { bufferDrainHandler = newValue.map { handler in { handler(unsafeDowncast($0, to: Self.self)) } } }
    }

    /// Called on a failed send or connect, with Workerman's code and a message.
    public var onError: ((Self, ConnectionErrorCode, String) -> Void)? {
        get { errorHandler.map { handler in { handler($0, $1, $2) } } }
        set { errorHandler = newValue.map { handler in { handler(unsafeDowncast($0, to: Self.self), $1, $2) } } }
    }
}

extension ConnectionCallbacks where Self: AsyncTcpConnection {
    /// Called once the connection is made (after the TLS handshake for `ssl`).
    public var onConnect: ((Self) -> Void)? {
        get { connectHandler.map { handler in { handler($0) } } }
        set { connectHandler = newValue.map { handler in { handler(unsafeDowncast($0, to: Self.self)) } } }
    }
}
