import Foundation
import Synchronization

/// A fixed set of threads that run one closure in parallel and wait for each other: `run { part in … }`
/// calls the closure with part = 0 on the caller and 1…threads−1 on persistent workers.
///
/// Workers spin briefly for the next job (a training step is well under a millisecond, so waking a
/// sleeping thread would cost more than the work), then back off to short sleeps when idle. They
/// stop when the pool is released.
public final class WorkerPool: Sendable {
    /// The number of parts each `run` splits into, the caller included.
    public let threads: Int
    private let state = State()

    /// What the caller and the workers share; workers keep it alive until they see `stopping`.
    private final class State: @unchecked Sendable {
        let generation = Atomic<Int>(0)
        let pending = Atomic<Int>(0)
        let stopping = Atomic<Bool>(false)
        var job: ((Int) -> Void)?
    }

    /// A pool of `threads` parts (≥ 1); 1 runs everything on the caller.
    public init(threads: Int) {
        precondition(threads >= 1, "WorkerPool: threads must be ≥ 1")
        self.threads = threads
        for part in 1..<max(threads, 1) {
            let state = self.state
            let thread = Thread { WorkerPool.work(state: state, part: part) }
            thread.start()
        }
    }

    deinit {
        state.stopping.store(true, ordering: .releasing)
        state.generation.add(1, ordering: .releasing)
    }

    /// Runs `body(part)` for part = 0…threads−1 in parallel and returns when all have finished.
    public func run(_ body: (Int) -> Void) {
        if threads == 1 { body(0); return }
        withoutActuallyEscaping(body) { escaping in
            state.job = escaping
            state.pending.store(threads - 1, ordering: .releasing)
            state.generation.add(1, ordering: .releasing)
            escaping(0)
            var spins = 0
            while state.pending.load(ordering: .acquiring) > 0 {
                spins += 1
                if spins > 10_000 { sched_yield() }
            }
            state.job = nil
        }
    }

    private static func work(state: State, part: Int) {
        var seen = 0
        while true {
            var spins = 0
            while state.generation.load(ordering: .acquiring) == seen {
                spins += 1
                if spins > 200_000 { usleep(50) } else if spins > 20_000 { sched_yield() }
            }
            seen = state.generation.load(ordering: .acquiring)
            if state.stopping.load(ordering: .acquiring) { return }
            state.job?(part)
            state.pending.subtract(1, ordering: .releasing)
        }
    }
}
