// wasm2native runtime: the WASI preview1 functions (and sightglass's
// `bench.start`/`bench.end`) that command programs import.
//
// Part of the runtime linked into every executable of `wasm2native build`
// (see instance.c for the whole picture): instance.c binds each import by
// (module, name) to an entry of `w2n_host_functions` and calls it through
// the host dispatcher with the operands in 8-byte value slots (an i32 in the
// low half). Every function returns a WASI errno in slot 0; Linux errnos
// are mapped to WASI's numbering, and a pointer outside linear memory is
// EFAULT, never a crash.
//
// File descriptors: 0, 1 and 2 are the process's standard streams; 3 is
// the current directory, preopened as "."; `path_open` resolves paths
// relative to a directory descriptor and refuses absolute paths and `..`
// (ENOTCAPABLE). Arguments are the executable's argv, the environment is
// the process's.

#define _GNU_SOURCE
#include "wasm2native_runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

// WASI errno values.
enum {
    WASI_ESUCCESS = 0, WASI_E2BIG = 1, WASI_EACCES = 2, WASI_EAGAIN = 6, WASI_EBADF = 8, WASI_EBUSY = 10,
    WASI_EEXIST = 20, WASI_EFAULT = 21, WASI_EFBIG = 22, WASI_EINTR = 27, WASI_EINVAL = 28, WASI_EIO = 29,
    WASI_EISDIR = 31, WASI_ELOOP = 32, WASI_EMFILE = 33, WASI_ENAMETOOLONG = 37, WASI_ENFILE = 41,
    WASI_ENOENT = 44, WASI_ENOMEM = 48, WASI_ENOSPC = 51, WASI_ENOSYS = 52, WASI_ENOTDIR = 54,
    WASI_ENOTEMPTY = 55, WASI_ENOTSUP = 58, WASI_ENOTTY = 59, WASI_ENXIO = 60, WASI_EOVERFLOW = 61,
    WASI_EPERM = 63, WASI_EPIPE = 64, WASI_EROFS = 69, WASI_ESPIPE = 70, WASI_ENOTCAPABLE = 76,
};

static uint32_t wasi_errno(int error) {
    switch (error) {
    case E2BIG: return WASI_E2BIG;
    case EACCES: return WASI_EACCES;
    case EAGAIN: return WASI_EAGAIN;
    case EBADF: return WASI_EBADF;
    case EBUSY: return WASI_EBUSY;
    case EEXIST: return WASI_EEXIST;
    case EFAULT: return WASI_EFAULT;
    case EFBIG: return WASI_EFBIG;
    case EINTR: return WASI_EINTR;
    case EINVAL: return WASI_EINVAL;
    case EIO: return WASI_EIO;
    case EISDIR: return WASI_EISDIR;
    case ELOOP: return WASI_ELOOP;
    case EMFILE: return WASI_EMFILE;
    case ENAMETOOLONG: return WASI_ENAMETOOLONG;
    case ENFILE: return WASI_ENFILE;
    case ENOENT: return WASI_ENOENT;
    case ENOMEM: return WASI_ENOMEM;
    case ENOSPC: return WASI_ENOSPC;
    case ENOSYS: return WASI_ENOSYS;
    case ENOTDIR: return WASI_ENOTDIR;
    case ENOTEMPTY: return WASI_ENOTEMPTY;
    case EOPNOTSUPP: return WASI_ENOTSUP;
    case ENOTTY: return WASI_ENOTTY;
    case ENXIO: return WASI_ENXIO;
    case EOVERFLOW: return WASI_EOVERFLOW;
    case EPERM: return WASI_EPERM;
    case EPIPE: return WASI_EPIPE;
    case EROFS: return WASI_EROFS;
    case ESPIPE: return WASI_ESPIPE;
    default: return WASI_EIO;
    }
}

// Rights bits that matter here.
#define RIGHT_FD_READ (1ull << 1)
#define RIGHT_FD_SEEK (1ull << 2)
#define RIGHT_FD_TELL (1ull << 5)
#define RIGHT_FD_WRITE (1ull << 6)
#define ALL_RIGHTS ((1ull << 30) - 1)

#define MAX_FDS 1024

// A WASI descriptor: the host descriptor behind it, -1 when closed.
static struct {
    int host;
    const char *preopen;
} fds[MAX_FDS];

static int argument_count;
static char **arguments;
static char **environment;

