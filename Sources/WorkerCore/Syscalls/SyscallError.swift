import Glibc

/// A failed system call: which call, and the errno it left.
public struct SyscallError: Error, CustomStringConvertible, Equatable {
    /// The name of the call that failed, e.g. "bind".
    public let function: String
    /// The errno value.
    public let errno: Int32

    /// Describes `function` failing with `errno`.
    public init(_ function: String, errno: Int32) {
        self.function = function
        self.errno = errno
    }

    /// The system's words for the errno, e.g. "Address already in use".
    public var reason: String { String(cString: strerror(errno)) }

    /// "bind: Address already in use".
    public var description: String { "\(function): \(reason)" }
}

/// The outcome of a nonblocking call: done (with its value), or it would have blocked.
package enum IOResult<Value> {
    /// The call completed with this value.
    case processed(Value)
    /// The call would have blocked: try again when the descriptor is ready.
    case wouldBlock
}

/// Runs one system call: retries EINTR, reports EAGAIN as `.wouldBlock` when `blocking` is false,
/// and throws `SyscallError` for anything else. EBADF and EFAULT are bugs in this program, not
/// conditions to handle, so they stop it.
@inline(__always)
func syscall<T: FixedWidthInteger>(
    _ function: String, blocking: Bool = true, _ body: () -> T
) throws(SyscallError) -> IOResult<T> {
    while true {
        let result = body()
        if result >= 0 { return .processed(result) }
        let code = Glibc.errno
        switch code {
        case EINTR: continue
        case EAGAIN where !blocking, EWOULDBLOCK where !blocking: return .wouldBlock
        case EBADF, EFAULT: preconditionFailure("\(function) was handed a bad descriptor or pointer (errno \(code))")
        default: throw SyscallError(function, errno: code)
        }
    }
}

/// `syscall` for calls that never return EAGAIN: yields the value itself.
@inline(__always)
func syscallValue<T: FixedWidthInteger>(_ function: String, _ body: () -> T) throws(SyscallError) -> T {
    switch try syscall(function, blocking: true, body) {
    case .processed(let value): return value
    case .wouldBlock: preconditionFailure("\(function) reported EAGAIN on a blocking call")
    }
}
