import CoccOperations
import Testing

@Suite("BackMsg table and reply rendering")
struct BackMessageTests {
    @Test
    func theWholeTableInBothLanguages() {
        let numbers = BackMessage.allNumbers
        #expect(numbers.count == 121)
        #expect(numbers.first == "01" && numbers.last == "404")
        #expect(Set(numbers) == Set((1...120).map { $0 < 10 ? "0\($0)" : "\($0)" } + ["404"]))
        for n in numbers {
            let m = BackMessage(n)
            #expect(m.render(.code) == "BackMsg_\(n)")
            #expect(!m.render(.text(.cn)).isEmpty && !m.render(.text(.en)).hasPrefix("BackMsg_"))
        }
        #expect(BackMessage("67").render(.text(.cn)) == "外拨营销任 ID错误")
        #expect(BackMessage("04").render(.text(.cn)) == "登录成功")
        #expect(BackMessage("04").render(.text(.en)) == "Login successful")
    }

    @Test
    func argumentsFillThePlaceholder() {
        let busy = BackMessage("17", argument: "busy")
        #expect(busy.render(.code) == "BackMsg_17[busy]")
        #expect(busy.render(.text(.cn)) == "呼叫失败,坐席当前状态[busy]。若状态为空，参考 BackMsg_16")
        #expect(BackMessage("09").with("8005").render(.text(.en)) == "Agent number does not exist [8005]")
        #expect(BackMessage("04", argument: "x").render(.text(.en)) == "Login successful[x]")
    }

    @Test
    func renderings() {
        let login = Reply(code: 1, message: .back(.loginSucceeded), extra: .init(cjiKey: "param", value: "a=1&b=2|||"), cjiCode: 3)
        #expect(login.retuenString(style: .code) == "|Retuen|1|Retuen|BackMsg_04|Retuen|a=1&b=2|||")
        #expect(login.cjiJSON(style: .code) == #"{"code":3,"message":"BackMsg_04","param":"a=1\u0026b=2|||"}"#)
        #expect(Reply(code: 1, message: .data("1|2"), format: .pipe).retuenString(style: .code) == "1|1|2")
        #expect(Reply(code: 2, message: .back(.teamNotFound), format: .pipe).retuenString(style: .code) == "0|BackMsg_02")
        #expect(JSONString.quote("a\"\\\n\u{1}</script>\u{2028}") == #""a\"\\\n\u0001\u003c/script\u003e\u2028""#)
        #expect(MessageStyle.resolve(serverDefault: .code, requestLanguage: "CN") == .text(.cn))
        #expect(MessageStyle.resolve(serverDefault: .text(.cn), requestLanguage: "") == .text(.cn))
        #expect(MessageStyle.resolve(serverDefault: .code, requestLanguage: "kr") == .text(.en))
    }
}
