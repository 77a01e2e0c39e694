import Foundation
import WorkermanCore

/// Runs client code on a thread of its own while the test's thread runs the server's event loop.
public final class Background: @unchecked Sendable {
    private let lock = NSLock()
    private var finished = false
    private var failure: Error?

    /// Starts `body` on a new thread.
    public init(_ body: @escaping @Sendable () throws -> Void) {
        let thread = Thread { [self] in
            var caught: Error?
            do { try body() } catch { caught = error }
            lock.lock()
            failure = caught
            finished = true
            lock.unlock()
            EventLoop.current.wakeUp()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// True once `body` has returned or thrown.
    public var isFinished: Bool {
        lock.lock()
        defer { lock.unlock() }
        return finished
    }

    /// What `body` threw, if anything.
    public var error: Error? {
        lock.lock()
        defer { lock.unlock() }
        return failure
    }
}

/// A value shared between a client thread and the loop thread.
public final class Shared<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    public init(_ value: Value) { stored = value }

    public var value: Value {
        get {
            lock.lock()
            defer { lock.unlock() }
            return stored
        }
        set {
            lock.lock()
            stored = newValue
            lock.unlock()
        }
    }

    public func modify(_ body: (inout Value) -> Void) {
        lock.lock()
        body(&stored)
        lock.unlock()
    }
}

/// Runs the process's event loop until `condition` holds or `timeout` seconds pass; returns
/// whether the condition held.
@discardableResult
public func spinLoop(timeout: Double = 10, until condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while !condition() {
        if Date() > deadline { return false }
        EventLoop.current.runOnce(maxWait: 0.02)
    }
    return true
}

/// Runs the loop while `client` works on its thread; returns false on timeout and rethrows what
/// the client threw.
public func runWithClient(timeout: Double = 20, _ client: @escaping @Sendable () throws -> Void) throws -> Bool {
    let background = Background(client)
    let done = spinLoop(timeout: timeout) { background.isFinished }
    if let error = background.error { throw error }
    return done
}

/// Throws when `condition` is false: assertions for client threads, where XCTest's cannot run.
public func check(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw BlockingClient.Failure(message()) }
}

/// Throws when `actual` differs from `expected`.
public func checkEqual<T: Equatable>(_ actual: T, _ expected: T, _ what: String = "value") throws {
    if actual != expected { throw BlockingClient.Failure("\(what): expected \(expected), got \(actual)") }
}
