import Glibc

extension Worker {
    /// Opens the Worker's listener in this process and starts accepting. Call it for a Worker made
    /// inside a running process (in `onWorkerStart`, for an extra port that shares this process's
    /// connections). Throws with a one-line reason: address in use, permission denied, bad address.
    public func listen() throws(WorkerError) {
        if let addressError { throw WorkerError(addressError.description) }
        try prepareSecurity()
        guard address != nil else { return }
        if listener == nil {
            let (fd, _) = try ListenSocket.open(for: self)
            adoptListeningSocket(fd)
            ownsSocketFile = address?.path != nil
        }
        listener?.resumeAccept()
    }

    /// Checks the TLS settings of an `ssl` Worker and loads its certificate, so that a bad path or a
    /// key that does not match fails `start` in one line; and that a `udp` Worker's handler is where
    /// its datagrams go.
    func prepareSecurity() throws(WorkerError) {
        if transport == "udp" && onDatagram == nil && onMessage != nil {
            throw WorkerError(
                "\(name): a udp Worker hands its datagrams to onDatagram (a UdpConnection), not onMessage")
        }
        if transport == "ssl" && tls == nil {
            throw WorkerError("\(name): transport ssl needs a TLS context (worker.tls = TLSServerContext(...))")
        }
        do {
            try tls?.provider().prepare()
        } catch {
            throw WorkerError("\(name): \(error)")
        }
    }

    /// Takes an already bound and listening socket (inherited from the master) as this Worker's listener.
    func adoptListeningSocket(_ fd: Int32) {
        listener = transport == "udp" ? DatagramListener(fd: fd, worker: self) : StreamListener(fd: fd, worker: self)
    }

    /// Stops accepting and closes the listening socket; a unix socket's file is removed when this
    /// process created it.
    public func unlisten() {
        guard let listener else { return }
        listener.pauseAccept()
        Sys.close(listener.fd)
        self.listener = nil
        if ownsSocketFile {
            removeUnixSocketFile()
            ownsSocketFile = false
        }
    }

    /// Stops accepting new connections but keeps the socket (a graceful stop).
    public func pauseAccept() { listener?.pauseAccept() }

    /// Accepts again after `pauseAccept()`.
    public func resumeAccept() { listener?.resumeAccept() }

    /// Removes the unix socket file this Worker listens on, if any.
    func removeUnixSocketFile() {
        if let path = address?.path { unlink(path) }
    }

    /// Wraps an accepted socket in a connection with this Worker's callbacks and announces it.
    func adopt(socket: Int32, remote: SocketAddress) {
        if let limit = maxConnections, connections.count >= limit {
            Log.writeLimited(
                "connection limit", "worker[\(name)] holds \(limit) connections (maxConnections): refused \(remote)")
            Sys.close(socket)
            return
        }
        let connection = TcpConnection(fd: socket, remote: remote, protocol: self.protocol, worker: self)
        if let tls {
            do {
                connection.security = try tls.provider().makeServerSession(fd: socket)
                connection.transport = "ssl"
            } catch {
                Log.write("\(name): cannot start TLS for \(remote): \(error)")
                Sys.close(socket)
                return
            }
        }
        connection.handlers = connectionHandlers
        connections[connection.id] = connection
        watchDeadlines(of: connection)
        connection.start(onConnect: onConnect)
    }
}
