/// Redis Cluster's hash slots: CRC16 (XMODEM) of the key, or of its hash tag (the part between the
/// first `{` and the next `}` when not empty), modulo 16384. Keys with the same tag share a slot.
public enum RedisHashSlot {
    /// The number of slots.
    public static let count = 16384

    private static let table: [UInt16] = (0..<256).map { index in
        var crc = UInt16(index) << 8
        for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        return crc
    }

    /// The CRC16/XMODEM of `bytes`.
    static func crc16(_ bytes: some Collection<UInt8>) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes { crc = (crc << 8) ^ table[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ byte)] }
        return crc
    }

    /// The slot of `key`.
    public static func slot(_ key: [UInt8]) -> Int {
        if let open = key.firstIndex(of: UInt8(ascii: "{")),
            let close = key[(open + 1)...].firstIndex(of: UInt8(ascii: "}")), close > open + 1
        {
            return Int(crc16(key[(open + 1)..<close])) % count
        }
        return Int(crc16(key)) % count
    }

    /// The slot of `key`'s UTF-8.
    public static func slot(_ key: String) -> Int { slot(Array(key.utf8)) }
}
