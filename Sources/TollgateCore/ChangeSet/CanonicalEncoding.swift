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
        String(decoding: bytes(value), as: UTF8.self)
    }

    /// ``json(_:)`` as UTF-8 bytes, which is what gets hashed; bytes append much faster than a String.
    static func bytes(_ value: TemplateValue) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(1024)
        write(value, to: &output)
        return output
    }

    /// The scalar's text, or compact JSON for anything else: how before and after values are shown.
    static func display(_ value: TemplateValue?) -> String? {
        guard let value else { return nil }
        if case .null = value { return "null" }
        return value.scalarText ?? json(value)
    }

    static func write(_ value: TemplateValue, to output: inout [UInt8]) {
        switch value {
        case .string(let text), .number(let text):
            writeString(text, to: &output)
        case .bool(let flag):
            writeString(flag ? "true" : "false", to: &output)
        case .null:
            output.append(contentsOf: "null".utf8)
        case .list(let items):
            output.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                write(item, to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .map(let map):
            output.append(UInt8(ascii: "{"))
            // Sorting the entries, not the keys, saves a hash lookup per key.
            for (index, entry) in map.values.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                writeString(entry.key, to: &output)
                output.append(UInt8(ascii: ":"))
                write(entry.value, to: &output)
            }
            output.append(UInt8(ascii: "}"))
        case .function(let function, let argument):
            output.append(UInt8(ascii: "{"))
            writeString(function.rawValue, to: &output)
            output.append(UInt8(ascii: ":"))
            write(argument, to: &output)
            output.append(UInt8(ascii: "}"))
        }
    }

    static func writeString(_ text: String, to output: inout [UInt8]) {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        output.append(quote)
        // Most template strings need no escaping; appending them whole keeps digests cheap.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == quote || $0 == backslash }) {
            output.append(contentsOf: text.utf8)
            output.append(quote)
            return
        }
        for byte in text.utf8 {
            switch byte {
            case quote, backslash:
                output.append(backslash)
                output.append(byte)
            case UInt8(ascii: "\n"):
                output.append(contentsOf: "\\n".utf8)
            case UInt8(ascii: "\r"):
                output.append(contentsOf: "\\r".utf8)
            case UInt8(ascii: "\t"):
                output.append(contentsOf: "\\t".utf8)
            case 0..<0x20:
                let hex = String(byte, radix: 16)
                output.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
            default:
                output.append(byte)
            }
        }
        output.append(quote)
    }

    /// Hex SHA-256 of some bytes, in lower case; written digit by digit into one buffer, since the
    /// table check of `audit verify` fingerprints every stored change set body this way.
    static func sha256Hex(_ data: some DataProtocol) -> String {
        let digest = SHA256.hash(data: data)
        return String(unsafeUninitializedCapacity: 2 * SHA256.byteCount) { buffer in
            var index = 0
            for byte in digest {
                buffer[index] = hexDigits[Int(byte >> 4)]
                buffer[index + 1] = hexDigits[Int(byte & 0x0f)]
                index += 2
            }
            return index
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

}

extension Template {
    /// Hex SHA-256 of the canonical encoding: equal for the same template in JSON or YAML.
    public var contentDigest: String {
        CanonicalEncoding.sha256Hex(CanonicalEncoding.bytes(self))
    }
}

extension CanonicalEncoding {
    /// The whole template as canonical JSON: sections in key order, resources, outputs and
    /// parameters keyed by name. Written section by section rather than built as one value,
    /// because a thousand-entry map would be hashed and sorted only to be written once.
    static func bytes(_ template: Template) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(64 * 1024)
        output.append(UInt8(ascii: "{"))
        if let version = template.formatVersion {
            writeKey("AWSTemplateFormatVersion", to: &output)
            writeString(version, to: &output)
            output.append(UInt8(ascii: ","))
        }
        writeKey("Conditions", to: &output)
        write(.map(template.conditions), to: &output)
        if let description = template.description {
            output.append(UInt8(ascii: ","))
            writeKey("Description", to: &output)
            writeString(description, to: &output)
        }
        if !template.loops.isEmpty {
            output.append(UInt8(ascii: ","))
            writeKey("Loops", to: &output)
            writeNamed(template.loops.map { ("\($0.section.rawValue)/\($0.key)", $0.value) }, to: &output)
        }
        output.append(UInt8(ascii: ","))
        writeKey("Mappings", to: &output)
        write(.map(template.mappings), to: &output)
        // Metadata and Rules enter only when written, so that templates without them keep
        // the digests they had before these sections were part of the canonical form.
        if !template.globals.isEmpty {
            output.append(UInt8(ascii: ","))
            writeKey("Globals", to: &output)
            write(.map(template.globals), to: &output)
        }
        if !template.metadata.isEmpty {
            output.append(UInt8(ascii: ","))
            writeKey("Metadata", to: &output)
            write(.map(template.metadata), to: &output)
        }
        output.append(UInt8(ascii: ","))
        writeKey("Outputs", to: &output)
        writeNamed(template.outputs.map { ($0.name, $0.canonicalValue) }, to: &output)
        output.append(UInt8(ascii: ","))
        writeKey("Parameters", to: &output)
        writeNamed(template.parameters.map { ($0.name, .list($0.comparableFields.map(TemplateValue.string))) }, to: &output)
        output.append(UInt8(ascii: ","))
        writeKey("Resources", to: &output)
        writeNamed(template.resources.map { ($0.logicalID, $0.canonicalValue) }, to: &output)
        if !template.rules.isEmpty {
            output.append(UInt8(ascii: ","))
            writeKey("Rules", to: &output)
            write(.map(template.rules), to: &output)
        }
        if let transform = template.transform {
            output.append(UInt8(ascii: ","))
            writeKey("Transform", to: &output)
            write(transform, to: &output)
        }
        output.append(UInt8(ascii: "}"))
        return output
    }

    private static func writeKey(_ key: String, to output: inout [UInt8]) {
        writeString(key, to: &output)
        output.append(UInt8(ascii: ":"))
    }

    /// Named entries as one JSON object in name order.
    private static func writeNamed(_ entries: [(String, TemplateValue)], to output: inout [UInt8]) {
        output.append(UInt8(ascii: "{"))
        for (index, entry) in entries.sorted(by: { $0.0 < $1.0 }).enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            writeKey(entry.0, to: &output)
            write(entry.1, to: &output)
        }
        output.append(UInt8(ascii: "}"))
    }
}

extension TemplateResource {
    /// The declaration as one value, for hashing and display.
    var canonicalValue: TemplateValue {
        var map = TemplateMap()
        map["Type"] = .string(type)
        map["Properties"] = propertiesExpression ?? .map(properties)
        if let version { map["Version"] = .string(version) }
        if let metadata { map["Metadata"] = metadata }
        if !dependsOn.isEmpty { map["DependsOn"] = .list(dependsOn.sorted().map(TemplateValue.string)) }
        if let condition { map["Condition"] = .string(condition) }
        if let creationPolicy { map["CreationPolicy"] = creationPolicy }
        if let updatePolicy { map["UpdatePolicy"] = updatePolicy }
        if let deletionPolicy = policyExpressions[.deletionPolicy] ?? deletionPolicy.map(TemplateValue.string) {
            map["DeletionPolicy"] = deletionPolicy
        }
        if let updateReplacePolicy = policyExpressions[.updateReplacePolicy] ?? updateReplacePolicy.map(TemplateValue.string) {
            map["UpdateReplacePolicy"] = updateReplacePolicy
        }
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
