import Glibc

extension TcpConnection {
    /// The body of `send(_:raw:)`.
    func sendMessage(_ message: Message, raw: Bool) -> SendResult {
        switch state {
        case .closing, .closed: return .failed
        case .initial, .connecting, .established: break
        }
        if !sendQueue.isEmpty || state != .established {
            if sendQueue.byteCount >= maxSendBufferSize {
                ConnectionStatistics.sendFail += 1
                reportError(.sendFail, "send buffer full and drop package")
                return .failed
            }
        }
        if state == .established && sendQueue.isEmpty && !isCorked {
            return writeDirectly(message, raw: raw)
        }
        do {
            _ = try sendQueue.append(sizeHint: message.sizeHint) { try encode(message, raw: raw, into: &$0) }
        } catch {
            Log.write("connection \(id): cannot encode a message: \(error)")
            return .failed
        }
        if state == .established && !isCorked { updateInterest() }
        checkBufferFull()
        return .queued
    }

    /// Encodes into the loop's scratch buffer and writes it straight to the socket.
    private func writeDirectly(_ message: Message, raw: Bool) -> SendResult {
        var scratch = loop.encodeScratch.take() ?? ByteBuffer(capacity: 16 * 1024)
        defer {
            if scratch.capacity <= 1024 * 1024 {
                scratch.clear()
                loop.encodeScratch = scratch
            }
        }
        do {
            try encode(message, raw: raw, into: &scratch)
        } catch {
            Log.write("connection \(id): cannot encode a message: \(error)")
            return .failed
        }
        if scratch.isEmpty { return .queued }
        let result: IOResult<Int>
        do {
            result = try scratch.withReadableBytes { bytes throws(SyscallError) in try Sys.send(fd, bytes) }
        } catch {
            ConnectionStatistics.sendFail += 1
            reportError(.sendFail, "client closed")
            destroy()
            return .failed
        }
        var written = 0
        if case .processed(let n) = result { written = n }
        bytesWritten += written
        if written == scratch.readableBytes { return .written }
        scratch.moveReaderIndex(forwardBy: written)
        if scratch.readableBytes > SendQueue.coalesceLimit {
            sendQueue.append(scratch)  // hand the storage over instead of copying a large remainder
            scratch = ByteBuffer(capacity: 16 * 1024)
        } else {
            _ = sendQueue.append(sizeHint: scratch.readableBytes) { $0.writeBuffer(scratch) }
        }
        updateInterest()
        checkBufferFull()
        return .queued
    }

    func encode(_ message: Message, raw: Bool, into buffer: inout ByteBuffer) throws {
        if raw || self.protocol == nil {
            message.writeRaw(into: &buffer)
        } else {
            try self.protocol!.encode(message, connection: self, into: &buffer)
        }
    }

    func checkBufferFull() {
        if sendQueue.byteCount >= maxSendBufferSize { onBufferFull?(self) }
    }

    /// Writes queued bytes; when the queue empties: `onBufferDrain`, and the pending close if any.
    func flushQueue() {
        guard fd >= 0, !sendQueue.isEmpty else { return }
        let before = sendQueue.byteCount
        let done: Bool
        do {
            switch try sendQueue.flush(to: fd) {
            case .processed(let empty): done = empty
            case .wouldBlock: done = false
            }
        } catch {
            ConnectionStatistics.sendFail += 1
            destroy()
            return
        }
        bytesWritten += before - sendQueue.byteCount
        updateInterest()
        guard done else { return }
        onBufferDrain?(self)
        if state == .closing && sendQueue.isEmpty { destroy() }
    }
}
