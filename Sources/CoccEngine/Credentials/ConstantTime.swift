/// Comparisons of secrets (MACs, signatures) that take the same time wherever they differ.
public enum ConstantTime {
    /// Whether the two strings are equal; the time depends only on their lengths.
    public static func equal(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        var diff: UInt8 = 0
        for (x, y) in zip(a.utf8, b.utf8) { diff |= x ^ y }
        return diff == 0
    }
}
