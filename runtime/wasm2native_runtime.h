// wasm2native runtime: the declarations shared by the runtime's two C files.
//
// Part of the last step of the pipeline:
//
//   .wasm ─▶ wasm2native compile ─▶ module.o ─┐
//   runtime/instance.c + runtime/wasi.c ───────┴─▶ cc ─▶ executable
//
// `wasm2native build` compiles these files together with the module's
// object file. instance.c reads the module description (the symbol
// `wasm2native_module`), builds the VM context, linear memory, globals and
// tables as compiler/src/runtime.rs describes them, serves the builtins,
// maps traps to messages and runs `_start`; wasi.c implements the WASI
// preview1 functions the module imports. Host functions see the array-call
// convention: operands in 8-byte value slots, results written back to the
// first slots.

#ifndef WASM2NATIVE_RUNTIME_H
#define WASM2NATIVE_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

// Exit status of a process whose Wasm code trapped (as wasmtime's, 128 + SIGABRT).
#define W2N_EXIT_TRAP 134
// Exit status after a fault that is not a Wasm trap (a runtime bug).
#define W2N_EXIT_CRASH 135
// Exit status when the module cannot be started (unknown import, bad
// description, out of memory while instantiating).
#define W2N_EXIT_STARTUP 70

// A host function: reads its operands from `slots`, writes its results to
// the first slots, returns 0 (non-zero makes the Wasm call trap).
typedef uint32_t (*w2n_host_fn)(uint64_t *slots);

// One importable host function. `signature` is the Wasm type as
// "<params>:<results>", one letter per value: i i32, I i64, f f32, F f64.
struct w2n_host_function {
    const char *module;
    const char *name;
    const char *signature;
    w2n_host_fn function;
};

// Every host function, ended by an entry whose `module` is NULL.
extern const struct w2n_host_function w2n_host_functions[];

// Sets up WASI: arguments, environment, the standard streams and the
// preopened current directory (fd 3, named ".").
void w2n_wasi_init(int argc, char **argv, char **envp);

// The bytes `addr .. addr + len` of linear memory 0, or NULL when they are
// not all inside it.
uint8_t *w2n_memory(uint64_t addr, uint64_t len);

// Prints "wasm2native: <message>" to stderr and exits with W2N_EXIT_STARTUP.
_Noreturn void w2n_fatal(const char *format, ...) __attribute__((format(printf, 1, 2)));

#endif
