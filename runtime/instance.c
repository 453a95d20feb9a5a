// wasm2native runtime: instantiation, builtins, traps and `main`.
//
// The last step of the pipeline, linked into every executable that
// `wasm2native build` makes:
//
//   main ─▶ parse the description at `wasm2native_module`
//        ─▶ resolve imports (wasi.c) ─▶ linear memory, VM context, globals,
//           tables, element and data segments
//        ─▶ fault handlers on an alternate signal stack
//        ─▶ a thread on a dedicated stack (its low end + margin is the
//           VM context's stack limit) runs the start function, then `_start`
//
// The description format is compiler/src/object/description.rs (version 1);
// the VM context layout, VMMemory/VMTable/VMFuncRef/VMGlobal and the
// builtins are compiler/src/runtime.rs. The semantics mirror the in-process
// executor (emu/src/native/): memory is a 4 GiB + 2 GiB guard reservation
// whose accessible prefix grows, tables are vectors of funcref words, a
// fault at a trap-table offset is a trap. A trap prints
// "wasm trap: <kind> in <function> (code offset 0x..)" to stderr and exits
// with W2N_EXIT_TRAP.

#define _GNU_SOURCE
#include "wasm2native_runtime.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

// The description, defined by the module's object file.
extern const uint8_t wasm2native_module[];

#define HEADER_SIZE 120
#define WASM_PAGE_SIZE 65536ull
#define MAX_MEMORY_BYTES (1ull << 32)
#define MEMORY_GUARD_BYTES (2ull << 30)
#define MAX_TABLE_ELEMENTS 10000000ull
#define BUILTIN_BASE 0xFFFF0000u
#define WASM_STACK_SIZE (64ull << 20)
// Room below the stack limit for host functions and builtins.
#define STACK_MARGIN (256ull << 10)
#define SIGNAL_STACK_SIZE (64u << 10)

enum { CODE_WASM = 0, CODE_ARRAY_ENTRY = 1, CODE_HOST_CALL = 2 };
enum { VAL_I32 = 0x7f, VAL_I64 = 0x7e, VAL_F32 = 0x7d, VAL_F64 = 0x7c, VAL_V128 = 0x7b };

struct const_expr {
    uint8_t opcode;
    uint64_t operand;
};
struct func_type {
    uint32_t num_params, num_results;
    const uint8_t *params, *results;
};
struct import {
    char *module, *field;
    uint8_t kind;
    uint32_t type_index;
};
struct global_def {
    uint8_t type;
    struct const_expr init;
};
struct limits {
    uint64_t min, max;
    int has_max;
};
struct table_type {
    uint8_t element;
    struct limits limits;
};
struct export {
    char *name;
    uint8_t kind;
    uint32_t index;
    int has_entry;
    uint32_t entry_offset;
};
struct element_segment {
    uint8_t mode;
    uint32_t table;
    struct const_expr offset;
    uint32_t count;
    struct const_expr *items;
};
struct data_segment {
    int active;
    uint32_t memory;
    struct const_expr offset;
    uint32_t data_offset, len;
};
struct code_record {
    uint8_t kind;
    uint32_t index, offset, len;
};
struct trap_record {
    uint32_t offset;
    uint8_t code;
};

// The parsed description.
static struct {
    uint64_t code_base, data_base;
    uint32_t code_size, data_size, flags, start, num_imported_functions, num_imported_tables;
    uint32_t num_types, num_imports, num_functions, num_imported_globals, num_globals, num_memories, num_tables,
        num_table_inits, num_exports, num_elements, num_data, num_code, num_traps;
    struct func_type *types;
    struct import *imports;
    uint32_t *functions;
    struct global_def *globals;
    struct limits *memories;
    struct table_type *tables;
    struct const_expr *table_inits;
    struct export *exports;
    struct element_segment *elements;
    struct data_segment *data;
    struct code_record *code;
    struct trap_record *traps;
} module;

// Reads the description's fields, bounds-checked.
struct reader {
    const uint8_t *bytes;
    size_t at, len;
};

