/// The `Sec-WebSocket-Extensions` exchange for permessage-deflate (RFC 7692 §7.1).
enum PerMessageDeflateNegotiation {
    /// One extension offer or answer: its name and parameters (values unquoted).
    struct Offer {
        var name: String
        var parameters: [(name: String, value: String?)]
    }

    /// The offers in a `Sec-WebSocket-Extensions` value, in order.
    static func offers(in header: String) -> [Offer] {
        header.split(separator: ",").map { element in
            let parts = element.split(separator: ";").map(\.trimmingSpaces)
            let parameters = parts.dropFirst().map { part -> (name: String, value: String?) in
                let pair = part.split(separator: "=", maxSplits: 1).map(\.trimmingSpaces)
                let value = pair.count > 1 ? String(pair[1].filter { $0 != "\"" }) : nil
                return (pair[0].lowercased(), value)
            }
            return Offer(name: parts.first?.lowercased() ?? "", parameters: parameters)
        }
    }

    /// The server's choice among a client's offers: its extension and the response header value,
    /// or nil when none is acceptable. `noContextTakeover` makes the server reset its compressor.
    static func accept(offers header: String, noContextTakeover: Bool) -> (PerMessageDeflate, String)? {
        for offer in offers(in: header) where offer.name == "permessage-deflate" {
            guard let chosen = acceptable(offer) else { continue }
            var response = "permessage-deflate"
            let serverResets = chosen.serverNoContextTakeover || noContextTakeover
            if serverResets { response += "; server_no_context_takeover" }
            if chosen.clientNoContextTakeover { response += "; client_no_context_takeover" }
            if let bits = chosen.serverMaxWindowBits { response += "; server_max_window_bits=\(bits)" }
            guard
                let deflate = PerMessageDeflate(
                    windowBits: chosen.serverMaxWindowBits ?? 15, resetsCompressor: serverResets,
                    resetsDecompressor: chosen.clientNoContextTakeover)
            else { return nil }
            return (deflate, response)
        }
        return nil
    }

    /// What a client offers.
    static func clientOffer(noContextTakeover: Bool) -> String {
        "permessage-deflate; client_max_window_bits" + (noContextTakeover ? "; client_no_context_takeover" : "")
    }

    /// The client's extension for the server's answer `header`; throws when the answer is not one
    /// the offer allows.
    static func confirm(answer header: String) throws -> PerMessageDeflate {
        let answers = offers(in: header)
        guard answers.count == 1, answers[0].name == "permessage-deflate", let chosen = acceptable(answers[0]) else {
            throw WebSocketHandshakeError("unexpected Sec-WebSocket-Extensions: \(header)")
        }
        guard
            let deflate = PerMessageDeflate(
                windowBits: chosen.clientMaxWindowBits ?? 15, resetsCompressor: chosen.clientNoContextTakeover,
                resetsDecompressor: chosen.serverNoContextTakeover)
        else { throw WebSocketHandshakeError("zlib refused the negotiated parameters") }
        return deflate
    }

    private struct Parameters {
        var serverNoContextTakeover = false
        var clientNoContextTakeover = false
        var serverMaxWindowBits: Int?
        var clientMaxWindowBits: Int?
    }

    /// The parameters of `offer`, or nil when one is unknown, repeated or out of range. A server
    /// window of 8 bits is refused: zlib's raw deflate cannot produce it.
    private static func acceptable(_ offer: Offer) -> Parameters? {
        var result = Parameters()
        var seen: Set<String> = []
        for (name, value) in offer.parameters {
            guard seen.insert(name).inserted else { return nil }
            switch (name, value) {
            case ("server_no_context_takeover", nil): result.serverNoContextTakeover = true
            case ("client_no_context_takeover", nil): result.clientNoContextTakeover = true
            case ("server_max_window_bits", let value?):
                guard let bits = Int(value), (9...15).contains(bits) else { return nil }
                result.serverMaxWindowBits = bits
            case ("client_max_window_bits", nil): break
            case ("client_max_window_bits", let value?):
                guard let bits = Int(value), (8...15).contains(bits) else { return nil }
                result.clientMaxWindowBits = bits
            default: return nil
            }
        }
        return result
    }
}

/// Why a handshake failed.
struct WebSocketHandshakeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
