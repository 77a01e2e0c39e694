/// Builds `frame://host:port` addresses (an IPv6 host in brackets) for Workers and connections.
package enum FrameAddress {
    /// `frame://host:port`, or `frame://[v6]:port`.
    package static func url(host: String, port: Int) -> String {
        "frame://\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }
}
