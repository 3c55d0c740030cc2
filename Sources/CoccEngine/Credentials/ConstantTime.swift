import CoccStorage

/// Comparisons of secrets (MACs, signatures) that take the same time wherever they differ.
public enum ConstantTime {
    /// Whether the two strings are equal; the time depends only on their lengths.
    public static func equal(_ a: String, _ b: String) -> Bool {
        equal(a.utf8, b.utf8)
    }

    /// Whether the two byte sequences are equal; the time depends only on their lengths.
    public static func equal<A: Collection<UInt8>, B: Collection<UInt8>>(_ a: A, _ b: B) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for (x, y) in zip(a, b) { diff |= x ^ y }
        return diff == 0
    }
}
