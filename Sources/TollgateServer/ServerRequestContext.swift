public import Hummingbird
public import TollgateStore

/// What the server knows about one request besides the request itself: the reviewer its bearer
/// token acts as, once ``BearerAuthMiddleware`` has checked it, and the logger carrying its id.
public struct ServerRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The token that authenticated the request; nil on the open endpoints.
    public var token: AccessTokenRecord?
    /// The store's version the token was checked at; what else the request reads may be kept
    /// for that version (``AuditedReads``).
    var storeVersion: StoreVersion?

    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        token = nil
        storeVersion = nil
    }

    /// Bodies are read with each endpoint's own limit; this bounds anything decoded generically.
    public var maxUploadSize: Int { 1 << 20 }
}
