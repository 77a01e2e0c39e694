import Foundation
import WorkermanTestSupport
import XCTest

/// Every ```swift block of README.md and of the DocC articles compiles against the library as it is
/// built now: a program block with `swiftc` and this build's modules (`import Workerman` is added
/// when the block imports nothing), a package manifest block with `swift package`, its path
/// dependency pointing at this checkout. A renamed or removed API breaks this test, not a reader.
final class DocumentationSnippetTests: XCTestCase {
    private var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// One ```swift block: where it is and what it says.
    struct Snippet {
        var file: String
        var line: Int
        var code: String
        var isManifest: Bool { code.contains("import PackageDescription") }
    }

    /// The documents whose Swift blocks must compile.
    private func documents() throws -> [URL] {
        let catalog = root.appendingPathComponent("Sources/Workerman/Workerman.docc")
        let articles = try FileManager.default.contentsOfDirectory(at: catalog, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "md" }.sorted { $0.path < $1.path }
        return [root.appendingPathComponent("README.md")] + articles
    }

    /// The ```swift blocks of `text`, with the line each starts on.
    static func snippets(in text: String, file: String) -> [Snippet] {
        var found: [Snippet] = []
        var current: (line: Int, lines: [Substring])?
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.drop { $0 == " " }
            if var open = current {
                if trimmed == "```" {
                    found.append(Snippet(file: file, line: open.line, code: open.lines.joined(separator: "\n") + "\n"))
                    current = nil
                } else {
                    open.lines.append(line)
                    current = open
                }
            } else if trimmed == "```swift" {
                current = (index + 2, [])
            }
        }
        return found
    }

    func testEverySwiftBlockOfTheReadmeAndTheArticlesCompiles() throws {
        let snippets = try documents().flatMap { url in
            Self.snippets(
                in: try String(contentsOf: url, encoding: .utf8),
                file: String(url.path.dropFirst(root.path.count + 1)))
        }
        XCTAssertGreaterThan(snippets.count, 20, "the README and the articles have Swift blocks")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("snippets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.createSymbolicLink(
            at: scratch.appendingPathComponent("swift-workerman"), withDestinationURL: root)
        var compiled = 0
        for (index, snippet) in snippets.enumerated() {
            let failure =
                snippet.isManifest
                ? try checkManifest(snippet, in: scratch.appendingPathComponent("app\(index)"))
                : try compile(snippet, as: scratch.appendingPathComponent("snippet\(index).swift"))
            if let failure {
                XCTFail("\(snippet.file):\(snippet.line): the block does not compile:\n\(failure)")
            } else {
                compiled += 1
            }
        }
        print("measured: \(compiled) of \(snippets.count) Swift blocks compiled")
    }

    /// nil when `snippet` compiles as a program against this build; the compiler's output otherwise.
    private func compile(_ snippet: Snippet, as file: URL) throws -> String? {
        let imports = snippet.code.split(separator: "\n").contains { $0.hasPrefix("import ") }
        try ((imports ? "" : "import Workerman\n") + snippet.code).write(to: file, atomically: true, encoding: .utf8)
        let products = ServerProcess.productsDirectory
        var arguments = [
            "swiftc", "-swift-version", "6", "-typecheck", "-I", products.appendingPathComponent("Modules").path,
        ]
        for map in try moduleMaps(products) { arguments += ["-Xcc", "-fmodule-map-file=\(map)"] }
        let result = try ServerProcess.run("/usr/bin/env", arguments + [file.path], timeout: 120)
        return result.status == 0 ? nil : result.output
    }

    /// The module maps of this package's C modules: the system modules' own, and the ones SwiftPM
    /// wrote for the C targets.
    private func moduleMaps(_ products: URL) throws -> [String] {
        let sources = root.appendingPathComponent("Sources")
        let fileManager = FileManager.default
        let system = try fileManager.contentsOfDirectory(atPath: sources.path).map {
            sources.appendingPathComponent($0).appendingPathComponent("module.modulemap").path
        }
        let generated = try fileManager.contentsOfDirectory(atPath: products.path).filter { $0.hasSuffix(".build") }
            .map { products.appendingPathComponent($0).appendingPathComponent("module.modulemap").path }
        return (system + generated).filter { fileManager.fileExists(atPath: $0) }
    }

    /// nil when the manifest block loads (`swift package dump-package`); a path dependency on
    /// `../swift-workerman` reaches this checkout, whose graph must then load (`show-dependencies`: the
    /// products named must exist).
    private func checkManifest(_ snippet: Snippet, in directory: URL) throws -> String? {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try snippet.code.write(
            to: directory.appendingPathComponent("Package.swift"), atomically: true, encoding: .utf8)
        let dumped = try ServerProcess.run(
            "/usr/bin/env", ["swift", "package", "--package-path", directory.path, "dump-package"], timeout: 120)
        guard dumped.status == 0 else { return dumped.output }
        guard snippet.code.contains("path: \"../swift-workerman\"") else { return nil }
        let targets = try JSONSerialization.jsonObject(with: Data(dumped.output.utf8)) as? [String: Any]
        for case let target as [String: Any] in targets?["targets"] as? [Any] ?? [] {
            guard let name = target["name"] as? String else { continue }
            let folder = directory.appendingPathComponent("Sources/\(name)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try "print(\"\(name)\")\n".write(
                to: folder.appendingPathComponent("main.swift"), atomically: true, encoding: .utf8)
        }
        let loaded = try ServerProcess.run(
            "/usr/bin/env", ["swift", "package", "--package-path", directory.path, "show-dependencies"], timeout: 300)
        return loaded.status == 0 ? nil : loaded.output
    }
}
