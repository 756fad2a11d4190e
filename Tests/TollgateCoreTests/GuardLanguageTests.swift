import Testing
import TollgateCore

/// One feature of the Guard language on a tiny template, with the status a rule must have.
struct GuardCase: CustomTestStringConvertible, Sendable {
    var feature: String
    var rules: String
    var template: String
    var rule: String
    var expected: GuardStatus

    var testDescription: String { "\(feature) → \(expected.rawValue)" }
}

/// Evaluates rules on a template and returns the named rule's status.
func guardStatus(_ rules: String, _ template: String, rule: String, now: Int64 = 1_700_000_000) throws -> GuardStatus {
    let file = try GuardRuleParser.parse(rules, fileName: "test.guard")
    let document = try GuardDocumentReader.read(template, fileName: "template.yaml")
    let results = try GuardEvaluator(now: now).evaluate(file, against: document)
    let result = try #require(results.first { $0.name == rule })
    return result.status
}

private let bucketRule = """
    let buckets = Resources.*[ Type == 'AWS::S3::Bucket' ]
    rule versioned when %buckets !empty {
        %buckets.Properties.VersioningConfiguration.Status == 'Enabled'
    }
    """

private let versionedBucket = """
    Resources:
      Logs:
        Type: AWS::S3::Bucket
        Properties:
          VersioningConfiguration:
            Status: Enabled
    """

private let plainBucket = """
    Resources:
      Logs:
        Type: AWS::S3::Bucket
        Properties:
          BucketName: logs
    """

private let noBuckets = """
    Resources:
      Queue:
        Type: AWS::SQS::Queue
    """