static const uint8_t *take(struct reader *r, size_t n) {
    if (n > r->len - r->at) w2n_fatal("bad module description: truncated at offset %#zx", r->at);
    const uint8_t *p = r->bytes + r->at;
    r->at += n;
    return p;
}
static uint8_t read_u8(struct reader *r) { return *take(r, 1); }
static uint32_t read_u32(struct reader *r) {
    const uint8_t *p = take(r, 4);
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t read_u64(struct reader *r) {
    uint64_t low = read_u32(r);
    return low | (uint64_t)read_u32(r) << 32;
}
static char *read_string(struct reader *r) {
    uint32_t n = read_u32(r);
    const uint8_t *p = take(r, n);
    char *s = malloc((size_t)n + 1);
    if (!s) w2n_fatal("out of memory");
    memcpy(s, p, n);
    s[n] = 0;
    return s;
}
static struct limits read_limits(struct reader *r) {
    struct limits l = {0, 0, 0};
    l.min = read_u64(r);
    l.has_max = read_u8(r);
    if (l.has_max) l.max = read_u64(r);
    return l;
}
static struct const_expr read_const(struct reader *r) {
    struct const_expr e = {read_u8(r), 0};
    switch (e.opcode) {
    case 0x41: case 0x43: case 0x23: case 0xd2: e.operand = read_u32(r); break;
    case 0x42: case 0x44: e.operand = read_u64(r); break;
    case 0xd0: break;
    default: w2n_fatal("bad module description: constant opcode %#x at offset %#zx", e.opcode, r->at - 1);
    }
    return e;
}
static void *array(uint32_t count, size_t size) {
    void *p = calloc(count ? count : 1, size);
    if (!p) w2n_fatal("out of memory");
    return p;
}

static void parse_description(void) {
    struct reader r = {wasm2native_module, 0, HEADER_SIZE};
    if (memcmp(take(&r, 8), "\x7fW2NMOD", 8) != 0) w2n_fatal("bad module description: wrong magic");
    uint32_t version = read_u32(&r);
    if (version != 1) w2n_fatal("module description version %u, this runtime reads version 1", version);
    if (read_u32(&r) != HEADER_SIZE) w2n_fatal("bad module description: header size");
    r.len = read_u32(&r);
    if (r.len < HEADER_SIZE) w2n_fatal("bad module description: total size %zu", r.len);
    uint32_t arch = read_u32(&r);
#if defined(__x86_64__)
    if (arch != 1) w2n_fatal("the module was compiled for another architecture (%u), not x86-64", arch);
#elif defined(__aarch64__)
    if (arch != 2) w2n_fatal("the module was compiled for another architecture (%u), not AArch64", arch);
#endif
    module.code_base = read_u64(&r);
    module.data_base = read_u64(&r);
    module.code_size = read_u32(&r);
    module.data_size = read_u32(&r);
    module.flags = read_u32(&r);
    module.start = read_u32(&r);
    module.num_imported_functions = read_u32(&r);
    module.num_imported_tables = read_u32(&r);
    uint32_t *counts[13] = {&module.num_types,   &module.num_imports,     &module.num_functions,
                            &module.num_imported_globals, &module.num_globals, &module.num_memories,
                            &module.num_tables,  &module.num_table_inits, &module.num_exports,
                            &module.num_elements, &module.num_data,       &module.num_code,
                            &module.num_traps};
    for (int i = 0; i < 13; i++) *counts[i] = read_u32(&r);
    read_u32(&r);

    module.types = array(module.num_types, sizeof *module.types);
    for (uint32_t i = 0; i < module.num_types; i++) {
        struct func_type *t = &module.types[i];
        t->num_params = read_u32(&r);
        t->params = take(&r, t->num_params);
        t->num_results = read_u32(&r);
        t->results = take(&r, t->num_results);
    }
    module.imports = array(module.num_imports, sizeof *module.imports);
    for (uint32_t i = 0; i < module.num_imports; i++) {
        struct import *im = &module.imports[i];
        im->module = read_string(&r);
        im->field = read_string(&r);
        im->kind = read_u8(&r);
        switch (im->kind) {
        case 0: im->type_index = read_u32(&r); break;
        case 1: read_u8(&r); read_limits(&r); break;
        case 2: read_limits(&r); break;
        case 3: read_u8(&r); read_u8(&r); break;
        default: w2n_fatal("bad module description: import kind %u", im->kind);
        }
    }
    module.functions = array(module.num_functions, sizeof *module.functions);
    for (uint32_t i = 0; i < module.num_functions; i++) module.functions[i] = read_u32(&r);
    for (uint32_t i = 0; i < module.num_imported_globals; i++) take(&r, 2);
    module.globals = array(module.num_globals, sizeof *module.globals);
    for (uint32_t i = 0; i < module.num_globals; i++) {
        module.globals[i].type = read_u8(&r);
        read_u8(&r);
        module.globals[i].init = read_const(&r);
    }
    module.memories = array(module.num_memories, sizeof *module.memories);
    for (uint32_t i = 0; i < module.num_memories; i++) module.memories[i] = read_limits(&r);
    module.tables = array(module.num_tables, sizeof *module.tables);
    for (uint32_t i = 0; i < module.num_tables; i++) {
        module.tables[i].element = read_u8(&r);
        module.tables[i].limits = read_limits(&r);
    }
    module.table_inits = array(module.num_table_inits, sizeof *module.table_inits);
    for (uint32_t i = 0; i < module.num_table_inits; i++) module.table_inits[i] = read_const(&r);
    module.exports = array(module.num_exports, sizeof *module.exports);
    for (uint32_t i = 0; i < module.num_exports; i++) {
        struct export *e = &module.exports[i];
        e->name = read_string(&r);
        e->kind = read_u8(&r);
        e->index = read_u32(&r);
        e->has_entry = read_u8(&r);
        if (e->has_entry) {
            free(read_string(&r));
            e->entry_offset = read_u32(&r);
        }
    }
    module.elements = array(module.num_elements, sizeof *module.elements);
    for (uint32_t i = 0; i < module.num_elements; i++) {
        struct element_segment *e = &module.elements[i];
        e->mode = read_u8(&r);
        if (e->mode == 0) {
            e->table = read_u32(&r);
            e->offset = read_const(&r);
        }
        read_u8(&r);
        e->count = read_u32(&r);
        if (e->count > r.len - r.at) w2n_fatal("bad module description: element segment %u", i);
        e->items = array(e->count, sizeof *e->items);
        for (uint32_t j = 0; j < e->count; j++) e->items[j] = read_const(&r);
    }
    module.data = array(module.num_data, sizeof *module.data);
    for (uint32_t i = 0; i < module.num_data; i++) {
        struct data_segment *d = &module.data[i];
        d->active = read_u8(&r);
        if (d->active) {
            d->memory = read_u32(&r);
            d->offset = read_const(&r);
        }
        d->data_offset = read_u32(&r);
        d->len = read_u32(&r);
        if ((uint64_t)d->data_offset + d->len > module.data_size) w2n_fatal("bad module description: data %u", i);
    }
    module.code = array(module.num_code, sizeof *module.code);
    for (uint32_t i = 0; i < module.num_code; i++) {
        struct code_record *c = &module.code[i];
        c->kind = read_u8(&r);
        c->index = read_u32(&r);
        c->offset = read_u32(&r);
        c->len = read_u32(&r);
        free(read_string(&r));
    }
    module.traps = array(module.num_traps, sizeof *module.traps);
    for (uint32_t i = 0; i < module.num_traps; i++) {
        module.traps[i].offset = read_u32(&r);
        module.traps[i].code = read_u8(&r);
    }
    if (r.at != r.len) w2n_fatal("bad module description: %zu trailing bytes", r.len - r.at);
    if (module.num_imported_functions > module.num_functions) w2n_fatal("bad module description: functions");
}

// ---- The instance: memory, VM context, tables, segments ----

struct vm_memory {
    uint8_t *base;
    uint64_t length;
};
// A table; its first two fields are the VMTable generated code reads.
struct table {
    uint64_t *base;
    uint64_t length;
    uint64_t max;
};

static struct vm_memory memory;
static uint64_t memory_max_pages;
static uint8_t *vmctx;
static struct table *tables;
static const struct w2n_host_function **host_functions;
// Passive element segments' evaluated items (NULL once dropped or not passive).
static uint64_t **element_items;
static uint8_t *data_dropped;

// VM context offsets (compiler/src/runtime.rs, VMOffsets).
static uint32_t off_imported_function(uint32_t i) { return 32 + 16 * i; }
static uint32_t off_table(uint32_t i) { return off_imported_function(module.num_imported_functions) + 8 * i; }
static uint32_t off_type_id(uint32_t i) { return off_table(module.num_tables) + 8 * i; }
static uint32_t off_funcref(uint32_t i) { return off_type_id(module.num_types) + 24 * i; }
static uint32_t off_global(uint32_t i) { return ((off_funcref(module.num_functions) + 15) & ~15u) + 16 * i; }

static void write_word(uint32_t offset, uint64_t value) { memcpy(vmctx + offset, &value, 8); }

uint8_t *w2n_memory(uint64_t addr, uint64_t len) {
    if (addr > memory.length || len > memory.length - addr) return NULL;
    return memory.base + addr;
}

// Code addresses by function index: Wasm functions and host-call trampolines.
static uint64_t *wasm_code, *host_call_code;

static void index_code(void) {
    wasm_code = array(module.num_functions, 8);
    host_call_code = array(module.num_imported_functions, 8);
    for (uint32_t i = 0; i < module.num_code; i++) {
        const struct code_record *c = &module.code[i];
        if (c->kind == CODE_WASM && c->index < module.num_functions)
            wasm_code[c->index] = module.code_base + c->offset;
        else if (c->kind == CODE_HOST_CALL && c->index < module.num_imported_functions)
            host_call_code[c->index] = module.code_base + c->offset;
    }
}

// The code address of a function or trampoline, 0 if the module has none.
static uint64_t code_address(uint8_t kind, uint32_t index) {
    if (kind == CODE_WASM) return index < module.num_functions ? wasm_code[index] : 0;
    return index < module.num_imported_functions ? host_call_code[index] : 0;
}

static uint64_t eval_const(struct const_expr e) {
    switch (e.opcode) {
    case 0x41: case 0x43: return e.operand & 0xffffffffu;
    case 0x42: case 0x44: return e.operand;
    case 0xd0: return 0;
    case 0xd2:
        if (e.operand >= module.num_functions) w2n_fatal("ref.func of function %" PRIu64, e.operand);
        return (uint64_t)(uintptr_t)vmctx + off_funcref((uint32_t)e.operand);
    case 0x23: {
        if (e.operand >= module.num_globals) w2n_fatal("global.get of global %" PRIu64, e.operand);
        uint64_t bits;
        memcpy(&bits, vmctx + off_global((uint32_t)e.operand), 8);
        uint8_t type = module.globals[e.operand].type;
        return type == VAL_I32 || type == VAL_F32 ? bits & 0xffffffffu : bits;
    }
    }
    w2n_fatal("constant expression %#x", e.opcode);
}

// The store-wide id of a function type: the first structurally equal type.
static uint64_t canonical_type_id(uint32_t index) {
    const struct func_type *t = &module.types[index];
    for (uint32_t i = 0; i < index; i++) {
        const struct func_type *u = &module.types[i];
        if (u->num_params == t->num_params && u->num_results == t->num_results &&
            memcmp(u->params, t->params, t->num_params) == 0 && memcmp(u->results, t->results, t->num_results) == 0)
            return i;
    }
    return index;
}

static char value_letter(uint8_t type) {
    switch (type) {
    case VAL_I32: return 'i';
    case VAL_I64: return 'I';
    case VAL_F32: return 'f';
    case VAL_F64: return 'F';
    default: return '?';
    }
}

// Binds every import to a host function, checking its type.
static void resolve_imports(void) {
    host_functions = array(module.num_imported_functions, sizeof *host_functions);
    uint32_t function_index = 0;
    for (uint32_t i = 0; i < module.num_imports; i++) {
        const struct import *im = &module.imports[i];
        if (im->kind != 0)
            w2n_fatal("import %s.%s: only function imports are supported (this one is a %s)", im->module, im->field,
                      im->kind == 1 ? "table" : im->kind == 2 ? "memory" : "global");
        const struct w2n_host_function *f = w2n_host_functions;
        while (f->module && (strcmp(f->module, im->module) != 0 || strcmp(f->name, im->field) != 0)) f++;
        if (!f->module) w2n_fatal("unknown import %s.%s (not a WASI preview1 or bench function)", im->module, im->field);
        if (im->type_index >= module.num_types) w2n_fatal("import %s.%s: bad type index", im->module, im->field);
        const struct func_type *t = &module.types[im->type_index];
        char signature[64];
        size_t n = 0;
        for (uint32_t j = 0; j < t->num_params && n < 60; j++) signature[n++] = value_letter(t->params[j]);
        signature[n++] = ':';
        for (uint32_t j = 0; j < t->num_results && n < 62; j++) signature[n++] = value_letter(t->results[j]);
        signature[n] = 0;
        if (strcmp(signature, f->signature) != 0)
            w2n_fatal("import %s.%s has type %s, expected %s", im->module, im->field, signature, f->signature);
        if (function_index >= module.num_imported_functions) w2n_fatal("bad module description: imports");
        host_functions[function_index++] = f;
    }
    if (function_index != module.num_imported_functions) w2n_fatal("bad module description: imported functions");
}

static uint32_t host_dispatch(uint8_t *context, uint32_t index, uint64_t *slots);

static void map_memory(void) {
    if (module.num_memories == 0) return;
    if (module.num_memories > 1) w2n_fatal("%u memories (only one is supported)", module.num_memories);
    struct limits l = module.memories[0];
    memory_max_pages = MAX_MEMORY_BYTES / WASM_PAGE_SIZE;
    if (l.has_max && l.max < memory_max_pages) memory_max_pages = l.max;
    if (l.min > memory_max_pages) w2n_fatal("memory of %" PRIu64 " pages (more than 4 GiB)", l.min);
    void *reservation = mmap(NULL, MAX_MEMORY_BYTES + MEMORY_GUARD_BYTES, PROT_NONE,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (reservation == MAP_FAILED) w2n_fatal("cannot reserve linear memory: %s", strerror(errno));
    memory.base = reservation;
    memory.length = l.min * WASM_PAGE_SIZE;
    if (memory.length && mprotect(reservation, memory.length, PROT_READ | PROT_WRITE) != 0)
        w2n_fatal("cannot map %" PRIu64 " bytes of linear memory: %s", memory.length, strerror(errno));
}

static int table_write(struct table *t, uint64_t dst, const uint64_t *items, uint64_t len) {
    if (dst > t->length || len > t->length - dst) return 0;
    memmove(t->base + dst, items, len * 8);
    return 1;
}

static void instantiate(void) {
    if (module.num_imported_globals) w2n_fatal("imported globals are not supported");
    map_memory();
    index_code();
    uint32_t size = off_global(module.num_globals);
    vmctx = aligned_alloc(16, (size + 15) & ~15u);
    if (!vmctx) w2n_fatal("out of memory");
    memset(vmctx, 0, size);
    write_word(0, module.num_memories ? (uint64_t)(uintptr_t)&memory : 0);
    write_word(16, (uint64_t)(uintptr_t)host_dispatch);
    for (uint32_t i = 0; i < module.num_imported_functions; i++) {
        write_word(off_imported_function(i), code_address(CODE_HOST_CALL, i));
        write_word(off_imported_function(i) + 8, (uint64_t)(uintptr_t)vmctx);
    }
    for (uint32_t i = 0; i < module.num_types; i++) write_word(off_type_id(i), canonical_type_id(i));
    for (uint32_t i = 0; i < module.num_functions; i++) {
        uint32_t type = module.functions[i];
        if (type >= module.num_types) w2n_fatal("function %u has bad type index %u", i, type);
        int imported = i < module.num_imported_functions;
        uint64_t code = code_address(imported ? CODE_HOST_CALL : CODE_WASM, i);
        write_word(off_funcref(i), code);
        write_word(off_funcref(i) + 8, canonical_type_id(type));
        write_word(off_funcref(i) + 16, code ? (uint64_t)(uintptr_t)vmctx : 0);
    }
    for (uint32_t i = 0; i < module.num_globals; i++) {
        struct const_expr init = module.globals[i].init;
        if (module.globals[i].type == VAL_V128) w2n_fatal("v128 globals are not supported");
        if (init.opcode == 0x23 && init.operand >= i) w2n_fatal("global %u initializer reads a later global", i);
        write_word(off_global(i), eval_const(init));
    }
    if (module.num_imported_tables) w2n_fatal("imported tables are not supported");
    if (module.num_table_inits != module.num_tables) w2n_fatal("bad module description: table initializers");
    tables = array(module.num_tables, sizeof *tables);
    for (uint32_t i = 0; i < module.num_tables; i++) {
        struct limits l = module.tables[i].limits;
        uint64_t max = l.has_max && l.max < UINT32_MAX ? l.max : UINT32_MAX;
        tables[i].max = max < MAX_TABLE_ELEMENTS ? max : MAX_TABLE_ELEMENTS;
        if (l.min > tables[i].max) w2n_fatal("table %u of %" PRIu64 " elements is too large", i, l.min);
        tables[i].length = l.min;
        tables[i].base = array((uint32_t)l.min, 8);
        uint64_t init = eval_const(module.table_inits[i]);
        for (uint64_t j = 0; j < l.min; j++) tables[i].base[j] = init;
        write_word(off_table(i), (uint64_t)(uintptr_t)&tables[i]);
    }
}

static _Noreturn void instantiation_trap(const char *kind) {
    fprintf(stderr, "wasm trap: %s (during instantiation)\n", kind);
    exit(W2N_EXIT_TRAP);
}

// Element segments, then data segments, as Wasm 2.0 orders them.
static void write_segments(void) {
    element_items = array(module.num_elements, sizeof *element_items);
    for (uint32_t i = 0; i < module.num_elements; i++) {
        struct element_segment *e = &module.elements[i];
        uint64_t *items = array(e->count, 8);
        for (uint32_t j = 0; j < e->count; j++) items[j] = eval_const(e->items[j]);
        if (e->mode == 0) {
            if (e->table >= module.num_tables) w2n_fatal("element segment %u for table %u", i, e->table);
            if (!table_write(&tables[e->table], eval_const(e->offset) & 0xffffffffu, items, e->count))
                instantiation_trap("out of bounds table access");
            free(items);
        } else if (e->mode == 1) {
            element_items[i] = items;
        } else {
            free(items);
        }
    }
    data_dropped = array(module.num_data, 1);
    for (uint32_t i = 0; i < module.num_data; i++) {
        struct data_segment *d = &module.data[i];
        if (!d->active) continue;
        if (d->memory != 0 || module.num_memories == 0) w2n_fatal("data segment %u for memory %u", i, d->memory);
        uint8_t *dst = w2n_memory(eval_const(d->offset) & 0xffffffffu, d->len);
        if (!dst) instantiation_trap("out of bounds memory access");
        memcpy(dst, (const uint8_t *)(uintptr_t)module.data_base + d->data_offset, d->len);
        data_dropped[i] = 1;
    }
}

// ---- Builtins (compiler/src/runtime.rs, Builtin; emu/src/builtins.rs) ----

static uint64_t u32_slot(const uint64_t *slots, int i) { return slots[i] & 0xffffffffu; }

static int memory_grow(uint64_t delta, uint64_t *old) {
    uint64_t pages = memory.length / WASM_PAGE_SIZE;
    if (module.num_memories == 0 || delta > memory_max_pages - pages) return 0;
    if (delta && mprotect(memory.base + memory.length, delta * WASM_PAGE_SIZE, PROT_READ | PROT_WRITE) != 0) return 0;
    memory.length += delta * WASM_PAGE_SIZE;
    *old = pages;
    return 1;
}

static struct table *table_at(uint64_t index) { return index < module.num_tables ? &tables[index] : NULL; }

static uint32_t run_builtin(uint32_t builtin, uint64_t *slots) {
    switch (builtin) {
    case 0: { // memory.grow [delta] -> [old or -1]
        uint64_t old;
        slots[0] = memory_grow(u32_slot(slots, 0), &old) ? old : 0xffffffffu;
        return 0;
    }
    case 1: { // memory.fill [dst, byte, len]
        uint8_t *dst = w2n_memory(u32_slot(slots, 0), u32_slot(slots, 2));
        if (!dst) return 1;
        memset(dst, (int)(slots[1] & 0xff), u32_slot(slots, 2));
        return 0;
    }
    case 2: { // memory.copy [dst, src, len]
        uint8_t *dst = w2n_memory(u32_slot(slots, 0), u32_slot(slots, 2));
        uint8_t *src = w2n_memory(u32_slot(slots, 1), u32_slot(slots, 2));
        if (!dst || !src) return 1;
        memmove(dst, src, u32_slot(slots, 2));
        return 0;
    }
    case 3: { // memory.init [segment, dst, src, len]
        uint64_t segment = u32_slot(slots, 0), src = u32_slot(slots, 2), len = u32_slot(slots, 3);
        uint64_t available = segment < module.num_data && !data_dropped[segment] ? module.data[segment].len : 0;
        if (src > available || len > available - src) return 1;
        uint8_t *dst = w2n_memory(u32_slot(slots, 1), len);
        if (!dst) return 1;
        memcpy(dst, (const uint8_t *)(uintptr_t)module.data_base + module.data[segment].data_offset + src, len);
        return 0;
    }
    case 4: // data.drop [segment]
        if (u32_slot(slots, 0) < module.num_data) data_dropped[u32_slot(slots, 0)] = 1;
        return 0;
    case 5: { // table.grow [table, init, delta] -> [old or -1]
        struct table *t = table_at(u32_slot(slots, 0));
        uint64_t delta = u32_slot(slots, 2), init = slots[1];
        if (!t || delta > t->max - t->length) {
            slots[0] = 0xffffffffu;
            return 0;
        }
        uint64_t *base = realloc(t->base, (t->length + delta ? t->length + delta : 1) * 8);
        if (!base) {
            slots[0] = 0xffffffffu;
            return 0;
        }
        for (uint64_t j = 0; j < delta; j++) base[t->length + j] = init;
        slots[0] = t->length;
        t->base = base;
        t->length += delta;
        return 0;
    }
    case 6: { // table.fill [table, dst, value, len]
        struct table *t = table_at(u32_slot(slots, 0));
        uint64_t dst = u32_slot(slots, 1), len = u32_slot(slots, 3);
        if (!t || dst > t->length || len > t->length - dst) return 1;
        for (uint64_t j = 0; j < len; j++) t->base[dst + j] = slots[2];
        return 0;
    }
    case 7: { // table.copy [dst_table, src_table, dst, src, len]
        struct table *d = table_at(u32_slot(slots, 0)), *s = table_at(u32_slot(slots, 1));
        uint64_t src = u32_slot(slots, 3), len = u32_slot(slots, 4);
        if (!d || !s || src > s->length || len > s->length - src) return 1;
        return table_write(d, u32_slot(slots, 2), s->base + src, len) ? 0 : 1;
    }
    case 8: { // table.init [table, segment, dst, src, len]
        struct table *t = table_at(u32_slot(slots, 0));
        uint64_t segment = u32_slot(slots, 1), src = u32_slot(slots, 3), len = u32_slot(slots, 4);
        const uint64_t *items = segment < module.num_elements ? element_items[segment] : NULL;
        uint64_t available = items ? module.elements[segment].count : 0;
        if (!t || src > available || len > available - src) return 1;
        return table_write(t, u32_slot(slots, 2), items ? items + src : NULL, len) ? 0 : 1;
    }
    case 9: // elem.drop [segment]
        if (u32_slot(slots, 0) < module.num_elements) {
            free(element_items[u32_slot(slots, 0)]);
            element_items[u32_slot(slots, 0)] = NULL;
        }
        return 0;
    }
    return 1;
}

// `vmctx.host_dispatch`: an import or a builtin. Non-zero makes the caller trap.
static uint32_t host_dispatch(uint8_t *context, uint32_t index, uint64_t *slots) {
    (void)context;
    if (index >= BUILTIN_BASE) return run_builtin(index - BUILTIN_BASE, slots);
    if (index >= module.num_imported_functions) return 1;
    return host_functions[index]->function(slots);
}

// ---- Traps ----

static const char *const trap_messages[] = {
    "unreachable",
    "out of bounds memory access",
    "out of bounds table access",
    "integer divide by zero",
    "integer overflow",
    "invalid conversion to integer",
    "indirect call type mismatch",
    "uninitialized element",
    "call stack exhausted",
    "host error",
    "unsupported",
};

// Async-signal-safe output: a fixed buffer written with write(2).
struct line {
    char text[512];
    size_t len;
};
static void put(struct line *l, const char *s) {
    while (*s && l->len < sizeof l->text - 1) l->text[l->len++] = *s++;
}
static void put_number(struct line *l, uint64_t value, unsigned base) {
    char digits[24];
    int n = 0;
    do {
        digits[n++] = "0123456789abcdef"[value % base];
        value /= base;
    } while (value);
    if (base == 16) put(l, "0x");
    while (n && l->len < sizeof l->text - 1) l->text[l->len++] = digits[--n];
}

static void handle_fault(int signal, siginfo_t *info, void *raw_context) {
    ucontext_t *context = raw_context;
#if defined(__x86_64__)
    uint64_t pc = (uint64_t)context->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
    uint64_t pc = context->uc_mcontext.pc;
#else
#error "unsupported architecture"
#endif
    struct line l = {.len = 0};
    uint64_t offset = pc - module.code_base;
    if (pc >= module.code_base && offset < module.code_size) {
        uint32_t lo = 0, hi = module.num_traps;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (module.traps[mid].offset < offset) lo = mid + 1;
            else hi = mid;
        }
        if (lo < module.num_traps && module.traps[lo].offset == offset) {
            uint8_t code = module.traps[lo].code;
            put(&l, "wasm trap: ");
            put(&l, code >= 1 && code <= 11 ? trap_messages[code - 1] : "unknown trap");
            for (uint32_t i = 0; i < module.num_code; i++) {
                const struct code_record *c = &module.code[i];
                if (offset >= c->offset && offset < (uint64_t)c->offset + c->len) {
                    put(&l, c->kind == CODE_WASM ? " in func" : c->kind == CODE_ARRAY_ENTRY ? " in entry" : " in host_call");
                    put_number(&l, c->index, 10);
                    break;
                }
            }
            put(&l, " (code offset ");
            put_number(&l, offset, 16);
            put(&l, ")\n");
            (void)!write(2, l.text, l.len);
            _exit(W2N_EXIT_TRAP);
        }
    }
    put(&l, "wasm2native: fatal signal ");
    put_number(&l, (uint64_t)signal, 10);
    put(&l, " at pc ");
    put_number(&l, pc, 16);
    put(&l, ", fault address ");
    put_number(&l, (uint64_t)(uintptr_t)info->si_addr, 16);
    put(&l, "\n");
    (void)!write(2, l.text, l.len);
    _exit(W2N_EXIT_CRASH);
}

// Installs the fault handlers on an alternate stack for the calling thread.
static void install_handlers(void) {
    stack_t alt = {.ss_sp = malloc(SIGNAL_STACK_SIZE), .ss_flags = 0, .ss_size = SIGNAL_STACK_SIZE};
    if (!alt.ss_sp || sigaltstack(&alt, NULL) != 0) w2n_fatal("cannot set up the signal stack");
    int signals[] = {SIGILL, SIGSEGV, SIGBUS, SIGFPE};
    for (int i = 0; i < 4; i++) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_sigaction = handle_fault;
        action.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigemptyset(&action.sa_mask);
        if (sigaction(signals[i], &action, NULL) != 0) w2n_fatal("sigaction: %s", strerror(errno));
    }
}

