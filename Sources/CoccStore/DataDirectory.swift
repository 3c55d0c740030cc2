import CoccStorage
public import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The data directory's file modes: only the server's user may read what it keeps (password
/// hashes, call records, recordings, import files).
///
/// The directory and the folders in it are 0700, the files 0600. `coccd serve` also sets the
/// umask to 077, so that what it creates later (recordings, import files) gets these modes too.
/// ```swift
/// try DataDirectory.prepare("data")          // creates it 0700, or tightens what is there
/// let store = try SQLiteStore(path: "data/coccd.sqlite")   // the file and its -wal/-shm 0600
/// ```
public enum DataDirectory {
    public static let directoryMode: mode_t = 0o700
    public static let fileMode: mode_t = 0o600

    /// Makes the process create private files and folders from now on (umask 077).
    public static func restrictNewFiles() {
        umask(0o077)
    }

    /// Creates `path` (0700) when missing. A directory that others could enter (one made by an
    /// older version was 0755 with 0644 files) is made 0700 and everything below it tightened;
    /// once it is 0700 nothing inside is reachable by others, so later opens skip that walk
    /// (a CLI command on a store with a million recordings stays quick).
    public static func prepare(_ path: String) throws {
        let files = FileManager.default
        if !files.fileExists(atPath: path) {
            try files.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: Int(directoryMode)])
        }
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & 0o077 != 0 else { return }
        tighten(path)
        guard let walker = files.enumerator(atPath: path) else { return }
        for case let relative as String in walker {
            tighten((path as NSString).appendingPathComponent(relative))
        }
    }

    /// Clears the group and other bits of one file or folder; symbolic links are left alone
    /// (chmod would follow them out of the data directory).
    @discardableResult
    public static func tighten(_ path: String) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFLNK else { return false }
        let wanted = (info.st_mode & S_IFMT) == S_IFDIR ? directoryMode : fileMode
        let current = info.st_mode & 0o777
        // Only ever removes permissions: an owner-only mode that is tighter still stays.
        guard current & ~wanted != 0 else { return true }
        return chmod(path, current & wanted) == 0
    }
}
