// Runs the TLS module's registration of its default client context when the program loads, so an
// `ssl` or `wss://` client made without a context verifies servers with the system's CAs in any
// program that links the TLS module, and no program that does not link it carries OpenSSL.
#ifndef CTLS_DEFAULTS_H
#define CTLS_DEFAULTS_H
#endif
