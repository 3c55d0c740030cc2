import Foundation

/// Field names an import may use: a customer table column (`phone1`) or its display name in
/// Chinese or English (`电话号码一`, `Phone number 1`), as the manual allows
/// (`姓名=客户 A||phone1=138...`). Custom fields are defined per team (`coccd field add`).
public struct CustomerFields: Sendable {
    public struct Field: Sendable, Equatable {
        public var name: String
        public var cn: String
        public var en: String

        public init(name: String, cn: String, en: String) {
            self.name = name
            self.cn = cn
            self.en = en
        }
    }

    /// The system fields, in table order. `phone1` identifies a customer (duplicates are found by it).
    public static let system: [Field] = [
        Field(name: "name", cn: "姓名", en: "Name"),
        Field(name: "phone1", cn: "电话号码一", en: "Phone number 1"),
        Field(name: "phone2", cn: "电话号码二", en: "Phone number 2"),
        Field(name: "phone3", cn: "电话号码三", en: "Phone number 3"),
        Field(name: "company", cn: "公司", en: "Company"),
        Field(name: "email", cn: "邮箱", en: "Email"),
        Field(name: "address", cn: "地址", en: "Address"),
        Field(name: "note", cn: "备注", en: "Note"),
    ]
    public static let systemNames = Set(system.map(\.name))

    public let custom: [Field]
    private let byLabel: [String: String]

    public init(custom: [Field]) {
        self.custom = custom
        var map: [String: String] = [:]
        for field in Self.system + custom {
            for label in [field.name, field.cn, field.en] { map[Self.key(label)] = field.name }
        }
        byLabel = map
    }

    /// The column a name or label stands for, or nil when the team has no such field.
    public func resolve(_ label: String) -> String? { byLabel[Self.key(label)] }

    /// The display name for messages such as BackMsg_76's "字段名称(字段)".
    public func display(_ name: String) -> String {
        (Self.system + custom).first { $0.name == name }.map { "\($0.cn)(\($0.name))" } ?? name
    }

    /// Case and surrounding spaces do not matter ("Phone Number 1", " phone1 ").
    static func key(_ label: String) -> String {
        label.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }
}
