/// The parameter values a stack is planned with: the configuration's values checked against
/// the template's declarations, with defaults filled in.
public struct ResolvedParameters: Sendable, Equatable {
    /// Values by parameter name; list parameters keep CloudFormation's comma-joined form.
    public var values: [String: String]
    /// Names of `NoEcho` parameters, whose values are masked in every output.
    public var noEcho: Set<String>
    /// Problems that do not stop a plan (from the configuration and the template).
    public var warnings: [String]

    /// Resolved values as given, such as a stack's recorded state.
    public init(values: [String: String], noEcho: Set<String> = [], warnings: [String] = []) {
        self.values = values
        self.noEcho = noEcho
        self.warnings = warnings
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

extension TemplateConfiguration {
    /// Checks this configuration against a template and resolves every parameter's value.
    ///
    /// Checks, in CloudFormation's terms: names the template does not declare, parameters
    /// with no value and no default, `AllowedValues`, `AllowedPattern`, `MinLength`/`MaxLength`,
    /// `MinValue`/`MaxValue`, `Number`, and the basic shape of `AWS::EC2::...` ids and `List<...>`.
    ///
    /// - Throws: ``ConfigurationError`` naming the configuration file and the parameter.
    public func resolveParameters(for template: Template) throws -> ResolvedParameters {
        for name in parameters.keys.sorted() where template.parameter(named: name) == nil {
            throw ConfigurationError.unknownParameter(location: location(of: name), name: name, templateFileName: template.fileName)
        }
        var resolved = ResolvedParameters(values: [:], warnings: warnings + template.warnings)
        for parameter in template.parameters {
            guard let value = parameters[parameter.name] ?? parameter.defaultValue else {
                throw ConfigurationError.missingParameter(
                    fileName: fileName, name: parameter.name, declaredAt: parameter.location)
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
        for item in items {
            if !parameter.allowedValues.isEmpty, !parameter.allowedValues.contains(item) {
                throw invalid(value, "is not one of the AllowedValues \(parameter.allowedValues.joined(separator: ", "))")
            }
            try checkShape(item, type: elementType)
        }
        if let pattern = parameter.allowedPattern {
            let regex: Regex<AnyRegexOutput>
            do {
                regex = try Regex(pattern)
            } catch {
                throw invalid(value, "cannot be checked: AllowedPattern '\(pattern)' is not a valid regular expression")
            }
            if value.wholeMatch(of: regex) == nil {
                throw invalid(value, "does not match AllowedPattern \(pattern)")
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
