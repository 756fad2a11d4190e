internal import Crypto
import Foundation

/// The one byte sequence a value, a template or a change set is hashed as.
///
/// Keys are sorted, there is no whitespace, and scalars are written as strings, so that
/// values CloudFormation treats as equal (`80` and `"80"`, any key order, JSON or YAML)
/// encode the same and an approval bound to a digest survives reformatting.
enum CanonicalEncoding {
    /// Compact JSON with sorted keys; intrinsic functions appear in their long JSON form.
    static func json(_ value: TemplateValue) -> String {
        var output = ""
        write(value, to: &output)
        return output
    }

    /// The scalar's text, or compact JSON for anything else: how before and after values are shown.
    static func display(_ value: TemplateValue?) -> String? {
        guard let value else { return nil }
        if case .null = value { return "null" }
        return value.scalarText ?? json(value)
    }

    private static func write(_ value: TemplateValue, to output: inout String) {
        switch value {
        case .string(let text), .number(let text):
            writeString(text, to: &output)
        case .bool(let flag):
            writeString(flag ? "true" : "false", to: &output)
        case .null:
            output += "null"
        case .list(let items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += "," }
                write(item, to: &output)
            }
            output += "]"
        case .map(let map):
            output += "{"
            for (index, key) in map.keys.sorted().enumerated() {
                if index > 0 { output += "," }
                writeString(key, to: &output)
                output += ":"
                if let item = map[key] { write(item, to: &output) }
            }
            output += "}"
        case .function(let function, let argument):
            output += "{"
            writeString(function.rawValue, to: &output)
            output += ":"
            write(argument, to: &output)
            output += "}"
        }
    }

    private static func writeString(_ text: String, to output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            default:
                if scalar.value < 0x20 {
                    output += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                        + String(scalar.value, radix: 16)
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }

    /// Hex SHA-256 of some bytes.
    static func sha256Hex(_ data: some DataProtocol) -> String {
        SHA256.hash(data: data).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Hex SHA-256 of a string's UTF-8 bytes.
    static func sha256Hex(_ text: String) -> String {
        sha256Hex(Data(text.utf8))
    }
}

extension Template {
    /// The whole template as one value, sections and resources keyed by name, for hashing.
    var canonicalValue: TemplateValue {
        var root = TemplateMap()
        if let formatVersion { root["AWSTemplateFormatVersion"] = .string(formatVersion) }
        if let description { root["Description"] = .string(description) }
        if let transform { root["Transform"] = transform }
        var parameters = TemplateMap()
        for parameter in self.parameters {
            parameters[parameter.name] = .list(parameter.comparableFields.map(TemplateValue.string))
        }
        root["Parameters"] = .map(parameters)
        root["Conditions"] = .map(conditions)
        root["Mappings"] = .map(mappings)
        var resources = TemplateMap()
        for resource in self.resources {
            resources[resource.logicalID] = resource.canonicalValue
        }
        root["Resources"] = .map(resources)
        var outputs = TemplateMap()
        for output in self.outputs {
            outputs[output.name] = output.canonicalValue
        }
        root["Outputs"] = .map(outputs)
        return .map(root)
    }

    /// Hex SHA-256 of the canonical encoding: equal for the same template in JSON or YAML.
    public var contentDigest: String {
        CanonicalEncoding.sha256Hex(CanonicalEncoding.json(canonicalValue))
    }
}

extension TemplateResource {
    /// The declaration as one value, for hashing and display.
    var canonicalValue: TemplateValue {
        var map = TemplateMap()
        map["Type"] = .string(type)
        map["Properties"] = .map(properties)
        if let metadata { map["Metadata"] = metadata }
        if !dependsOn.isEmpty { map["DependsOn"] = .list(dependsOn.sorted().map(TemplateValue.string)) }
        if let condition { map["Condition"] = .string(condition) }
        if let creationPolicy { map["CreationPolicy"] = creationPolicy }
        if let updatePolicy { map["UpdatePolicy"] = updatePolicy }
        if let deletionPolicy { map["DeletionPolicy"] = .string(deletionPolicy) }
        if let updateReplacePolicy { map["UpdateReplacePolicy"] = .string(updateReplacePolicy) }
        return .map(map)
    }
}

extension TemplateOutput {
    /// The output as one value, for comparison, hashing and display.
    var canonicalValue: TemplateValue {
        var map = TemplateMap()
        map["Value"] = value
        if let description { map["Description"] = .string(description) }
        if let exportName { map["Export"] = .map(TemplateMap([("Name", exportName)])) }
        if let condition { map["Condition"] = .string(condition) }
        return .map(map)
    }
}
