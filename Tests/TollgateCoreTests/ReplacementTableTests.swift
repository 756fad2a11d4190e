import Testing
@testable import TollgateCore

@Suite("Replacement table")
struct ReplacementTableTests {
    @Test("The generated table knows common types and their create-only properties")
    func generated() throws {
        let table = ReplacementTable.shared
        #expect(table.count > 1000)
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

    @Test("A hand-written table in any order finds every type, the last line of a type winning")
    func unsortedSource() throws {
        let table = ReplacementTable(source: "B::Y::Z\t1\tName\nA::X::Y\t0\t\nbroken line\nB::Y::Z\t0\tOther,Deep/Path\nC\t1\tX")
        #expect(table.count == 3)
        #expect(table.entry(for: "A::X::Y") == .init(createOnlyProperties: [], taggable: false))
        #expect(table.entry(for: "B::Y::Z") == .init(createOnlyProperties: ["Other", "Deep/Path"], taggable: false))
        #expect(table.entry(for: "C") == .init(createOnlyProperties: ["X"], taggable: true))
        #expect(table.entry(for: "B::Y") == nil)
        #expect(table.entry(for: "") == nil)
    }

    @Test("Every line of the generated table is found by its type, with its flag and paths")
    func everyGeneratedLine() throws {
        let table = ReplacementTable.shared
        var found = 0
        for line in (ReplacementTable.generatedSource + "\n" + ReplacementTable.serverlessSource).split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let entry = try #require(table.entry(for: String(fields[0])))
            #expect(entry.taggable == (fields[1] == "1"))
            #expect(entry.createOnlyProperties == fields[2].split(separator: ",").map(String.init))
            found += 1
        }
        #expect(found == table.count)
    }

    @Test("Every recorded user guide disagreement disagrees with the generated table, and the worse answer is predicted")
    func userGuideDisagreements() throws {
        let table = ReplacementTable.shared
        #expect(ReplacementTable.userGuideDisagreements.count >= 9)
        for disagreement in ReplacementTable.userGuideDisagreements {
            let entry = try #require(table.entry(for: disagreement.resourceType))
            // The schema column is what the generated table says; a stale row would fail here.
            let createOnly = entry.createOnlyProperties.contains(disagreement.property)
            #expect(createOnly == (disagreement.schema == .always), "\(disagreement.resourceType).\(disagreement.property)")
            #expect(disagreement.schema != disagreement.userGuide)
            #expect(disagreement.source.hasPrefix("https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/"))
            let predicted = table.requiresRecreation(
                type: disagreement.resourceType, property: disagreement.property, before: .string("a"), after: .string("b"))
            #expect(predicted == .always)
        }
    }

    @Test("A change to a property with a disagreement names it in the change's note")
    func disagreementNamedInNote() throws {
        let text = { (port: String) in "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties: {DBInstanceClass: db.t3.micro, Port: '\(port)'}\n" }
        let changeSet = try ChangePlanner().plan(
            stackName: "db", commit: "c0ffee1",
            base: StackSnapshot(template: try TemplateParser.parse(text("5432"), fileName: "t.yaml"), parameters: ResolvedParameters(values: [:])),
            target: StackSnapshot(template: try TemplateParser.parse(text("5433"), fileName: "t.yaml"), parameters: ResolvedParameters(values: [:])))
        let change = try #require(changeSet.resourceChanges.first)
        #expect(change.replacement == .true)
        #expect(change.note?.contains("AWS::RDS::DBInstance.Port") == true && change.note?.contains("aws-resource-rds-dbinstance") == true)
    }
}
