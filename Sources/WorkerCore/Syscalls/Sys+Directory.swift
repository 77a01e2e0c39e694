import Glibc

extension Sys {
    /// The names in `directory` ("." and ".." included); empty when it cannot be opened.
    ///
    /// Each name is read through a pointer to its `dirent`'s `d_name`, never by copying the `dirent`:
    /// `readdir` returns records only as long as their name, so a whole-struct copy reads past them.
    package static func directoryEntries(_ directory: String) -> [String] {
        guard let listing = opendir(directory) else { return [] }
        defer { closedir(listing) }
        let nameOffset = MemoryLayout<dirent>.offset(of: \.d_name)!
        var names: [String] = []
        while let entry = readdir(listing) {
            let name = (UnsafeRawPointer(entry) + nameOffset).assumingMemoryBound(to: CChar.self)
            names.append(String(cString: name))
        }
        return names
    }
}