@Suite("Guard language")
struct GuardLanguageTests {
    static let cases: [GuardCase] = [
        // let, %variables, filters and when
        GuardCase(feature: "let and filter: bucket versioned", rules: bucketRule, template: versionedBucket, rule: "versioned", expected: .pass),
        GuardCase(feature: "let and filter: bucket not versioned", rules: bucketRule, template: plainBucket, rule: "versioned", expected: .fail),
        GuardCase(feature: "when !empty: no bucket", rules: bucketRule, template: noBuckets, rule: "versioned", expected: .skip),
        GuardCase(feature: "when !empty: no resources at all", rules: bucketRule, template: "{}", rule: "versioned", expected: .skip),
        // * and [*]
        GuardCase(
            feature: "[*] over a list", rules: "rule r { Resources.*.Properties.Tags[*].Key == /^[a-z]+$/ }",
            template: "Resources:\n  A:\n    Properties:\n      Tags:\n        - Key: team\n        - Key: cost\n", rule: "r",
            expected: .pass),
        GuardCase(
            feature: "[*] over a list, one bad", rules: "rule r { Resources.*.Properties.Tags[*].Key == /^[a-z]+$/ }",
            template: "Resources:\n  A:\n    Properties:\n      Tags:\n        - Key: team\n        - Key: Cost\n", rule: "r",
            expected: .fail),
        // map-key filter
        GuardCase(
            feature: "keys filter", rules: "rule r { Resources[ keys == /^Prod/ ].Type == 'AWS::S3::Bucket' }",
            template: "Resources:\n  ProdBucket:\n    Type: AWS::S3::Bucket\n  DevQueue:\n    Type: AWS::SQS::Queue\n", rule: "r",
            expected: .pass),
        // this
        GuardCase(
            feature: "this in a block", rules: "let ports = [22, 3389]\nrule r { Resources.*.Properties.Port { this not in %ports } }",
            template: "Resources:\n  A:\n    Properties:\n      Port: 443\n", rule: "r", expected: .pass),
        GuardCase(
            feature: "this in a block, bad port", rules: "let ports = [22, 3389]\nrule r { Resources.*.Properties.Port { this not in %ports } }",
            template: "Resources:\n  A:\n    Properties:\n      Port: 22\n", rule: "r", expected: .fail),
        // named rules and references
        GuardCase(
            feature: "rule referenced in when", rules: "rule has_buckets { Resources.*.Type == 'AWS::S3::Bucket' }\nrule r when has_buckets { Resources.*.Properties exists }",
            template: noBuckets, rule: "r", expected: .skip),
        GuardCase(
            feature: "negated rule reference", rules: "rule has_buckets { Resources.*.Type == 'AWS::S3::Bucket' }\nrule r { not has_buckets }",
            template: noBuckets, rule: "r", expected: .pass),
        // or
        GuardCase(
            feature: "or: second alternative holds",
            rules: "rule r { Resources.*.Properties.A exists or Resources.*.Properties.B exists }",
            template: "Resources:\n  X:\n    Properties:\n      B: 1\n", rule: "r", expected: .pass),
        GuardCase(
            feature: "OR: neither holds", rules: "rule r { Resources.*.Properties.A exists OR Resources.*.Properties.B exists }",
            template: "Resources:\n  X:\n    Properties:\n      C: 1\n", rule: "r", expected: .fail),
        // some
        GuardCase(
            feature: "some: one of several", rules: "rule r { some Resources.*.Properties.Tags[*].Key == 'team' }",
            template: "Resources:\n  A:\n    Properties:\n      Tags:\n        - Key: team\n        - Key: cost\n", rule: "r",
            expected: .pass),
        GuardCase(
            feature: "without some: all must match", rules: "rule r { Resources.*.Properties.Tags[*].Key == 'team' }",
            template: "Resources:\n  A:\n    Properties:\n      Tags:\n        - Key: team\n        - Key: cost\n", rule: "r",
            expected: .fail),
        // not and !
        GuardCase(
            feature: "not exists", rules: "rule r { Resources.*.Properties.Public not exists }",
            template: plainBucket, rule: "r", expected: .pass),
        GuardCase(
            feature: "!exists on a present key", rules: "rule r { Resources.*.Properties.BucketName !exists }",
            template: plainBucket, rule: "r", expected: .fail),
        GuardCase(
            feature: "leading not on a unary check", rules: "rule r { not Resources.*.Properties.BucketName exists }",
            template: plainBucket, rule: "r", expected: .fail),
        // unary checks
        GuardCase(feature: "is_string", rules: "rule r { Resources.*.Properties.BucketName is_string }", template: plainBucket, rule: "r", expected: .pass),
        GuardCase(feature: "is_list", rules: "rule r { Resources.*.Properties.BucketName is_list }", template: plainBucket, rule: "r", expected: .fail),
        GuardCase(feature: "is_struct", rules: "rule r { Resources.*.Properties is_struct }", template: plainBucket, rule: "r", expected: .pass),
        GuardCase(feature: "is_bool", rules: "rule r { Resources.*.Properties.On is_bool }", template: "Resources:\n  A:\n    Properties:\n      On: true\n", rule: "r", expected: .pass),
        GuardCase(feature: "is_int", rules: "rule r { Resources.*.Properties.N is_int }", template: "Resources:\n  A:\n    Properties:\n      N: 3\n", rule: "r", expected: .pass),
        GuardCase(feature: "is_float", rules: "rule r { Resources.*.Properties.N is_float }", template: "Resources:\n  A:\n    Properties:\n      N: 3\n", rule: "r", expected: .fail),
        GuardCase(feature: "is_null", rules: "rule r { Resources.*.Properties.N is_null }", template: "Resources:\n  A:\n    Properties:\n      N: ~\n", rule: "r", expected: .pass),
        GuardCase(feature: "empty list", rules: "rule r { Resources.*.Properties.L empty }", template: "Resources:\n  A:\n    Properties:\n      L: []\n", rule: "r", expected: .pass),
        GuardCase(feature: "!empty list", rules: "rule r { Resources.*.Properties.L !empty }", template: "Resources:\n  A:\n    Properties:\n      L: []\n", rule: "r", expected: .fail),
        // comparisons
        GuardCase(feature: "==", rules: "rule r { Resources.*.Properties.N == 3 }", template: "Resources:\n  A:\n    Properties:\n      N: 3\n", rule: "r", expected: .pass),
        GuardCase(feature: "!=", rules: "rule r { Resources.*.Properties.N != 3 }", template: "Resources:\n  A:\n    Properties:\n      N: 3\n", rule: "r", expected: .fail),
        GuardCase(feature: "<", rules: "rule r { Resources.*.Properties.N < 4 }", template: "Resources:\n  A:\n    Properties:\n      N: 3\n", rule: "r", expected: .pass),
        GuardCase(feature: "<=", rules: "rule r { Resources.*.Properties.N <= 2 }", template: "Resources:\n  A:\n    Properties:\n      N: 3\n", rule: "r", expected: .fail),
        GuardCase(feature: ">", rules: "rule r { Resources.*.Properties.N > 2 }", template: "Resources:\n  A:\n    Properties:\n      N: 3\n", rule: "r", expected: .pass),
        GuardCase(feature: ">=", rules: "rule r { Resources.*.Properties.N >= 4 }", template: "Resources:\n  A:\n    Properties:\n      N: 3\n", rule: "r", expected: .fail),
        GuardCase(feature: "int and float do not compare", rules: "rule r { Resources.*.Properties.N == 3.0 }", template: "Resources:\n  A:\n    Properties:\n      N: 3\n", rule: "r", expected: .fail),
        GuardCase(feature: "IN a list", rules: "rule r { Resources.*.Properties.Engine IN ['mysql', 'postgres'] }", template: "Resources:\n  A:\n    Properties:\n      Engine: postgres\n", rule: "r", expected: .pass),
        GuardCase(feature: "not in a list", rules: "rule r { Resources.*.Properties.Engine not in ['mysql', 'postgres'] }", template: "Resources:\n  A:\n    Properties:\n      Engine: postgres\n", rule: "r", expected: .fail),
        GuardCase(feature: "regular expression", rules: "rule r { Resources.*.Properties.BucketName == /^lo/ }", template: plainBucket, rule: "r", expected: .pass),
        GuardCase(feature: "regular expression, no match", rules: "rule r { Resources.*.Properties.BucketName != /^lo/ }", template: plainBucket, rule: "r", expected: .fail),
        GuardCase(feature: "range", rules: "rule r { Resources.*.Properties.N IN r[1, 3) }", template: "Resources:\n  A:\n    Properties:\n      N: 3\n", rule: "r", expected: .fail),
        // short-form tags as cfn-guard reads them
        GuardCase(
            feature: "!Ref becomes a Ref map", rules: "rule r { Resources.*.Properties.KmsKeyId.Ref == 'Key' }",
            template: "Resources:\n  A:\n    Properties:\n      KmsKeyId: !Ref Key\n", rule: "r", expected: .pass),
        GuardCase(
            feature: "!GetAtt stays one string", rules: "rule r { Resources.*.Properties.Arn.'Fn::GetAtt' == 'Key.Arn' }",
            template: "Resources:\n  A:\n    Properties:\n      Arn: !GetAtt Key.Arn\n", rule: "r", expected: .pass),
        // type blocks
        GuardCase(
            feature: "type block", rules: "AWS::S3::Bucket { Properties.BucketName exists }", template: plainBucket, rule: "default",
            expected: .pass),
        GuardCase(
            feature: "type block without such resources", rules: "AWS::S3::Bucket { Properties.BucketName exists }", template: noBuckets,
            rule: "default", expected: .skip),
        // the registry's suppression convention
        GuardCase(
            feature: "suppressed by Metadata.guard.SuppressedRules",
            rules: """
                let buckets = Resources.*[ Type == 'AWS::S3::Bucket'
                  Metadata.guard.SuppressedRules not exists or
                  Metadata.guard.SuppressedRules.* != "VERSIONED" ]
                rule VERSIONED when %buckets !empty { %buckets.Properties.VersioningConfiguration exists }
                """,
            template: "Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Metadata:\n      guard:\n        SuppressedRules: [VERSIONED]\n",
            rule: "VERSIONED", expected: .skip),
        // functions
        GuardCase(
            feature: "count", rules: "let buckets = Resources.*[ Type == 'AWS::S3::Bucket' ]\nrule r { let n = count(%buckets)\n %n == 1 }",
            template: plainBucket, rule: "r", expected: .pass),
        GuardCase(
            feature: "json_parse", rules: "rule r { let doc = json_parse(Resources.*.Properties.Policy)\n %doc.Version == '2012-10-17' }",
            template: "Resources:\n  A:\n    Properties:\n      Policy: '{\"Version\": \"2012-10-17\"}'\n", rule: "r", expected: .pass),
        GuardCase(
            feature: "regex_replace", rules: "rule r { let v = regex_replace(Resources.*.Properties.Arn, '^arn:(\\w+):(\\w+)', '${1}/${2}')\n %v == 'aws/s3' }",
            template: "Resources:\n  A:\n    Properties:\n      Arn: arn:aws:s3\n", rule: "r", expected: .pass),
        GuardCase(
            feature: "join", rules: "rule r { let v = join(Resources.*.Properties.L[*], ',')\n %v == 'a,b' }",
            template: "Resources:\n  A:\n    Properties:\n      L: [a, b]\n", rule: "r", expected: .pass),
        GuardCase(
            feature: "substring", rules: "rule r { let v = substring(Resources.*.Properties.BucketName, 0, 2)\n %v == 'lo' }",
            template: plainBucket, rule: "r", expected: .pass),
        GuardCase(
            feature: "to_upper and to_lower", rules: "rule r { let u = to_upper(Resources.*.Properties.BucketName)\n let l = to_lower(%u)\n %u == 'LOGS'\n %l == 'logs' }",
            template: plainBucket, rule: "r", expected: .pass),
        GuardCase(
            feature: "url_decode", rules: "rule r { let v = url_decode(Resources.*.Properties.Q)\n %v == 'a b' }",
            template: "Resources:\n  A:\n    Properties:\n      Q: a%20b\n", rule: "r", expected: .pass),
        GuardCase(
            feature: "now and parse_epoch", rules: "rule r { let t = parse_epoch(Resources.*.Properties.Expires)\n let n = now()\n %t < %n }",
            template: "Resources:\n  A:\n    Properties:\n      Expires: '2020-01-01T00:00:00Z'\n", rule: "r", expected: .pass),
        GuardCase(
            feature: "parse_boolean", rules: "rule r { let v = parse_boolean(Resources.*.Properties.On)\n %v == true }",
            template: "Resources:\n  A:\n    Properties:\n      On: 'True'\n", rule: "r", expected: .pass),
        GuardCase(
            feature: "parse_int and parse_float", rules: "rule r { let i = parse_int(Resources.*.Properties.N)\n let f = parse_float(Resources.*.Properties.N)\n %i == 7\n %f == 7.0 }",
            template: "Resources:\n  A:\n    Properties:\n      N: '7'\n", rule: "r", expected: .pass),
        GuardCase(
            feature: "parse_string", rules: "rule r { let s = parse_string(Resources.*.Properties.N)\n %s == '7' }",
            template: "Resources:\n  A:\n    Properties:\n      N: 7\n", rule: "r", expected: .pass),
        GuardCase(
            feature: "parse_char", rules: "rule r { let c = parse_char(Resources.*.Properties.N)\n let i = parse_int(%c)\n %i == 7 }",
            template: "Resources:\n  A:\n    Properties:\n      N: '7'\n", rule: "r", expected: .pass),
    ]

