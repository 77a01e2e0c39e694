import CWorkermanEpoll
import Glibc

/// The clock timers run on: CLOCK_MONOTONIC in nanoseconds, unaffected by changes of the wall clock.
public enum MonotonicClock {
    /// Nanoseconds since an arbitrary fixed point (the system's boot, on Linux).
    @inline(__always)
    public static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }

    /// Converts seconds (fractional, as `Timer.add` takes them) to nanoseconds; negatives become 0.
    @inline(__always)
    public static func nanoseconds(fromSeconds seconds: Double) -> UInt64 {
        guard seconds > 0, seconds.isFinite else { return 0 }
        return UInt64(min(seconds, 1e9) * 1e9)
    }
}
