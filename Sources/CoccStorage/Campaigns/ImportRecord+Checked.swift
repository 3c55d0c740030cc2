public import Foundation

extension ImportRecord {
    /// What an import row must carry before any store touches it, the same for every store:
    /// phone1 (BackMsg_76 when missing), a numeric priority and a `YYYY-MM-DD hh:mm:ss` dial time
    /// (BackMsg_75) from the fields the options name, unless the record gives them itself.
    ///
    /// ```swift
    /// switch record.checked(options: options, now: now) {
    /// case .success(let row): print(row.phone1, row.priority, row.dialAt)
    /// case .failure(let problem): print(problem.row, problem.code)
    /// }
    /// ```
    public func checked(options: ImportOptions, now: Date) -> Result<(phone1: String, priority: Int, dialAt: Date), RowProblem> {
        let phone1 = (fields["phone1"] ?? "").trimmedSpaces
        guard !phone1.isEmpty else {
            return .failure(RowProblem(row: row, code: "76", reason: "required field missing: 电话号码一(phone1)"))
        }
        var priority = self.priority ?? 0
        if self.priority == nil, !options.priorityField.isEmpty,
            let text = fields[options.priorityField]?.trimmingCharacters(in: .whitespaces), !text.isEmpty
        {
            guard let value = Int(text) else {
                return .failure(RowProblem(row: row, code: "75", reason: "priority is not a number: \(text)"))
            }
            priority = value
        }
        var dialAt = self.dialAt ?? now
        if self.dialAt == nil, !options.dialtimeField.isEmpty,
            let text = fields[options.dialtimeField]?.trimmingCharacters(in: .whitespaces), !text.isEmpty
        {
            guard let date = ImportTime.parse(text) else {
                return .failure(RowProblem(row: row, code: "75", reason: "dial time is not YYYY-MM-DD hh:mm:ss: \(text)"))
            }
            dialAt = date
        }
        return .success((phone1, priority, dialAt))
    }
}
