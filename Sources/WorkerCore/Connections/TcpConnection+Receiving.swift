import Glibc

extension TcpConnection {
    /// Reads what arrived and delivers every complete packet.
    ///
    /// Bytes are read into the loop's shared buffer and parsed there; only the tail that does not
    /// form a complete packet is copied into the connection's own buffer. A packet too large for
    /// the shared buffer is read straight into the connection's buffer.
    func handleReadable() {
        guard state == .established, isReading else { return }
        if isHandshaking {
            continueHandshake()
            return
        }
        defer {
            accountReceiveBuffer()
            rereadBufferedSecureInput()
        }
        if pendingPacketLength > 0, pendingPacketLength - receiveBufferSize > loop.readBuffer.count {
            readIntoOwnBuffer(upTo: pendingPacketLength - receiveBufferSize)
            return
        }
        let shared = loop.readBuffer
        guard case .processed(let count) = receive(into: shared) else { return }
        guard count > 0 else {
            destroy()  // end of file
            return
        }
        bytesRead += count
        let received = ByteView(UnsafeRawBufferPointer(rebasing: shared[0..<count]))
        guard driver != nil else {
            messageHandler?(self, .binary(received.bytes))
            return
        }
        if receiveBuffer == nil {
            let consumed = parsePackets(received)
            if consumed < count && state == .established {
                var rest = ByteBuffer(capacity: max(count - consumed, min(pendingPacketLength, maxPackageSize)))
                rest.writeBytes(received.slice(consumed..<count).buffer)
                receiveBuffer = rest
            }
        } else {
            receiveBuffer!.writeBytes(received.buffer)
            parseReceiveBuffer()
        }
    }

    private func readIntoOwnBuffer(upTo wanted: Int) {
        var buffer = receiveBuffer ?? ByteBuffer(capacity: wanted)
        receiveBuffer = nil
        var ended = false
        let count = buffer.writeWithUnsafeMutableBytes(minimumWritable: min(wanted, 4 * 1024 * 1024)) { space in
            switch receive(into: UnsafeMutableRawBufferPointer(rebasing: space.prefix(wanted))) {
            case .processed(let n) where n > 0: return n
            case .processed: ended = true
            case .wouldBlock, nil: break
            }
            return 0
        }
        guard state == .established else { return }  // the read failed and destroyed the connection
        receiveBuffer = buffer
        if ended {
            destroy()
            return
        }
        bytesRead += count
        if count > 0 { parseReceiveBuffer() }
    }

    /// Reads from the socket, through the security layer when there is one. nil when the read
    /// failed (the peer reset, a TLS error): the connection has been destroyed.
    @inline(__always)
    func receive(into buffer: UnsafeMutableRawBufferPointer) -> IOResult<Int>? {
        do {
            guard let security else { return try Sys.read(fd, buffer) }
            let result = try security.read(into: buffer)
            if case .wouldBlock = result, security.wantsWrite != securityWantsWrite {
                securityWantsWrite = security.wantsWrite
                updateInterest()
            }
            return result
        } catch {
            destroy()  // ECONNRESET and the like: the peer is gone
            return nil
        }
    }

    /// TLS keeps decrypted records the socket no longer signals: read them on the next turn.
    private func rereadBufferedSecureInput() {
        guard let security, security.hasBufferedInput, state == .established, isReading else { return }
        loop.execute { [weak self] in self?.handleReadable() }
    }

    /// Moves the TLS handshake on; when it completes the connection is announced (`onConnect`) and
    /// what was sent meanwhile goes out. A failed handshake is logged in one line and closed.
    func continueHandshake() {
        guard let security else { return }
        do {
            guard try security.handshake() else {
                securityWantsWrite = security.wantsWrite
                updateInterest()
                return
            }
        } catch {
            handshakeFailed("\(error)")
            return
        }
        isHandshaking = false
        securityWantsWrite = false
        updateInterest()
        handshakeCompleted()
    }

    /// Delivers the complete packets held in the connection's own buffer.
    func parseReceiveBuffer() {
        guard var buffer = receiveBuffer, state == .established, isReading else { return }
        receiveBuffer = nil
        let consumed = buffer.withReadableBytes { parsePackets(ByteView($0)) }
        guard state == .established else { return }
        buffer.moveReaderIndex(forwardBy: consumed)
        if buffer.readerIndex > buffer.readableBytes { buffer.compact() }
        if !buffer.isEmpty {
            if receiveBuffer != nil { buffer.writeBuffer(receiveBuffer!) }
            receiveBuffer = buffer
        }
    }

    /// Cuts packets from `bytes` with the protocol, decodes each and delivers it; returns the number
    /// of bytes consumed. Stops early when the connection pauses or closes; when `onMessage` changes
    /// the protocol, the rest goes to the new one.
    func parsePackets(_ bytes: ByteView) -> Int {
        var consumed = 0
        while let driver, consumed < bytes.count, state == .established, isReading {
            consumed += driver.parse(bytes.dropping(first: consumed), on: self)
            if self.driver === driver { break }
        }
        return consumed
    }

    /// Ends a batch: writes the replies queued while it ran, with one system call.
    @usableFromInline func uncork() {
        isCorked = false
        guard !sendQueue.isEmpty else { return }
        if fd >= 0 && !isWaitingForWritable {
            flushQueue(afterWritable: false)
        } else {
            sendQueue.settle(loop)
        }
    }
}