// ---- Running ----

_Noreturn void w2n_fatal(const char *format, ...) {
    va_list args;
    va_start(args, format);
    fputs("wasm2native: ", stderr);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
    exit(W2N_EXIT_STARTUP);
}

static void *run_wasm(void *stack_low) {
    write_word(8, (uint64_t)(uintptr_t)stack_low + STACK_MARGIN);
    install_handlers();
    if (module.flags & 2) {
        if (module.start < module.num_imported_functions) {
            uint64_t slots[1] = {0};
            if (host_functions[module.start]->function(slots) != 0) instantiation_trap("host error");
        } else {
            uint64_t start = code_address(CODE_WASM, module.start);
            if (!start) w2n_fatal("the start function %u has no code", module.start);
            ((void (*)(uint8_t *))(uintptr_t)start)(vmctx);
        }
    }
    const struct export *entry = NULL;
    for (uint32_t i = 0; i < module.num_exports; i++)
        if (module.exports[i].kind == 0 && strcmp(module.exports[i].name, "_start") == 0) entry = &module.exports[i];
    if (!entry || !entry->has_entry) w2n_fatal("the module exports no function `_start`");
    uint64_t values[4] = {0};
    ((void (*)(uint8_t *, uint64_t *))(uintptr_t)(module.code_base + entry->entry_offset))(vmctx, values);
    exit(0);
}

int main(int argc, char **argv, char **envp) {
    parse_description();
    resolve_imports();
    w2n_wasi_init(argc, argv, envp);
    instantiate();
    write_segments();
    // The Wasm code runs on its own stack, so the stack limit is known.
    uint8_t *stack = mmap(NULL, WASM_STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                          -1, 0);
    if (stack == MAP_FAILED) w2n_fatal("cannot map the Wasm stack: %s", strerror(errno));
    mprotect(stack, 4096, PROT_NONE);
    pthread_attr_t attributes;
    pthread_t thread;
    pthread_attr_init(&attributes);
    pthread_attr_setstack(&attributes, stack, WASM_STACK_SIZE);
    int error = pthread_create(&thread, &attributes, run_wasm, stack);
    if (error) w2n_fatal("cannot start the Wasm thread: %s", strerror(error));
    pthread_join(thread, NULL);
    return 0;
}
