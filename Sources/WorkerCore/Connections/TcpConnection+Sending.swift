import Glibc

extension TcpConnection {
    /// The body of `send(_:raw:)`: encodes into the loop's scratch buffer (so a protocol's
    /// `encode` may look at this connection freely), then writes or queues the bytes.
    @inline(__always)
    func sendMessage(_ encode: (inout ByteBuffer) throws -> Void) -> SendResult {
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
        var scratch = loop.takeScratch()
        defer { loop.recycle(scratch) }
        do {
            try encode(&scratch)
        } catch {
            Log.write("connection \(id): cannot encode a message: \(error)")
            return .failed
        }
        if scratch.isEmpty { return .queued }
        guard state == .established, !isCorked, !isHandshaking else {
            sendQueue.append(copying: &scratch, loop)
            checkBufferFull()
            return .queued
        }
        if sendQueue.isEmpty {
            return writeDirectly(&scratch)
        }
        sendQueue.append(copying: &scratch, loop)
        if !isWaitingForWritable { flushQueue(afterWritable: false) }
        guard state == .established else { return .failed }
        if sendQueue.isEmpty { return .written }
        checkBufferFull()
        return .queued
    }

    /// Writes encoded bytes straight to the socket; what the kernel does not take is queued.
    private func writeDirectly(_ bytes: inout ByteBuffer) -> SendResult {
        let result: IOResult<Int>
        do {
            result = try bytes.withReadableBytes { try transmit($0) }
        } catch {
            ConnectionStatistics.sendFail += 1
            reportError(.sendFail, "client closed")
            destroy()
            return .failed
        }
        var written = 0
        if case .processed(let count) = result { written = count }
        bytesWritten += written
        if written == bytes.readableBytes { return .written }
        bytes.moveReaderIndex(forwardBy: written)
        sendQueue.append(copying: &bytes, loop)
        updateInterest()
        guard state != .closed else { return .failed }
        checkBufferFull()
        return .queued
    }

    /// Sends bytes on the socket, through the security layer when there is one.
    @inline(__always)
    func transmit(_ bytes: UnsafeRawBufferPointer) throws -> IOResult<Int> {
        guard let security else { return try Sys.send(fd, bytes) }
        return try security.write(bytes)
    }

    func encode(_ message: Message, raw: Bool, into buffer: inout ByteBuffer) throws {
        if raw || driver == nil {
            message.writeRaw(into: &buffer)
        } else {
            try driver.unsafelyUnwrapped.encode(message, on: self, into: &buffer)
        }
    }

    /// True while the kernel's buffer is full and the loop watches for it to take more.
    var isWaitingForWritable: Bool { loop.interest(fd).contains(.write) }

    /// At the limit: `onBufferFull`, and a protocol that applies back-pressure stops reading.
    @inline(__always)
    func checkBufferFull() {
        if sendQueue.byteCount >= maxSendBufferSize { bufferIsFull() }
    }

    private func bufferIsFull() {
        if !isHeldBack, driver?.appliesBackPressure == true {
            isHeldBack = true
            updateInterest()
        }
        bufferFullHandler?(self)
    }

    /// Writes queued bytes. When the queue empties after the kernel's buffer had been full
    /// (`afterWritable`), `onBufferDrain` runs; then a pending close completes.
    func flushQueue(afterWritable: Bool) {
        guard fd >= 0, !sendQueue.isEmpty else { return }
        let before = sendQueue.byteCount
        let done: Bool
        do {
            switch try sendQueue.flush(to: fd, through: security) {
            case .processed(let empty): done = empty
            case .wouldBlock: done = false
            }
        } catch {
            ConnectionStatistics.sendFail += 1
            destroy()
            return
        }
        bytesWritten += before - sendQueue.byteCount
        sendQueue.settle(loop)
        updateInterest()
        guard done, state != .closed else { return }
        if isHeldBack {
            isHeldBack = false
            readAgain()
        }
        if afterWritable { bufferDrainHandler?(self) }
        if state == .closing && sendQueue.isEmpty { destroy() }
    }
}