    @Test("each language feature", arguments: cases)
    func feature(_ testCase: GuardCase) throws {
        #expect(try guardStatus(testCase.rules, testCase.template, rule: testCase.rule) == testCase.expected)
    }

    @Test("a failing clause names resource, path, line and the author's message")
    func failureDetails() throws {
        let rules = """
            rule versioned {
                Resources.*.Properties.VersioningConfiguration.Status == 'Enabled' << Turn on versioning >>
            }
            """
        let template = """
            Resources:
              Logs:
                Type: AWS::S3::Bucket
                Properties:
                  VersioningConfiguration:
                    Status: Suspended
            """
        let file = try GuardRuleParser.parse(rules, fileName: "s3.guard")
        let results = try GuardEvaluator(now: 0).evaluate(file, against: try GuardDocumentReader.read(template, fileName: "t.yaml"))
        let failure = try #require(results.first?.failures.first)
        #expect(results.first?.status == .fail)
        #expect(failure.resource == "Logs")
        #expect(failure.path == "/Resources/Logs/Properties/VersioningConfiguration/Status")
        #expect(failure.line == 6)
        #expect(failure.customMessage == "Turn on versioning")
        #expect(failure.clause.line == 2)
    }

    @Test("a rule file that does not parse names the line and column")
    func parseErrorLocation() throws {
        let rules = "rule r {\n    Resources.*.Properties.X == 'a'\n    Resources.*.Properties.Y ==\n}\n"
        do {
            _ = try GuardRuleParser.parse(rules, fileName: "broken.guard")
            Issue.record("expected a syntax error")
        } catch {
            guard case .syntax(let location, _) = error else {
                Issue.record("expected a syntax error, got \(error)")
                return
            }
            #expect(location.fileName == "broken.guard")
            #expect(location.line == 4)
            #expect(location.column == 1)
            #expect(error.description.hasPrefix("broken.guard:4:1"))
        }
    }

