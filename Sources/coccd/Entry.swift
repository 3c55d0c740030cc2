import ArgumentParser
import Dispatch
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process entry point. It is synchronous on purpose: NIO's event loops can become Swift
/// Concurrency's global executor only before any task has run. Request handlers then run on the
/// event loop that owns their connection instead of hopping to the cooperative pool and back
/// for every read and write, which a profile showed as a large share of a SOAP request's cost.
@main
enum Entry {
    static func main() {
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        Task {
            await Coccd.main()
            exit(0)
        }
        dispatchMain()
    }
}
