import CWorkermanEpoll

/// How a worker process hands memory back to the system.
enum MemoryPolicy {
    /// Blocks of 256 KiB and more (large packets, a 16 MiB WebSocket message and its buffers) are
    /// mapped on their own and unmapped when freed, so a burst of large messages does not leave the
    /// process at several times its idle size for ever (glibc's default threshold grows with the
    /// largest block freed, after which such blocks stay on the heap).
    static func returnLargeBlocksWhenFreed() {
        _ = cepoll_set_mmap_threshold(256 * 1024)
    }
}
