import Foundation

/// The parameter values a stack is planned with: the configuration's values checked against
/// the template's declarations, with defaults filled in.
public struct ResolvedParameters: Sendable, Equatable {
    /// Values by parameter name; list parameters keep CloudFormation's comma-joined form.
    public var values: [String: String]
    /// Names of `NoEcho` parameters, whose values are masked in every output.
    public var noEcho: Set<String>
    /// Problems that do not stop a plan (from the configuration and the template).
    public var warnings: [String]
    /// Parameters with no value and no default, read as values known only at apply time
    /// (see ``MissingParameterValues/unknown``).
    public var unknown: Set<String>

    /// Resolved values as given, such as a stack's recorded state.
    public init(values: [String: String], noEcho: Set<String> = [], warnings: [String] = [], unknown: Set<String> = []) {
        self.values = values
        self.noEcho = noEcho
        self.warnings = warnings
        self.unknown = unknown
    }

    /// CloudFormation's limit for one parameter value, in bytes.
    public static let maximumValueBytes = 4_096

    /// What CloudFormation shows for a NoEcho value.
    public static let mask = "****"

    /// The value as it may be shown: masked for NoEcho parameters.
    public func displayValue(of name: String) -> String? {
        guard let value = values[name] else { return nil }
        return noEcho.contains(name) ? Self.mask : value
    }
}

/// What to do with a parameter that has neither a value nor a default.
public enum MissingParameterValues: Sendable {
    /// Refuse, as CloudFormation does at apply time: `plan` and `sync` need every value.
    case refuse
    /// Read it as a value known only at apply time, as `tollgate diff` does for two template
    /// files: whatever depends on it is `Evaluation: Dynamic` and may be replaced.
    case unknown
}

extension TemplateConfiguration {
    /// Checks this configuration against a template and resolves every parameter's value.
    ///
    /// Checks, in CloudFormation's terms: names the template does not declare, parameters
    /// with no value and no default, `AllowedValues`, `AllowedPattern`, `MinLength`/`MaxLength`,
    /// `MinValue`/`MaxValue`, `Number`, and the basic shape of `AWS::EC2::...` ids and `List<...>`.
    ///
    /// - Parameter missing: whether a parameter with no value and no default is refused or unknown.
    /// - Throws: ``ConfigurationError`` naming the configuration file and the parameter.
    public func resolveParameters(
        for template: Template, missing: MissingParameterValues = .refuse
    ) throws -> ResolvedParameters {
        for name in parameters.keys.sorted() where template.parameter(named: name) == nil {
            throw ConfigurationError.unknownParameter(location: location(of: name), name: name, templateFileName: template.fileName)
        }
        var resolved = ResolvedParameters(values: [:], warnings: warnings + template.warnings)
        for parameter in template.parameters {
            guard let value = parameters[parameter.name] ?? parameter.defaultValue else {
                guard missing == .unknown else {
                    throw ConfigurationError.missingParameter(
                        fileName: fileName, name: parameter.name, declaredAt: parameter.location)
                }
                resolved.unknown.insert(parameter.name)
                if parameter.noEcho { resolved.noEcho.insert(parameter.name) }
                continue
            }
            if parameter.noEcho { resolved.noEcho.insert(parameter.name) }
            let valueLocation = parameters[parameter.name] == nil ? parameter.location : location(of: parameter.name)
            try ParameterCheck(parameter: parameter, location: valueLocation).check(value)
            resolved.values[parameter.name] = value
        }
        return resolved
    }
}

/// The checks CloudFormation makes on one parameter value before it plans anything.
struct ParameterCheck {
    let parameter: TemplateParameter
    /// Where the value is written: in the configuration, or the declaration for a default.
    let location: SourceLocation

    /// EC2 id types and the prefix their ids carry (`vpc-0abc...`).
    private static let idPrefixes: [String: String] = [
        "AWS::EC2::VPC::Id": "vpc-", "AWS::EC2::Subnet::Id": "subnet-", "AWS::EC2::SecurityGroup::Id": "sg-",
        "AWS::EC2::Image::Id": "ami-", "AWS::EC2::Instance::Id": "i-", "AWS::EC2::Volume::Id": "vol-",
    ]

