public import Foundation

/// Finds long-term credentials where the AWS CLI and SDKs look for them, in the same order.
///
/// 1. `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and, optionally, `AWS_SESSION_TOKEN`;
/// 2. the profile named by `AWS_PROFILE` (or `default`) in the shared credentials file
///    (`AWS_SHARED_CREDENTIALS_FILE`, default `~/.aws/credentials`, sections `[name]`);
/// 3. the same profile in the config file (`AWS_CONFIG_FILE`, default `~/.aws/config`, sections
///    `[profile name]`, or `[default]`).
///
/// Profiles that get credentials by running a program, through SSO or by chaining roles are
/// refused with a clear error rather than half supported; cross-account roles are assumed by
/// ``AssumedRoleCredentialProvider`` from the role named in the deployment policy.
public struct AWSCredentialChain: Sendable {
    /// The environment to read, normally the process's.
    public let environment: [String: String]
    /// The home folder that `~` stands for.
    public let homeDirectory: String

    /// Creates a chain reading `environment` and the files under `homeDirectory`.
    public init(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        homeDirectory: String = FileManager.default.homeDirectoryForCurrentUser.path
    ) {
        self.environment = environment
        self.homeDirectory = homeDirectory
    }

    /// The first credentials found.
    ///
    /// - Throws: ``AWSError/missingCredentials(searched:)`` when there are none,
    ///   ``AWSError/incompleteCredentials(source:missing:)`` for half a key pair,
    ///   ``AWSError/profileNotFound(profile:files:)`` when `AWS_PROFILE` names no profile, and
    ///   ``AWSError/malformedProfileFile(path:line:reason:)`` for a file that cannot be read.
    public func resolve() throws(AWSError) -> AWSCredentials {
        let keyID = nonEmpty(environment["AWS_ACCESS_KEY_ID"])
        let secret = nonEmpty(environment["AWS_SECRET_ACCESS_KEY"])
        switch (keyID, secret) {
        case let (keyID?, secret?):
            return AWSCredentials(
                accessKeyID: keyID, secretAccessKey: secret, sessionToken: nonEmpty(environment["AWS_SESSION_TOKEN"]),
                source: "the environment"
            )
        case (.some, nil):
            throw .incompleteCredentials(source: "the environment", missing: "AWS_SECRET_ACCESS_KEY")
        case (nil, .some):
            throw .incompleteCredentials(source: "the environment", missing: "AWS_ACCESS_KEY_ID")
        case (nil, nil):
            break
        }

        let named = nonEmpty(environment["AWS_PROFILE"])
        let profile = named ?? "default"
        let credentialsFile = nonEmpty(environment["AWS_SHARED_CREDENTIALS_FILE"]).map(expand)
            ?? homeDirectory + "/.aws/credentials"
        let configFile = nonEmpty(environment["AWS_CONFIG_FILE"]).map(expand) ?? homeDirectory + "/.aws/config"

        if let section = try ProfileFile.read(credentialsFile)?.sections[profile] {
            return try credentials(from: section, profile: profile, file: credentialsFile)
        }
        let configSection = profile == "default" ? "default" : "profile " + profile
        if let section = try ProfileFile.read(configFile)?.sections[configSection] {
            return try credentials(from: section, profile: profile, file: configFile)
        }
        if named != nil {
            throw .profileNotFound(profile: profile, files: [credentialsFile, configFile])
        }
        throw .missingCredentials(searched: [
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", "profile default in \(credentialsFile)",
            "profile default in \(configFile)",
        ])
    }

    private func credentials(from section: [String: String], profile: String, file: String) throws(AWSError)
        -> AWSCredentials
    {
        let source = "profile \(profile) in \(file)"
        let keyID = nonEmpty(section["aws_access_key_id"])
        let secret = nonEmpty(section["aws_secret_access_key"])
        if keyID == nil && secret == nil {
            for setting in ["credential_process", "sso_session", "sso_start_url", "role_arn", "web_identity_token_file"]
            where section[setting] != nil {
                throw .unsupportedProfile(profile: profile, file: file, setting: setting)
            }
        }
        guard let keyID else { throw .incompleteCredentials(source: source, missing: "aws_access_key_id") }
        guard let secret else { throw .incompleteCredentials(source: source, missing: "aws_secret_access_key") }
        return AWSCredentials(
            accessKeyID: keyID, secretAccessKey: secret, sessionToken: nonEmpty(section["aws_session_token"]),
            source: source
        )
    }

    private func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }

    private func expand(_ path: String) -> String {
        path.hasPrefix("~/") ? homeDirectory + path.dropFirst() : path
    }
}

/// An AWS shared config or credentials file: INI sections of `key = value` lines.
struct ProfileFile {
    /// Keys are lower-cased, as the AWS CLI reads them.
    var sections: [String: [String: String]]

    /// Reads `path`; `nil` when the file does not exist.
    static func read(_ path: String) throws(AWSError) -> ProfileFile? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .malformedProfileFile(path: path, line: 1, reason: "cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .malformedProfileFile(path: path, line: 1, reason: "is not UTF-8 text")
        }
        return try parse(text, path: path)
    }

    static func parse(_ text: String, path: String) throws(AWSError) -> ProfileFile {
        var sections: [String: [String: String]] = [:]
        var current: String?
        var lastKey: String?
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\r")))
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else {
                    throw .malformedProfileFile(path: path, line: index + 1, reason: "a section header lacks its closing ]")
                }
                let name = line.dropFirst().dropLast().split(whereSeparator: \.isWhitespace).joined(separator: " ")
                current = name
                lastKey = nil
                if sections[name] == nil { sections[name] = [:] }
                continue
            }
            // An indented line continues a nested setting (the `s3 =` blocks of a config file); it
            // holds no credentials and is skipped.
            if rawLine.first == " " || rawLine.first == "\t", lastKey != nil { continue }
            guard let section = current else {
                throw .malformedProfileFile(path: path, line: index + 1, reason: "a setting comes before any [section]")
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw .malformedProfileFile(path: path, line: index + 1, reason: "the line is not `key = value`")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            sections[section, default: [:]][key] = value
            lastKey = key
        }
        return ProfileFile(sections: sections)
    }
}
