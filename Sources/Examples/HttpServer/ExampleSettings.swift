import Glibc
import Workerman

/// The example's knobs read from the environment, so that tests can shrink the timeouts.
enum ExampleSettings {
    /// Sets `worker`'s HTTP timeouts, body limit, session and upload directories, and the stop
    /// timeout, from `environment`.
    static func apply(_ environment: [String: String], to worker: Worker) {
        let http = worker.http
        if let seconds = environment["HTTP_KEEPALIVE_S"].flatMap(Double.init) { http.keepAliveTimeout = seconds }
        if let seconds = environment["HTTP_HEADER_TIMEOUT_S"].flatMap(Double.init) { http.headerTimeout = seconds }
        if let seconds = environment["HTTP_BODY_TIMEOUT_S"].flatMap(Double.init) { http.bodyTimeout = seconds }
        if let rate = environment["HTTP_BODY_MIN_RATE"].flatMap(Int.init) { http.bodyMinimumRate = rate }
        if let bytes = environment["HTTP_MAX_BODY"].flatMap(Int.init) { http.maxBodySize = bytes }
        if let seconds = environment["TLS_HANDSHAKE_TIMEOUT_S"].flatMap(Double.init) {
            worker.tlsHandshakeTimeout = seconds
        }
        if let directory = environment["SESSION_DIR"] {
            http.session.handler = FileSessionHandler(directory: directory)
        }
        if let directory = environment["UPLOAD_DIR"] { http.uploadDirectory = directory }
        if let seconds = environment["STOP_TIMEOUT_S"].flatMap(Double.init) { Worker.stopTimeout = seconds }
    }

    /// `X-Worker-Pid: <this process>` when WORKER_PID_HEADER=1 (tests see which process answered).
    static func pidHeader(_ environment: [String: String]) -> [String: String] {
        environment["WORKER_PID_HEADER"] == "1" ? ["X-Worker-Pid": "\(getpid())"] : [:]
    }
}
