import CoccCampaigns
import CoccStorage
import Foundation
import Testing

/// CSV as people export it: RFC 4180 quoting, any line ending, UTF-8 with or without BOM, GB18030.
@Suite("CSV reader")
struct CSVReaderTests {
    func file(_ bytes: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID().uuidString).csv").path
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    func rows(_ path: String) throws -> [[String]] {
        var out: [[String]] = []
        try CSVReader(path: path).forEachRow { _, fields in out.append(fields) }
        return out
    }

    @Test
    func quotingAndLineEndings() throws {
        let text = "a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\n1,,3\r4,5,6\n\n\"\",e,\"\"\r\n"
        let path = try file(Array(text.utf8))
        #expect(try CSVReader(path: path).encoding == .utf8)
        #expect(
            try rows(path) == [["a", "b", "c"], ["x, y", "say \"hi\"", "two\nlines"], ["1", "", "3"], ["4", "5", "6"], ["", "e", ""]])
    }

    @Test
    func bomIsSkippedAndGB18030IsDetected() throws {
        let bom = try file([0xEF, 0xBB, 0xBF] + Array("姓名,phone1\r\n张三,138\r\n".utf8))
        #expect(try CSVReader(path: bom).encoding == .utf8BOM)
        #expect(try rows(bom) == [["姓名", "phone1"], ["张三", "138"]])
        // 姓名,电话号码一 / 张三,13800000001 as Excel saves it on Chinese Windows (GBK ⊂ GB18030).
        let gbk: [UInt8] =
            [
                0xD0, 0xD5, 0xC3, 0xFB, 0x2C, 0xB5, 0xE7, 0xBB, 0xB0, 0xBA, 0xC5, 0xC2, 0xEB, 0xD2, 0xBB, 0x0D, 0x0A,
                0xD5, 0xC5, 0xC8, 0xFD,
            ] + Array(",13800000001\r\n".utf8)
        let gb = try file(gbk)
        #expect(try CSVReader(path: gb).encoding == .gb18030)
        #expect(try rows(gb) == [["姓名", "电话号码一"], ["张三", "13800000001"]])
    }

    @Test
    func aCharacterSplitAcrossChunksSurvives() throws {
        // 72,000 GBK bytes: the 64 KiB chunk boundary (offset 65,536) falls inside a two-byte
        // character of the third field.
        let chars = [UInt8](repeating: 0, count: 0) + (0..<12_000).flatMap { _ in [UInt8(0xD5), 0xC5] }
        let bytes = Array("a,b,c\r\nx".utf8) + chars + Array(",".utf8) + chars + Array(",x".utf8) + chars + Array("\r\n".utf8)
        let path = try file(bytes)
        let all = try rows(path)
        let zhang = String(repeating: "张", count: 12_000)
        #expect(all.count == 2 && all[1] == ["x" + zhang, zhang, "x" + zhang])
    }

    @Test
    func brokenFilesAreRefusedWithTheRow() throws {
        #expect(throws: CSVError.unterminatedQuote(row: 2)) { try rows(try file(Array("a,b\n\"open,2\n3,4\n".utf8))) }
        #expect(throws: CSVError.unsupportedEncoding("UTF-16")) { try rows(try file([0xFF, 0xFE, 0x61, 0x00])) }
        #expect(throws: CSVError.fieldTooLong(row: 1)) { try rows(try file(Array(("\"" + String(repeating: "x", count: 70_000)).utf8))) }
    }

    /// Issue 9, item 3: one 20 MiB row of commas cost ~520 MB, one String per empty field. The
    /// caps are checked before a field or byte is kept, so the probe never sees more than them.
    @Test
    func aHugeRowIsRefusedBeforeTheReaderHoldsMoreThanTheCaps() throws {
        let commas = try file(Array("phone1,name\n13800000001,A\n".utf8) + [UInt8](repeating: UInt8(ascii: ","), count: 20 << 20) + [0x0A])
        let probe = CSVReader.Probe()
        var delivered: [Int] = []
        #expect(throws: CSVError.tooManyFields(row: 3, limit: 512)) {
            // UTF-8 named: detection would read all 20 MiB first, which is not what this test is about.
            try CSVReader(path: commas, encoding: .utf8).forEachRow(probe: probe) { number, _ in delivered.append(number) }
        }
        #expect(delivered == [1, 2])
        #expect(probe.peakFields == 512 && probe.peakRowBytes <= 256 * 1024)

        // Long fields under the field cap, but a row over the byte cap (a smaller one, configured).
        var limits = CSVReader.Limits()
        limits.maxRowBytes = 100_000
        let field = [UInt8](repeating: UInt8(ascii: "x"), count: 30_000)
        let wide = try file(Array("a,b\n".utf8) + field + [0x2C] + field + [0x2C] + field + [0x2C] + field + [0x0A])
        let wideProbe = CSVReader.Probe()
        #expect(throws: CSVError.rowTooLong(row: 2, limit: 100_000)) {
            try CSVReader(path: wide, limits: limits).forEachRow(probe: wideProbe) { _, _ in }
        }
        #expect(wideProbe.peakRowBytes == 100_000 && wideProbe.peakFields == 3)
        #expect(CSVError.rowTooLong(row: 2, limit: 100_000).description == "row 2: longer than 100000 bytes (importMaxRowBytes)")

        // Rows at the caps are read.
        limits.maxFieldsPerRow = 4
        let atCap = try file(Array("a,b,c,d\n1,2,3,4\n".utf8))
        let capped = CSVReader.Probe()
        var rows: [[String]] = []
        try CSVReader(path: atCap, limits: limits).forEachRow(probe: capped) { _, fields in rows.append(fields) }
        #expect(rows == [["a", "b", "c", "d"], ["1", "2", "3", "4"]] && capped.peakFields == 4)
    }
}
