// The errors of reading what people write (templates, configurations, settings, policies, guard
// rules, signatures): each names the file, line and column at fault.

extension TemplateError: TollgateError {
    public var kind: ErrorKind { .invalidInput }
}

extension ConfigurationError: TollgateError {
    public var kind: ErrorKind { .invalidInput }
}

extension LayoutError: TollgateError {
    public var kind: ErrorKind { .invalidInput }
}

extension PolicyError: TollgateError {
    public var kind: ErrorKind { .invalidInput }
}

extension GuardError: TollgateError {
    public var kind: ErrorKind { .invalidInput }
}

extension ChangePlanError: TollgateError {
    public var kind: ErrorKind { .invalidInput }
}

extension SignatureError: TollgateError {
    /// A signature that does not verify, or a key nobody lists, is refused rather than malformed.
    public var kind: ErrorKind { .refused }
}