void w2n_wasi_init(int argc, char **argv, char **envp) {
    argument_count = argc;
    arguments = argv;
    environment = envp;
    for (int i = 0; i < MAX_FDS; i++) fds[i].host = -1;
    for (int i = 0; i < 3; i++) fds[i].host = i;
    fds[3].host = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    fds[3].preopen = ".";
}

// Slot operands and results.
static uint32_t arg32(const uint64_t *slots, int i) { return (uint32_t)slots[i]; }
static uint32_t result(uint64_t *slots, uint32_t errno_value) {
    slots[0] = errno_value;
    return 0;
}
static int store_u32(uint32_t addr, uint32_t value) {
    uint8_t *p = w2n_memory(addr, 4);
    if (p) memcpy(p, &value, 4);
    return p != NULL;
}
static int store_u64(uint32_t addr, uint64_t value) {
    uint8_t *p = w2n_memory(addr, 8);
    if (p) memcpy(p, &value, 8);
    return p != NULL;
}
static int host_fd(uint32_t fd) { return fd < MAX_FDS ? fds[fd].host : -1; }

// args_get / environ_get and their sizes, over a NULL-terminated list.
static uint32_t list_sizes(char **list, int count, uint64_t *slots) {
    uint32_t bytes = 0;
    for (int i = 0; i < count; i++) bytes += (uint32_t)strlen(list[i]) + 1;
    if (!store_u32(arg32(slots, 0), (uint32_t)count) || !store_u32(arg32(slots, 1), bytes))
        return result(slots, WASI_EFAULT);
    return result(slots, WASI_ESUCCESS);
}
static uint32_t list_get(char **list, int count, uint64_t *slots) {
    uint32_t pointers = arg32(slots, 0), buffer = arg32(slots, 1);
    for (int i = 0; i < count; i++) {
        uint32_t len = (uint32_t)strlen(list[i]) + 1;
        uint8_t *dst = w2n_memory(buffer, len);
        if (!dst || !store_u32(pointers + 4 * (uint32_t)i, buffer)) return result(slots, WASI_EFAULT);
        memcpy(dst, list[i], len);
        buffer += len;
    }
    return result(slots, WASI_ESUCCESS);
}
static int environment_count(void) {
    int n = 0;
    while (environment && environment[n]) n++;
    return n;
}
static uint32_t args_sizes_get(uint64_t *slots) { return list_sizes(arguments, argument_count, slots); }
static uint32_t args_get(uint64_t *slots) { return list_get(arguments, argument_count, slots); }
static uint32_t environ_sizes_get(uint64_t *slots) { return list_sizes(environment, environment_count(), slots); }
static uint32_t environ_get(uint64_t *slots) { return list_get(environment, environment_count(), slots); }

