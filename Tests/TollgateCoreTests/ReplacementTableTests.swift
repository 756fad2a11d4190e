import Testing
import TollgateCore

@Suite("Replacement table")
struct ReplacementTableTests {
    @Test("The generated table knows common types and their create-only properties")
    func generated() throws {
        let table = ReplacementTable.shared
        #expect(table.entries.count > 1000)
        let bucket = try #require(table.entry(for: "AWS::S3::Bucket"))
        #expect(bucket.createOnlyProperties.contains("BucketName") && bucket.taggable)
        #expect(table.requiresRecreation(type: "AWS::EC2::Instance", property: "ImageId", before: .string("a"), after: .string("b")) == .always)
        #expect(table.requiresRecreation(type: "AWS::EC2::Instance", property: "InstanceType", before: .string("a"), after: .string("b")) == .never)
        #expect(table.requiresRecreation(type: "Custom::Thing", property: "X", before: nil, after: .string("b")) == .conditionally)
    }

    @Test("A nested create-only path only counts when the nested value changes")
    func nestedPaths() {
        let table = ReplacementTable(source: "AWS::Test::Thing\t0\tConfig/Name")
        let before = TemplateValue.map(TemplateMap([("Name", .string("a")), ("Size", .number("1"))]))
        let sizeChanged = TemplateValue.map(TemplateMap([("Name", .string("a")), ("Size", .number("2"))]))
        let nameChanged = TemplateValue.map(TemplateMap([("Name", .string("b")), ("Size", .number("1"))]))
        #expect(table.requiresRecreation(type: "AWS::Test::Thing", property: "Config", before: before, after: sizeChanged) == .never)
        #expect(table.requiresRecreation(type: "AWS::Test::Thing", property: "Config", before: before, after: nameChanged) == .always)
    }
}
