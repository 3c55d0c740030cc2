import Testing
@Test func tmp() { #expect(1 == 1) }