static int clock_id(uint32_t id, clockid_t *clock) {
    static const clockid_t clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
                                       CLOCK_THREAD_CPUTIME_ID};
    if (id > 3) return 0;
    *clock = clocks[id];
    return 1;
}
static uint32_t clock_res_get(uint64_t *slots) {
    clockid_t clock;
    struct timespec ts;
    if (!clock_id(arg32(slots, 0), &clock)) return result(slots, WASI_EINVAL);
    if (clock_getres(clock, &ts) != 0) return result(slots, wasi_errno(errno));
    if (!store_u64(arg32(slots, 1), (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec))
        return result(slots, WASI_EFAULT);
    return result(slots, WASI_ESUCCESS);
}
static uint32_t clock_time_get(uint64_t *slots) {
    clockid_t clock;
    struct timespec ts;
    if (!clock_id(arg32(slots, 0), &clock)) return result(slots, WASI_EINVAL);
    if (clock_gettime(clock, &ts) != 0) return result(slots, wasi_errno(errno));
    if (!store_u64(arg32(slots, 2), (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec))
        return result(slots, WASI_EFAULT);
    return result(slots, WASI_ESUCCESS);
}

// fd_read / fd_write: the iovec array {u32 buf, u32 len} at slots[1], count slots[2].
static uint32_t transfer(uint64_t *slots, int writing) {
    int fd = host_fd(arg32(slots, 0));
    uint32_t iovs = arg32(slots, 1), count = arg32(slots, 2);
    if (fd < 0) return result(slots, WASI_EBADF);
    if (count > 1024) return result(slots, WASI_EINVAL);
    struct iovec host[1024];
    for (uint32_t i = 0; i < count; i++) {
        uint8_t *entry = w2n_memory(iovs + 8ull * i, 8);
        if (!entry) return result(slots, WASI_EFAULT);
        uint32_t buf, len;
        memcpy(&buf, entry, 4);
        memcpy(&len, entry + 4, 4);
        host[i].iov_base = w2n_memory(buf, len);
        host[i].iov_len = len;
        if (!host[i].iov_base && len) return result(slots, WASI_EFAULT);
    }
    ssize_t n = writing ? writev(fd, host, (int)count) : readv(fd, host, (int)count);
    if (n < 0) return result(slots, wasi_errno(errno));
    if (!store_u32(arg32(slots, 3), (uint32_t)n)) return result(slots, WASI_EFAULT);
    return result(slots, WASI_ESUCCESS);
}
static uint32_t fd_read(uint64_t *slots) { return transfer(slots, 0); }
static uint32_t fd_write(uint64_t *slots) { return transfer(slots, 1); }

static uint32_t fd_seek(uint64_t *slots) {
    int fd = host_fd(arg32(slots, 0));
    uint32_t whence = arg32(slots, 2);
    if (fd < 0) return result(slots, WASI_EBADF);
    // WASI's whence values (set, cur, end) are Linux's.
    if (whence > 2) return result(slots, WASI_EINVAL);
    off_t position = lseek(fd, (off_t)slots[1], (int)whence);
    if (position < 0) return result(slots, wasi_errno(errno));
    if (!store_u64(arg32(slots, 3), (uint64_t)position)) return result(slots, WASI_EFAULT);
    return result(slots, WASI_ESUCCESS);
}

static uint32_t fd_close(uint64_t *slots) {
    uint32_t fd = arg32(slots, 0);
    if (host_fd(fd) < 0) return result(slots, WASI_EBADF);
    int status = close(fds[fd].host);
    fds[fd].host = -1;
    fds[fd].preopen = NULL;
    return result(slots, status == 0 ? WASI_ESUCCESS : wasi_errno(errno));
}

static uint8_t file_type(mode_t mode) {
    if (S_ISBLK(mode)) return 1;
    if (S_ISCHR(mode)) return 2;
    if (S_ISDIR(mode)) return 3;
    if (S_ISREG(mode)) return 4;
    if (S_ISSOCK(mode)) return 6;
    if (S_ISLNK(mode)) return 7;
    return 0;
}

// fdstat: u8 filetype, u16 flags at 2, u64 rights_base at 8, u64 rights_inheriting at 16.
static uint32_t fd_fdstat_get(uint64_t *slots) {
    int fd = host_fd(arg32(slots, 0));
    struct stat st;
    if (fd < 0) return result(slots, WASI_EBADF);
    if (fstat(fd, &st) != 0) return result(slots, wasi_errno(errno));
    int flags = fcntl(fd, F_GETFL);
    uint16_t wasi_flags = 0;
    if (flags >= 0) {
        if (flags & O_APPEND) wasi_flags |= 1;
        if (flags & O_DSYNC) wasi_flags |= 2;
        if (flags & O_NONBLOCK) wasi_flags |= 4;
        if ((flags & O_SYNC) == O_SYNC) wasi_flags |= 16;
    }
    uint64_t rights = ALL_RIGHTS;
    // A terminal cannot seek: wasi-libc's isatty() looks for exactly this.
    if (isatty(fd)) rights &= ~(RIGHT_FD_SEEK | RIGHT_FD_TELL);
    uint8_t *out = w2n_memory(arg32(slots, 1), 24);
    if (!out) return result(slots, WASI_EFAULT);
    memset(out, 0, 24);
    out[0] = file_type(st.st_mode);
    memcpy(out + 2, &wasi_flags, 2);
    memcpy(out + 8, &rights, 8);
    uint64_t inheriting = ALL_RIGHTS;
    memcpy(out + 16, &inheriting, 8);
    return result(slots, WASI_ESUCCESS);
}

// fdflags (u16): append 1, dsync 2, nonblock 4, rsync 8, sync 16. Linux can
// change only append and nonblock on an open descriptor (F_SETFL); asking
// for the sync flags is ENOTSUP, as in wasmtime.
static uint32_t fd_fdstat_set_flags(uint64_t *slots) {
    int fd = host_fd(arg32(slots, 0));
    uint32_t wasi_flags = arg32(slots, 1);
    if (fd < 0) return result(slots, WASI_EBADF);
    if (wasi_flags & ~(uint32_t)(1 | 2 | 4 | 8 | 16)) return result(slots, WASI_EINVAL);
    if (wasi_flags & (2 | 8 | 16)) return result(slots, WASI_ENOTSUP);
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return result(slots, wasi_errno(errno));
    flags &= ~(O_APPEND | O_NONBLOCK);
    if (wasi_flags & 1) flags |= O_APPEND;
    if (wasi_flags & 4) flags |= O_NONBLOCK;
    if (fcntl(fd, F_SETFL, flags) != 0) return result(slots, wasi_errno(errno));
    return result(slots, WASI_ESUCCESS);
}

// filestat: dev, ino, u8 filetype at 16, nlink at 24, size, atim, mtim, ctim (u64 each).
static uint32_t fd_filestat_get(uint64_t *slots) {
    int fd = host_fd(arg32(slots, 0));
    struct stat st;
    if (fd < 0) return result(slots, WASI_EBADF);
    if (fstat(fd, &st) != 0) return result(slots, wasi_errno(errno));
    uint8_t *out = w2n_memory(arg32(slots, 1), 64);
    if (!out) return result(slots, WASI_EFAULT);
    uint64_t fields[8] = {
        (uint64_t)st.st_dev,
        (uint64_t)st.st_ino,
        file_type(st.st_mode),
        (uint64_t)st.st_nlink,
        (uint64_t)st.st_size,
        (uint64_t)st.st_atim.tv_sec * 1000000000u + (uint64_t)st.st_atim.tv_nsec,
        (uint64_t)st.st_mtim.tv_sec * 1000000000u + (uint64_t)st.st_mtim.tv_nsec,
        (uint64_t)st.st_ctim.tv_sec * 1000000000u + (uint64_t)st.st_ctim.tv_nsec,
    };
    memcpy(out, fields, 64);
    return result(slots, WASI_ESUCCESS);
}

// prestat: u8 tag (0 directory), u32 name length at 4.
static uint32_t fd_prestat_get(uint64_t *slots) {
    uint32_t fd = arg32(slots, 0);
    if (host_fd(fd) < 0 || !fds[fd].preopen) return result(slots, WASI_EBADF);
    uint8_t *out = w2n_memory(arg32(slots, 1), 8);
    if (!out) return result(slots, WASI_EFAULT);
    uint32_t len = (uint32_t)strlen(fds[fd].preopen);
    memset(out, 0, 8);
    memcpy(out + 4, &len, 4);
    return result(slots, WASI_ESUCCESS);
}
static uint32_t fd_prestat_dir_name(uint64_t *slots) {
    uint32_t fd = arg32(slots, 0), len = arg32(slots, 2);
    if (host_fd(fd) < 0 || !fds[fd].preopen) return result(slots, WASI_EBADF);
    size_t name_len = strlen(fds[fd].preopen);
    if (len < name_len) return result(slots, WASI_EINVAL);
    uint8_t *out = w2n_memory(arg32(slots, 1), name_len);
    if (!out) return result(slots, WASI_EFAULT);
    memcpy(out, fds[fd].preopen, name_len);
    return result(slots, WASI_ESUCCESS);
}

// path_open(dirfd, dirflags, path, path_len, oflags, rights_base, rights_inheriting, fdflags, fd_out)
static uint32_t path_open(uint64_t *slots) {
    int dir = host_fd(arg32(slots, 0));
    uint32_t dirflags = arg32(slots, 1), path_len = arg32(slots, 3), oflags = arg32(slots, 4);
    uint64_t rights = slots[5];
    uint32_t fdflags = arg32(slots, 7);
    if (dir < 0) return result(slots, WASI_EBADF);
    uint8_t *path_bytes = w2n_memory(arg32(slots, 2), path_len);
    if (!path_bytes) return result(slots, WASI_EFAULT);
    char *path = malloc((size_t)path_len + 1);
    if (!path) return result(slots, WASI_ENOMEM);
    memcpy(path, path_bytes, path_len);
    path[path_len] = 0;
    uint32_t status = WASI_ESUCCESS;
    if (strlen(path) != path_len) status = WASI_EINVAL;
    // Stay beneath the directory: no absolute paths, no `..` components.
    if (path[0] == '/') status = WASI_ENOTCAPABLE;
    for (const char *c = path; *c; c = strchr(c, '/') ? strchr(c, '/') + 1 : c + strlen(c))
        if (c[0] == '.' && c[1] == '.' && (c[2] == '/' || c[2] == 0)) status = WASI_ENOTCAPABLE;
    int flags = O_CLOEXEC;
    int reading = (rights & RIGHT_FD_READ) != 0, writing = (rights & RIGHT_FD_WRITE) != 0;
    flags |= reading && writing ? O_RDWR : writing ? O_WRONLY : O_RDONLY;
    if (oflags & 1) flags |= O_CREAT;
    if (oflags & 2) flags |= O_DIRECTORY;
    if (oflags & 4) flags |= O_EXCL;
    if (oflags & 8) flags |= O_TRUNC;
    if (fdflags & 1) flags |= O_APPEND;
    if (fdflags & 2) flags |= O_DSYNC;
    if (fdflags & 4) flags |= O_NONBLOCK;
    if (fdflags & 16) flags |= O_SYNC;
    if (!(dirflags & 1)) flags |= O_NOFOLLOW;
    uint32_t fd = 3;
    while (fd < MAX_FDS && fds[fd].host >= 0) fd++;
    if (status == WASI_ESUCCESS && fd == MAX_FDS) status = WASI_EMFILE;
    if (status == WASI_ESUCCESS) {
        int host = openat(dir, path, flags, 0666);
        if (host < 0) {
            status = wasi_errno(errno);
        } else if (!store_u32(arg32(slots, 8), fd)) {
            close(host);
            status = WASI_EFAULT;
        } else {
            fds[fd].host = host;
            fds[fd].preopen = NULL;
        }
    }
    free(path);
    return result(slots, status);
}

static uint32_t random_get(uint64_t *slots) {
    uint32_t len = arg32(slots, 1);
    uint8_t *buf = w2n_memory(arg32(slots, 0), len);
    if (!buf) return result(slots, WASI_EFAULT);
    for (uint32_t done = 0; done < len;) {
        ssize_t n = getrandom(buf + done, len - done, 0);
        if (n < 0 && errno != EINTR) return result(slots, wasi_errno(errno));
        if (n > 0) done += (uint32_t)n;
    }
    return result(slots, WASI_ESUCCESS);
}

static uint32_t sched_yield_(uint64_t *slots) {
    sched_yield();
    return result(slots, WASI_ESUCCESS);
}

static uint32_t proc_exit(uint64_t *slots) { exit((int)arg32(slots, 0)); }

static uint32_t bench_marker(uint64_t *slots) {
    (void)slots;
    return 0;
}

#define WASI "wasi_snapshot_preview1"
const struct w2n_host_function w2n_host_functions[] = {
    {WASI, "args_get", "ii:i", args_get},
    {WASI, "args_sizes_get", "ii:i", args_sizes_get},
    {WASI, "environ_get", "ii:i", environ_get},
    {WASI, "environ_sizes_get", "ii:i", environ_sizes_get},
    {WASI, "clock_res_get", "ii:i", clock_res_get},
    {WASI, "clock_time_get", "iIi:i", clock_time_get},
    {WASI, "fd_close", "i:i", fd_close},
    {WASI, "fd_fdstat_get", "ii:i", fd_fdstat_get},
    {WASI, "fd_fdstat_set_flags", "ii:i", fd_fdstat_set_flags},
    {WASI, "fd_filestat_get", "ii:i", fd_filestat_get},
    {WASI, "fd_prestat_get", "ii:i", fd_prestat_get},
    {WASI, "fd_prestat_dir_name", "iii:i", fd_prestat_dir_name},
    {WASI, "fd_read", "iiii:i", fd_read},
    {WASI, "fd_seek", "iIii:i", fd_seek},
    {WASI, "fd_write", "iiii:i", fd_write},
    {WASI, "path_open", "iiiiiIIii:i", path_open},
    {WASI, "proc_exit", "i:", proc_exit},
    {WASI, "random_get", "ii:i", random_get},
    {WASI, "sched_yield", ":i", sched_yield_},
    {"bench", "start", ":", bench_marker},
    {"bench", "end", ":", bench_marker},
    {NULL, NULL, NULL, NULL},
};