    @Test("an unclosed block is an error at the end of the file")
    func unclosedBlock() throws {
        #expect(throws: GuardError.self) { try GuardRuleParser.parse("rule r {\n  Resources exists\n", fileName: "open.guard") }
    }

    @Test("an unknown function is an error naming it")
    func unknownFunction() throws {
        do {
            _ = try GuardRuleParser.parse("rule r {\n  let n = counter(Resources.*)\n  %n == 1\n}\n", fileName: "f.guard")
            Issue.record("expected an unknown function error")
        } catch {
            guard case .unknownFunction(let location, let name, _) = error else {
                Issue.record("expected an unknown function error, got \(error)")
                return
            }
            #expect(name == "counter")
            #expect(location.line == 2)
            #expect(location.column == 11)
        }
    }

    @Test("hostile nesting is refused by the parser instead of exhausting the stack")
    func deepNestingRefused() throws {
        let depth = 5_000
        let rules = "rule r { " + String(repeating: "Resources.*[ ", count: depth) + "Type exists"
            + String(repeating: " ]", count: depth) + " exists }"
        #expect(throws: GuardError.self) { try GuardRuleParser.parse(rules, fileName: "deep.guard") }
        let deepList = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(throws: GuardError.self) { try GuardRuleParser.parse("let x = \(deepList)\n", fileName: "deep.guard") }
    }