    func check(_ value: String) throws {
        let bytes = value.utf8.count
        guard bytes <= ResolvedParameters.maximumValueBytes else {
            throw ConfigurationError.valueTooLong(
                location: location, name: parameter.name, bytes: bytes, limit: ResolvedParameters.maximumValueBytes)
        }
        let type = parameter.type
        let isList = type == "CommaDelimitedList" || type.hasPrefix("List<")
        let elementType = isList && type.hasPrefix("List<") ? String(type.dropFirst(5).dropLast()) : type
        let items = isList ? value.split(separator: ",", omittingEmptySubsequences: false).map {
            String(Substring($0).trimmingWhitespace())
        } : [value]
        // A list may be allowed whole (`three,four` listed as one allowed value) or element by element.
        let allowedWhole = parameter.allowedValues.contains(value)
        for item in items {
            if !parameter.allowedValues.isEmpty, !allowedWhole, !parameter.allowedValues.contains(item) {
                throw invalid(value, "is not one of the AllowedValues \(parameter.allowedValues.joined(separator: ", "))")
            }
            try checkShape(item, type: elementType)
        }
        if let pattern = parameter.allowedPattern {
            guard let expression = AllowedPattern(pattern) else {
                throw invalid(value, "cannot be checked: AllowedPattern '\(pattern)' is not a valid regular expression")
            }
            // The user guide: for a CommaDelimitedList the pattern must match each value in the list.
            for item in isList ? items : [value] where !expression.matchesWhole(item) {
                throw invalid(item, "does not match AllowedPattern \(pattern)")
            }
        }
        if let minimum = parameter.minLength, value.count < minimum {
            throw invalid(value, "is shorter than MinLength \(minimum)")
        }
        if let maximum = parameter.maxLength, value.count > maximum {
            throw invalid(value, "is longer than MaxLength \(maximum)")
        }
        if parameter.minValue != nil || parameter.maxValue != nil {
            for item in items {
                guard let number = Double(item) else { throw invalid(value, "is not a number") }
                if let minimum = parameter.minValue, number < minimum { throw invalid(value, "is below MinValue \(minimum)") }
                if let maximum = parameter.maxValue, number > maximum { throw invalid(value, "is above MaxValue \(maximum)") }
            }
        }
    }

    private func checkShape(_ item: String, type: String) throws {
        if type == "Number", Double(item) == nil {
            throw invalid(item, "is not a number, as the parameter's type \(parameter.type) requires")
        }
        if let prefix = Self.idPrefixes[type] {
            let suffix = item.dropFirst(prefix.count)
            let hex = suffix.allSatisfy { $0.isHexDigit }
            guard item.hasPrefix(prefix), hex, suffix.count == 8 || suffix.count == 17 else {
                throw invalid(item, "is not a \(type) (expected \(prefix) followed by 8 or 17 hexadecimal digits)")
            }
        }
        if type == "AWS::EC2::AvailabilityZone::Name" {
            let shaped = item.split(separator: "-").count >= 3 && (item.last?.isLetter ?? false)
            if !shaped { throw invalid(item, "is not an availability zone name such as us-east-1a") }
        }
        if type.hasPrefix("AWS::EC2::"), item.isEmpty {
            throw invalid(item, "is empty, but a \(type) is required")
        }
    }

    private func invalid(_ value: String, _ problem: String) -> ConfigurationError {
        let shown = parameter.noEcho ? ResolvedParameters.mask : value
        return .invalidValue(location: location, name: parameter.name, value: shown, problem: problem)
    }
}

/// A parameter's `AllowedPattern`, a Java regular expression in CloudFormation.
///
/// ICU's syntax, which Foundation's `NSRegularExpression` uses, is close to Java's (classes
/// such as `[--]` and `[\\w-]`, lookbehind, possessive quantifiers), where Swift's `Regex`
/// refuses some of them. Like Java's `matches()`, the whole value must match.
struct AllowedPattern {
    private let expression: NSRegularExpression

    /// The compiled pattern, or nil when ICU cannot read it.
    init?(_ pattern: String) {
        let translated = Self.icuClasses(pattern)
        guard let expression = try? NSRegularExpression(pattern: "\\A(?:" + translated + ")\\z") else { return nil }
        self.expression = expression
    }

    /// Java's syntax where ICU's differs: inside `[...]`, ICU reads `--` as set difference and
    /// `{...}` as strings, where Java reads a literal `-` (`[--]` is the dash) and braces. Such
    /// characters are escaped; ranges (`a-z`) keep their dash.
    static func icuClasses(_ pattern: String) -> String {
        let characters = Array(pattern)
        var output = ""
        var depth = 0
        var index = 0
        func atom(at position: Int) -> (text: String, end: Int) {
            if characters[position] == "\\", position + 1 < characters.count {
                return ("\\" + String(characters[position + 1]), position + 2)
            }
            let character = characters[position]
            return (["-", "{", "}"].contains(character) ? "\\" + String(character) : String(character), position + 1)
        }
        while index < characters.count {
            let character = characters[index]
            if depth == 0 {
                if character == "\\", index + 1 < characters.count {
                    output += String(characters[index...index + 1])
                    index += 2
                    continue
                }
                if character == "[" {
                    depth = 1
                    output += "["
                    index += 1
                    if index < characters.count, characters[index] == "^" {
                        output += "^"
                        index += 1
                    }
                    continue
                }
                output.append(character)
                index += 1
                continue
            }
            switch character {
            case "]":
                depth -= 1
                output += "]"
                index += 1
            case "[":
                depth += 1
                output += "["
                index += 1
            case "&" where index + 1 < characters.count && characters[index + 1] == "&":
                output += "&&"
                index += 2
            default:
                let first = atom(at: index)
                let isRange = first.end + 1 < characters.count && characters[first.end] == "-" && characters[first.end + 1] != "]"
                if isRange {
                    let last = atom(at: first.end + 1)
                    output += first.text + "-" + last.text
                    index = last.end
                } else {
                    output += first.text
                    index = first.end
                }
            }
        }
        return output
    }

    /// Whether the whole text matches.
    func matchesWhole(_ text: String) -> Bool {
        let range = NSRange(text.startIndex..., in: text)
        return expression.firstMatch(in: text, options: [], range: range) != nil
    }
}
