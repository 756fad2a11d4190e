/// How much evaluating one template's intrinsic functions may build: `Fn::Join` and `Fn::Sub`
/// results, the lists that list parameters expand into, and the parameter values and mapping
/// entries that references bring in, which change details then show in full.
///
/// A template is at most 1 MB and a parameter value 4 KB, but references multiply them: a
/// `Fn::Join` over 60,000 references to one long parameter would build gigabytes. Each value is
/// held to CloudFormation's 1 MB template limit, since no larger value could be sent to it, and
/// all values of one template together to 16 MB, so that a plan's memory stays in tens of megabytes.
///
/// A reference type because one budget is shared by every copy of the resolver that spends it;
/// a plan is computed on one thread, so it is never shared across threads.
final class EvaluationBudget {
    /// The largest value evaluation may build, in bytes.
    static let maximumValueBytes = 1_048_576
    /// The most all values built for one template may take together, in bytes.
    static let maximumTotalBytes = 16 * 1_048_576
    /// What one list item costs beyond its text, so that splitting into many short items counts.
    static let itemBytes = 16

    private var spent = 0

    /// Refuses a value of this size before it is built.
    func check(valueBytes: Int) throws(EvaluationLimitExceeded) {
        guard valueBytes <= Self.maximumValueBytes else {
            throw EvaluationLimitExceeded(limit: .value(bytes: valueBytes))
        }
    }

    /// Records a value about to be built, refusing it when it is too large or the total would pass the budget.
    func spend(_ bytes: Int) throws(EvaluationLimitExceeded) {
        try check(valueBytes: bytes)
        guard spent + bytes <= Self.maximumTotalBytes else {
            throw EvaluationLimitExceeded(limit: .total)
        }
        spent += bytes
    }
}

extension EvaluationBudget {
    /// About how many bytes `value` takes when shown: its text plus ``itemBytes`` per item.
    static func size(of value: TemplateValue) -> Int {
        switch value {
        case .string(let text), .number(let text): return text.utf8.count
        case .bool, .null: return 5
        case .list(let items): return items.reduce(0) { $0 + itemBytes + size(of: $1) }
        case .map(let map): return map.pairs.reduce(0) { $0 + itemBytes + $1.0.utf8.count + size(of: $1.1) }
        case .function(_, let argument): return itemBytes + size(of: argument)
        }
    }
}

/// Evaluating intrinsic functions would build more than the ``EvaluationBudget`` allows.
struct EvaluationLimitExceeded: Error, Equatable {
    enum Limit: Equatable {
        /// One value of this many bytes.
        case value(bytes: Int)
        /// All values of the template together.
        case total
    }

    let limit: Limit

    /// What was exceeded, for ``ChangePlanError/valuesTooLarge(location:owner:problem:)``.
    var problem: String {
        switch limit {
        case .value(let bytes):
            return "builds a value of \(bytes) bytes (Fn::Join, Fn::Sub or a list parameter), over the limit of "
                + "\(EvaluationBudget.maximumValueBytes) bytes, CloudFormation's template size limit"
        case .total:
            return "takes the values built from the template past \(EvaluationBudget.maximumTotalBytes) bytes "
                + "(Fn::Join, Fn::Sub and list parameters together)"
        }
    }
}
