// Runs the Protocols module's registration of its built-in schemes (text://, frame://, ...) when the
// program loads, so `Worker("text://...")` finds them without a call from the user.
#ifndef CBUILTIN_PROTOCOLS_H
#define CBUILTIN_PROTOCOLS_H
#endif
