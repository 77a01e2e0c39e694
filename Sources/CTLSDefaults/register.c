#include "CTLSDefaults.h"

// Defined in Swift (TLS/TLSDefaults.swift) with @_cdecl.
extern void workerman_register_tls_defaults(void);

// A load-time constructor, run before main() in any program that links the TLS module.
__attribute__((constructor)) static void register_tls_defaults(void) { workerman_register_tls_defaults(); }
