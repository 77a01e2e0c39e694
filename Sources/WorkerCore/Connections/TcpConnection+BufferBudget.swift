extension TcpConnection {
    /// Brings the Worker's count of buffered partial-packet bytes up to date with this connection's
    /// receive buffer; over the Worker's `maxBufferedBytes`, closes the connection holding the
    /// largest partial packet (with a log line) until the Worker is under it again.
    @inline(__always)
    func accountReceiveBuffer() {
        let size = receiveBufferSize
        guard size != accountedReceiveBytes else { return }
        accountReceiveBufferChange(size)
    }

    private func accountReceiveBufferChange(_ size: Int) {
        let delta = size - accountedReceiveBytes
        accountedReceiveBytes = size
        guard let worker else { return }  // outgoing connections belong to no Worker's budget
        worker.bufferedBytes += delta
        guard delta > 0 else { return }
        while worker.bufferedBytes > worker.maxBufferedBytes,
            let largest = worker.connections.values.max(by: { $0.receiveBufferSize < $1.receiveBufferSize }),
            largest.receiveBufferSize > 0
        {
            largest.fail(
                "worker[\(worker.name)] buffers \(worker.bufferedBytes) bytes of partial packets, over its "
                    + "maxBufferedBytes (\(worker.maxBufferedBytes)): closing the connection with the largest "
                    + "(\(largest.receiveBufferSize) bytes)")
        }
    }
}
