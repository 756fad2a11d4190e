import TollgateCore

/// Where Tollgate keeps what it has recorded: stack states, change sets, approvals and the audit trail.
public protocol StateStore: Sendable {}
