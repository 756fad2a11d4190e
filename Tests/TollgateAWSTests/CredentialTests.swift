import Foundation
import Synchronization
import Testing
import TollgateAWS
import TollgateTestSupport

@Suite("AWS credentials")
struct CredentialTests {
    let home: TemporaryDirectory

    init() throws {
        home = try TemporaryDirectory(prefix: "tollgate-aws-home")
        try FileManager.default.createDirectory(atPath: home.appending(".aws"), withIntermediateDirectories: true)
    }

    func write(_ relative: String, _ text: String) throws {
        try text.write(toFile: home.appending(relative), atomically: true, encoding: .utf8)
    }

    func resolve(_ environment: [String: String]) throws(AWSError) -> AWSCredentials {
        try AWSCredentialChain(environment: environment, homeDirectory: home.path).resolve()
    }

    @Test("the environment comes first, session token included")
    func environmentFirst() throws {
        try write(".aws/credentials", "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = filesecret\n")
        let credentials = try resolve([
            "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": TestCredentials.secret,
            "AWS_SESSION_TOKEN": TestCredentials.token,
        ])
        #expect(credentials.accessKeyID == "AKIDENV")
        #expect(credentials.sessionToken == TestCredentials.token)
        #expect(credentials.source == "the environment")
    }

    @Test("half a key pair in the environment names the missing variable")
    func incompleteEnvironment() {
        #expect {
            try resolve(["AWS_ACCESS_KEY_ID": "AKIDENV"])
        } throws: { error in
            "\(error)".contains("AWS_SECRET_ACCESS_KEY")
        }
    }

    @Test("the default profile of the credentials file, then of the config file")
    func defaultProfile() throws {
        try write(".aws/config", "[default]\nregion = eu-west-1\naws_access_key_id = AKIDCONFIG\naws_secret_access_key = s\n")
        #expect(try resolve([:]).accessKeyID == "AKIDCONFIG")
        try write(
            ".aws/credentials",
            "# comment\n[default]\naws_access_key_id=AKIDFILE\naws_secret_access_key =  filesecret  \naws_session_token = tok\n"
        )
        let credentials = try resolve([:])
        #expect(credentials.accessKeyID == "AKIDFILE")
        #expect(credentials.secretAccessKey == "filesecret")
        #expect(credentials.sessionToken == "tok")
        #expect(credentials.source.contains("profile default in \(home.path)/.aws/credentials"))
    }

    @Test("AWS_PROFILE picks a profile; the config file names it `profile NAME`")
    func namedProfile() throws {
        try write(".aws/credentials", "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s\n")
        try write(".aws/config", "[profile deploy]\naws_access_key_id = AKIDDEPLOY\naws_secret_access_key = s\n")
        #expect(try resolve(["AWS_PROFILE": "deploy"]).accessKeyID == "AKIDDEPLOY")
        #expect {
            try resolve(["AWS_PROFILE": "nobody"])
        } throws: { error in
            "\(error)".contains("nobody") && "\(error)".contains(".aws/credentials")
        }
    }

    @Test("AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE move the files")
    func movedFiles() throws {
        try write("creds", "[ci]\naws_access_key_id = AKIDMOVED\naws_secret_access_key = s\n")
        try write("conf", "[profile other]\naws_access_key_id = AKIDCONF\naws_secret_access_key = s\n")
        let environment = ["AWS_SHARED_CREDENTIALS_FILE": home.appending("creds"), "AWS_CONFIG_FILE": home.appending("conf")]
        #expect(try resolve(environment.merging(["AWS_PROFILE": "ci"]) { $1 }).accessKeyID == "AKIDMOVED")
        #expect(try resolve(environment.merging(["AWS_PROFILE": "other"]) { $1 }).accessKeyID == "AKIDCONF")
    }

    @Test("no credentials anywhere says where it looked")
    func missing() {
        #expect {
            try resolve([:])
        } throws: { error in
            guard let error = error as? AWSError, error.kind == .credentials else { return false }
            return "\(error)".contains("AWS_ACCESS_KEY_ID") && "\(error)".contains(".aws/credentials")
        }
    }

    @Test("a profile that runs a program is refused by name, not half supported")
    func unsupportedProfile() throws {
        try write(".aws/config", "[profile sso]\ncredential_process = /usr/bin/get-creds\n")
        #expect {
            try resolve(["AWS_PROFILE": "sso"])
        } throws: { error in
            "\(error)".contains("credential_process") && "\(error)".contains("role-arn")
        }
    }

    @Test("a malformed line is reported by file and line, never quoted: it may hold the secret")
    func malformedLineHidesSecret() throws {
        try write(".aws/credentials", "[default]\naws_access_key_id = AKID\naws_secret_access_key \(TestCredentials.secret)\n")
        #expect {
            try resolve([:])
        } throws: { error in
            let text = "\(error)"
            return text.contains("credentials:3") && TestCredentials.holdsNoSecret(text)
        }
    }

    @Test("no textual form of credentials shows the secret or the token")
    func credentialsHideSecrets() {
        let credentials = TestCredentials.credentials
        var dumped = ""
        dump(credentials, to: &dumped)
        for text in ["\(credentials)", String(describing: credentials), String(reflecting: credentials), dumped] {
            #expect(text.contains("AKIDTESTKEY"))
            #expect(TestCredentials.holdsNoSecret(text), "\(text)")
        }
    }

    @Test("an assumed role is asked of STS once, and again shortly before it expires")
    func assumedRoleRefreshes() async throws {
        func answer(_ key: String, expiring: String) -> CannedTransport.Answer {
            .response(200, """
                <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                  <AssumeRoleResult>
                    <AssumedRoleUser><Arn>arn:aws:sts::210987654321:assumed-role/deployer/tollgate</Arn>
                      <AssumedRoleId>AROA3XFRBF535PLBIFPI4:tollgate</AssumedRoleId></AssumedRoleUser>
                    <Credentials>
                      <AccessKeyId>\(key)</AccessKeyId>
                      <SecretAccessKey>\(TestCredentials.secret)</SecretAccessKey>
                      <SessionToken>\(TestCredentials.token)</SessionToken>
                      <Expiration>\(expiring)</Expiration>
                    </Credentials>
                  </AssumeRoleResult>
                  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
                </AssumeRoleResponse>
                """)
        }
        let transport = CannedTransport([
            answer("ASIAFIRST", expiring: "2026-01-01T01:00:00Z"), answer("ASIASECOND", expiring: "2026-01-01T02:00:00Z"),
        ])
        let clock = Mutex(try Date("2026-01-01T00:00:00Z", strategy: .iso8601))
        let sts = STSClient(connection: AWSServiceConnection(
            service: "sts", region: "eu-west-1", credentials: TestCredentials.provider, transport: transport,
            retry: RecordedSleeps().policy()
        ))
        let provider = AssumedRoleCredentialProvider(
            roleARN: "arn:aws:iam::210987654321:role/deployer", sessionName: "tollgate", sts: sts,
            now: { clock.withLock { $0 } }
        )

        #expect(try await provider.credentials().accessKeyID == "ASIAFIRST")
        clock.withLock { $0 += 50 * 60 }
        #expect(try await provider.credentials().accessKeyID == "ASIAFIRST", "ten minutes left: no refresh yet")
        clock.withLock { $0 += 6 * 60 }
        let refreshed = try await provider.credentials()
        #expect(refreshed.accessKeyID == "ASIASECOND", "four minutes left: refreshed")
        #expect(refreshed.expiration == (try Date("2026-01-01T02:00:00Z", strategy: .iso8601)))
        #expect(refreshed.source == "role arn:aws:iam::210987654321:role/deployer")
        #expect(transport.sent.count == 2)
        let form = try #require(transport.sentForms.first)
        #expect(form["Action"] == "AssumeRole")
        #expect(form["RoleArn"] == "arn:aws:iam::210987654321:role/deployer")
        #expect(form["RoleSessionName"] == "tollgate")
    }
}