    @Test("a rule that refers to itself, or variables that refer to each other, end in an error")
    func loopsEndInErrors() throws {
        let selfReference = "rule a { b }\nrule b { a }\n"
        #expect(throws: GuardError.self) { try guardStatus(selfReference, "{}", rule: "a") }
        let variables = "let a = %b\nlet b = %a\nrule r { %a exists }\n"
        #expect(throws: GuardError.self) { try guardStatus(variables, "{}", rule: "r") }
    }

    @Test("work on a hostile template is bounded by the step limit")
    func stepLimit() throws {
        let resources = (0..<200).map { "  R\($0):\n    Type: T\n    Properties:\n      L: [1, 2, 3, 4, 5, 6, 7, 8]\n" }.joined()
        let template = "Resources:\n" + resources
        let rules = "rule r { Resources.*[ Properties.L[*] { this > 0 } ].Properties.L[*] == Resources.*.Properties.L[*] }"
        let file = try GuardRuleParser.parse(rules, fileName: "r.guard")
        let document = try GuardDocumentReader.read(template, fileName: "t.yaml")
        #expect(throws: GuardError.self) { try GuardEvaluator(now: 0, maximumSteps: 1_000).evaluate(file, against: document) }
    }

    @Test("a test file case with a status that is not PASS, FAIL or SKIP names its line")
    func badExpectation() throws {
        let tests = "- name: one\n  input: {}\n  expectations:\n    rules:\n      r: MAYBE\n"
        do {
            _ = try GuardTestFileReader.read(tests, fileName: "t.yml")
            Issue.record("expected an error")
        } catch {
            guard case .data(let location, _) = error else {
                Issue.record("expected a data error, got \(error)")
                return
            }
            #expect(location.line == 5)
        }
    }
}
