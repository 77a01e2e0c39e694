import Foundation
import XCTest

/// Programs outside Swift that some tests talk to (Python's h11 and websockets, installed by
/// `.ci/deps/*.sh`). A developer without them gets a skip that says what to install; CI
/// (`CI=true`), which installs every peer, fails instead, so that a missing peer never passes as a skip.
public enum OutsidePeer {
    /// The error a test fails with under CI when a peer is missing.
    public struct Missing: Error, CustomStringConvertible {
        /// What is missing and how to install it.
        public let description: String
    }

    /// True when `python3 -c "import <module>"` succeeds.
    public static func hasPythonModule(_ module: String) -> Bool {
        ((try? ServerProcess.run("/usr/bin/env", ["python3", "-c", "import \(module)"]))?.status ?? 1) == 0
    }

    /// Returns when `python3` can import `module`; otherwise skips the test (fails it under CI) with
    /// "Python <module> is not installed (<install>)".
    public static func requirePythonModule(_ module: String, install: String) throws {
        try require(hasPythonModule(module), "Python \(module) is not installed (\(install))")
    }

    /// Returns when `available`; otherwise throws `XCTSkip(reason)`, or `Missing(reason)` when the
    /// environment has `CI=true`.
    public static func require(
        _ available: Bool, _ reason: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        if available { return }
        if environment["CI"] == "true" { throw Missing(description: "\(reason); CI must have it") }
        throw XCTSkip(reason)
    }
}
