import ArgumentParser
import CoccPostgres
import CoccStorage
import CoccStore
import Foundation
import Logging

/// `coccd store copy --from DIR --to URL [--force]`: moves an installation from the embedded
/// SQLite store to PostgreSQL.
struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store", abstract: "Move the store between SQLite and PostgreSQL.", subcommands: [Copy.self])

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy everything in a data directory's SQLite store into a PostgreSQL store.",
            discussion: """
                Copies every table (directory, sessions, pauses, the event log with its ids, call \
                records, delivery cursors and secrets, leg ids, live calls, campaigns), checks every \
                table's row count on both sides and prints them. Stop the server on the source first. \
                A target with rows is refused unless --force, which empties it first. The target is \
                migrated as `serve` would; so is a source of an older version (said before it happens). \
                The URL may come from COCCD_DATABASE_URL instead, which keeps its password out of the \
                process list; it is never printed.
                """)

        @Option(help: "The data directory whose coccd.sqlite is copied (only read).") var from: String
        @Option(help: "The PostgreSQL store, postgres://user:pass@host:5432/db[?sslmode=require] (default: COCCD_DATABASE_URL).")
        var to: String?
        @Flag(help: "Empty the target's tables first when it has rows.") var force = false
        @Option(help: "Rows per batch (one transaction on the target each).") var batchSize = 1_000

        func validate() throws {
            guard batchSize > 0 else { throw ValidationError("--batch-size must be at least 1") }
        }

        func run() async throws {
            // Logs go to standard error: standard output is the table of counts.
            var logger = Logger(label: "coccd") { StreamLogHandler.standardError(label: $0) }
            logger.logLevel = .info
            let url = (to ?? ProcessEnvironment.value("COCCD_DATABASE_URL") ?? "").trimmingCharacters(in: .whitespaces)
            guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
                // Not echoed: a mistyped URL may still hold a password.
                throw ValidationError("--to (or COCCD_DATABASE_URL) must be a postgres:// or postgresql:// URL")
            }
            let path = (from as NSString).appendingPathComponent("coccd.sqlite")
            // Opening a missing file would create an empty store and copy nothing, successfully.
            guard FileManager.default.fileExists(atPath: path) else { throw ValidationError("no store at \(path)") }

            let source = try openSource(path, logger: logger)
            let target: PostgresStore
            do {
                target = try await PostgresStore.open(url: url, logger: logger)
            } catch {
                try? await source.close()
                // PostgresStoreError names host, port and database, never the credentials.
                FileHandle.standardError.write(Data("error: the target store cannot be opened: \(error)\n".utf8))
                throw ExitCode(StoreOpening.unavailableExitCode)
            }
            let counts: [StoreCopy.TableCount]
            do {
                logger.info("copying", metadata: ["from": "\(source.summary)", "to": "\(target.summary)", "force": "\(force)"])
                counts = try await StoreCopy(batchSize: batchSize, force: force).run(from: source, to: target) { [logger] count in
                    logger.info("table copied", metadata: ["table": "\(count.table)", "rows": "\(count.target)"])
                }
            } catch {
                try? await target.close()
                try? await source.close()
                // StoreTransferError names tables and counts; the stores' errors, no credential.
                FileHandle.standardError.write(Data("error: store copy failed: \(error)\n".utf8))
                throw ExitCode.failure
            }
            try await target.close()
            try await source.close()
            print(Self.render(counts))
            logger.notice("store copied", metadata: ["to": "\(target.summary)", "rows": "\(counts.reduce(0) { $0 + $1.target })"])
        }

        /// The source, migrated first when it is of an older version (and said so: the copy
        /// is otherwise read-only on it).
        func openSource(_ path: String, logger: Logger) throws -> SQLiteStore {
            let pending: [String]
            do {
                pending = try SQLiteStore.pendingMigrations(path: path)
            } catch {
                throw ValidationError("cannot read the store at \(path): \(error)")
            }
            if !pending.isEmpty {
                logger.notice(
                    "the source store is of an older version; migrating it before the copy",
                    metadata: ["store": "\(path)", "migrations": "\(pending.joined(separator: ","))"])
            }
            return try SQLiteStore(path: path)
        }

        /// `table  source  target`, one line per table and a total.
        static func render(_ counts: [StoreCopy.TableCount]) -> String {
            let total = StoreCopy.TableCount(
                table: "total", source: counts.reduce(0) { $0 + $1.source }, target: counts.reduce(0) { $0 + $1.target })
            let lines = [("table", "source", "target")] + (counts + [total]).map { ($0.table, String($0.source), String($0.target)) }
            let width = lines.map(\.0.count).max() ?? 0
            let numbers = lines.map { max($0.1.count, $0.2.count) }.max() ?? 0
            func pad(_ text: String, _ count: Int, left: Bool) -> String {
                let fill = String(repeating: " ", count: max(0, count - text.count))
                return left ? fill + text : text + fill
            }
            return lines.map { "\(pad($0.0, width, left: false))  \(pad($0.1, numbers, left: true))  \(pad($0.2, numbers, left: true))" }
                .joined(separator: "\n")
        }
    }
}
