extension TcpConnection {
    /// Forwards everything this connection receives to `destination`, with flow control: reading
    /// pauses while `destination`'s send buffer is full and resumes when it drains; when this
    /// connection closes, `destination` is closed too (after writing what it has queued).
    ///
    /// Pipe both ways for a proxy: `client.pipe(to: upstream); upstream.pipe(to: client)`.
    public func pipe(to destination: TcpConnection) {
        messageHandler = { [weak destination] _, data in destination?.send(data) }
        closeHandler = { [weak destination] _ in destination?.close() }
        destination.bufferFullHandler = { [weak self] _ in self?.pauseRecv() }
        destination.bufferDrainHandler = { [weak self] _ in self?.resumeRecv() }
    }
}
