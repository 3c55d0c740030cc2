public import CoccSwitch
import Foundation

/// Writes the simulated switch's recordings: 8 kHz, 16-bit, mono PCM WAV, as telephony
/// recorders produce, with a quiet 440 Hz tone standing in for the conversation.
enum WAVFile {
    static let sampleRate = 8000

    static func write(seconds: Double, to path: String) throws {
        let count = max(0, Int(seconds * Double(sampleRate)))
        var data = Data(capacity: 44 + count * 2)
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        data.append(contentsOf: Array("RIFF".utf8))
        append(UInt32(36 + count * 2))
        data.append(contentsOf: Array("WAVE".utf8))
        data.append(contentsOf: Array("fmt ".utf8))
        append(UInt32(16))
        append(UInt16(1))
        append(UInt16(1))
        append(UInt32(sampleRate))
        append(UInt32(sampleRate * 2))
        append(UInt16(2))
        append(UInt16(16))
        data.append(contentsOf: Array("data".utf8))
        append(UInt32(count * 2))
        for i in 0..<count {
            append(Int16(2000 * sin(2 * Double.pi * 440 * Double(i) / Double(sampleRate))))
        }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
