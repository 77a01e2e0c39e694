// Every module of the library depends on this one, and the library runs on epoll, eventfd, signalfd
// and /proc: building it elsewhere stops here with one line instead of a page of missing symbols.
#if !os(Linux)
    #error("swift-workerman is Linux only (epoll): build it on Linux, or in a Linux container")
#endif
