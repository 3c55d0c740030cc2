import CoccStorage

/// An IVR menu and the menus its digits lead to, as the configuration defines them.
///
/// ```json
/// {"7000": {"name": "Main", "options": {"1": {"name": "Sales", "options": {"2": {"name": "Offers", "options": {"5": {"name": "Orders"}}}}}}}}
/// ```
public struct IVRMenu: Sendable, Codable, Equatable {
    public var name: String
    public var options: [String: IVRMenu]?

    public init(name: String, options: [String: IVRMenu] = [:]) {
        self.name = name
        self.options = options
    }

    /// The menu reached by pressing `path` from this one, or nil for a digit it does not offer.
    public func menu(at path: [String]) -> IVRMenu? {
        guard let first = path.first else { return self }
        return options?[first]?.menu(at: Array(path.dropFirst()))
    }

    /// The sample IVR every server has unless its configuration defines others: extension 7000,
    /// where `1-2-5` (Sales, Offers, Orders) is a valid flow.
    public static let sample: [String: IVRMenu] = [
        "7000": IVRMenu(
            name: "Main",
            options: [
                "1": IVRMenu(
                    name: "Sales",
                    options: [
                        "1": IVRMenu(name: "New customers"),
                        "2": IVRMenu(name: "Offers", options: ["5": IVRMenu(name: "Orders")]),
                    ]),
                "2": IVRMenu(name: "Support", options: ["1": IVRMenu(name: "Billing"), "#": IVRMenu(name: "Operator")]),
            ])
    ]
}
