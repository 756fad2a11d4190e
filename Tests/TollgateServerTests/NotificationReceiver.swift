import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization

/// A webhook receiver on loopback for notification tests, built on Hummingbird.
///
/// - `POST /hook` answers the statuses of ``script`` in turn, then 200, and keeps every body;
/// - `POST /hang` answers only once the test is over;
/// - `POST /redirect` answers 302 to `/elsewhere`, which counts what reaches it;
/// - `POST /huge` answers 200 with a body that never ends.
final class NotificationReceiver: Sendable {
    private struct State {
        var script: [Int]
        var bodies: [Data] = []
        var answered: [Int] = []
        var elsewhere = 0
        var huge = 0
        var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
        var hanging: [CheckedContinuation<Void, Never>] = []
        var released = false
    }

    private let state: Mutex<State>

    init(script: [Int] = []) {
        state = Mutex(State(script: script))
    }

    /// Every body `/hook` received, successful or not, in order.
    var bodies: [Data] { state.withLock { $0.bodies } }
    /// The status `/hook` answered each time.
    var answered: [Int] { state.withLock { $0.answered } }
    /// Posts that reached `/elsewhere` (only by following a redirect).
    var elsewhere: Int { state.withLock { $0.elsewhere } }
    /// Posts to `/huge`.
    var huge: Int { state.withLock { $0.huge } }

    /// The `tollgate` object of every body `/hook` answered with 200.
    var delivered: [[String: Any]] {
        zip(bodies, answered).compactMap { body, status in
            guard status == 200 else { return nil }
            return ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any])?["tollgate"] as? [String: Any]
        }
    }

    /// The Slack `text` of every body `/hook` received.
    var texts: [String] {
        bodies.compactMap { ((try? JSONSerialization.jsonObject(with: $0)) as? [String: Any])?["text"] as? String }
    }

    /// Returns once `/hook` has answered `count` posts with 200.
    func waitForDeliveries(_ count: Int) async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state in
                if state.answered.filter({ $0 == 200 }).count >= count { return true }
                state.waiters.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Runs the receiver on a free loopback port for the time of `body`, which gets the port.
    func run<Value: Sendable>(_ body: @escaping @Sendable (Int) async throws -> Value) async throws -> Value {
        let router = Router()
        router.post("hook") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let status = self.state.withLock { state -> Int in
                let status = state.script.isEmpty ? 200 : state.script.removeFirst()
                state.bodies.append(Data(buffer.readableBytesView))
                state.answered.append(status)
                let successes = state.answered.filter { $0 == 200 }.count
                let ready = state.waiters.filter { $0.count <= successes }
                state.waiters.removeAll { $0.count <= successes }
                ready.forEach { $0.continuation.resume() }
                return status
            }
            return Response(status: HTTPResponse.Status(code: status))
        }
        router.post("hang") { _, _ -> Response in
            await withCheckedContinuation { continuation in
                let released = self.state.withLock { state in
                    if !state.released { state.hanging.append(continuation) }
                    return state.released
                }
                if released { continuation.resume() }
            }
            return Response(status: .ok)
        }
        router.post("redirect") { _, _ -> Response in
            Response(status: .found, headers: [.location: "/elsewhere"])
        }
        router.post("elsewhere") { _, _ -> Response in
            self.state.withLock { $0.elsewhere += 1 }
            return Response(status: .ok)
        }
        router.post("huge") { _, _ -> Response in
            self.state.withLock { $0.huge += 1 }
            let chunk = ByteBuffer(repeating: UInt8(ascii: "x"), count: 64 * 1024)
            return Response(status: .ok, body: ResponseBody { writer in
                // Endless: a client that read it all would never finish.
                while true {
                    try await writer.write(chunk)
                }
            })
        }
        let app = Application(router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.live) { client in
            guard let port = client.port else { throw ReceiverError.noPort }
            // Hung requests are let go before the server stops, which waits for them.
            defer { releaseHanging() }
            return try await body(port)
        }
    }

    private func releaseHanging() {
        let hanging = state.withLock { state in
            state.released = true
            defer { state.hanging = [] }
            return state.hanging
        }
        hanging.forEach { $0.resume() }
    }

    enum ReceiverError: Error {
        case noPort
    }
}
