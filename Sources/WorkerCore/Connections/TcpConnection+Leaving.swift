extension TcpConnection {
    /// The process holding this connection is leaving: its protocol may end the connection at the
    /// next clean point instead of having it cut when the drain's deadline passes.
    func workerIsLeaving() {
        self.protocol?.workerLeaving(self)
    }
}
