#include "CBuiltinProtocols.h"

// Defined in Swift (Protocols/BuiltinProtocols.swift) with @_cdecl.
extern void workerman_register_builtin_protocols(void);

// A load-time constructor: any program that links the Protocols module has its schemes registered
// before main() runs.
__attribute__((constructor)) static void register_builtin_protocols(void) {
    workerman_register_builtin_protocols();
}
