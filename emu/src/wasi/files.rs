//! WASI descriptors of the in-process executors: the standard streams, the
//! preopened directory and the files `path_open` opens beneath it.
//!
//! Part of [`crate::wasi`]: the WASI functions decode their operands and
//! write their results into linear memory; this module owns the descriptor
//! table and does the host I/O, returning WASI errnos. Descriptors 0, 1
//! and 2 are the standard streams (their data is handled by
//! [`super::WasiState`]: captured, or read from the configuration); 3 is
//! the preopened directory when one is configured; new descriptors take
//! the lowest free number from 3 up, as in the C runtime.

use super::errno;
use crate::EmuError;
use std::ffi::CString;
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// At most this many descriptors are open at once.
const MAX_DESCRIPTORS: usize = 1024;

/// Rights bits that matter here.
const RIGHT_FD_SEEK: u64 = 1 << 2;
const RIGHT_FD_TELL: u64 = 1 << 5;
const RIGHT_FD_READ: u64 = 1 << 1;
const RIGHT_FD_WRITE: u64 = 1 << 6;
const ALL_RIGHTS: u64 = (1 << 30) - 1;

/// WASI file types.
const FILETYPE_UNKNOWN: u8 = 0;
const FILETYPE_DIRECTORY: u8 = 3;

/// fdflags bits.
const FDFLAG_APPEND: u32 = 1;
const FDFLAG_DSYNC: u32 = 2;
const FDFLAG_NONBLOCK: u32 = 4;
const FDFLAG_RSYNC: u32 = 8;
const FDFLAG_SYNC: u32 = 16;

/// One of the standard streams.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stream {
    Stdin,
    Stdout,
    Stderr,
}

#[derive(Debug)]
enum Descriptor {
    Stream(Stream),
    /// A directory; `preopen` is its name if it was preopened.
    Directory {
        file: File,
        preopen: Option<String>,
    },
    File(File),
}

/// The operands of `path_open` besides the directory and the path.
#[derive(Clone, Copy, Debug)]
pub(crate) struct OpenRequest {
    pub(crate) dir_flags: u32,
    pub(crate) open_flags: u32,
    pub(crate) rights: u64,
    pub(crate) fd_flags: u32,
}

/// The descriptor table.
#[derive(Debug)]
pub(crate) struct Descriptors {
    table: Vec<Option<Descriptor>>,
}

impl Default for Descriptors {
    fn default() -> Descriptors {
        let streams = [Stream::Stdin, Stream::Stdout, Stream::Stderr];
        Descriptors { table: streams.into_iter().map(|s| Some(Descriptor::Stream(s))).collect() }
    }
}

impl Descriptors {
    /// The standard streams, plus `preopen` as `.` at descriptor 3.
    pub(crate) fn new(preopen: Option<&Path>) -> Result<Descriptors, EmuError> {
        let mut descriptors = Descriptors::default();
        if let Some(dir) = preopen {
            let file = File::open(dir)
                .map_err(|error| EmuError::System(format!("opening {} to preopen: {error}", dir.display())))?;
            if !file.metadata().is_ok_and(|m| m.is_dir()) {
                return Err(EmuError::System(format!("{} is not a directory to preopen", dir.display())));
            }
            descriptors.table.push(Some(Descriptor::Directory { file, preopen: Some(".".to_string()) }));
        }
        Ok(descriptors)
    }

    fn get(&self, fd: u32) -> Option<&Descriptor> {
        self.table.get(fd as usize).and_then(Option::as_ref)
    }

    /// The standard stream `fd` is, if it is one and open.
    pub(crate) fn stream(&self, fd: u32) -> Option<Stream> {
        match self.get(fd) {
            Some(Descriptor::Stream(stream)) => Some(*stream),
            _ => None,
        }
    }

    /// The host file behind `fd` (a file or a directory).
    fn file(&self, fd: u32) -> Result<&File, u16> {
        match self.get(fd) {
            Some(Descriptor::File(file) | Descriptor::Directory { file, .. }) => Ok(file),
            _ => Err(errno::BADF),
        }
    }

    /// The name `fd` was preopened under.
    pub(crate) fn preopen_name(&self, fd: u32) -> Option<&str> {
        match self.get(fd) {
            Some(Descriptor::Directory { preopen: Some(name), .. }) => Some(name),
            _ => None,
        }
    }

    /// Writes to a file descriptor (not a stream).
    pub(crate) fn write(&mut self, fd: u32, bytes: &[u8]) -> Result<usize, u16> {
        let mut file = self.file(fd)?;
        file.write(bytes).map_err(|error| from_io(&error))
    }

    /// Reads up to `len` bytes from a file descriptor (not a stream), in
    /// one read.
    pub(crate) fn read(&mut self, fd: u32, len: usize) -> Result<Vec<u8>, u16> {
        let mut file = self.file(fd)?;
        let mut bytes = vec![0u8; len];
        let n = file.read(&mut bytes).map_err(|error| from_io(&error))?;
        bytes.truncate(n);
        Ok(bytes)
    }

    /// `fd_seek`: WASI's whence values (set, cur, end) are Linux's.
    pub(crate) fn seek(&mut self, fd: u32, offset: i64, whence: u32) -> Result<u64, u16> {
        if self.stream(fd).is_some() {
            return Err(errno::SPIPE);
        }
        let file = self.file(fd)?;
        if whence > 2 {
            return Err(errno::INVAL);
        }
        // SAFETY: lseek on a descriptor this table owns.
        let position = unsafe { libc::lseek(file.as_raw_fd(), offset, whence as i32) };
        if position < 0 { Err(from_io(&std::io::Error::last_os_error())) } else { Ok(position as u64) }
    }

    /// `fd_close`.
    pub(crate) fn close(&mut self, fd: u32) -> u16 {
        match self.table.get_mut(fd as usize) {
            Some(slot @ Some(_)) => {
                *slot = None;
                errno::SUCCESS
            }
            _ => errno::BADF,
        }
    }

    /// `fd_fdstat_get`'s 24 bytes: u8 file type, u16 flags at 2, u64 base
    /// rights at 8, u64 inheriting rights at 16.
    pub(crate) fn fdstat(&self, fd: u32) -> Result<[u8; 24], u16> {
        let (filetype, flags, rights) = match self.get(fd) {
            None => return Err(errno::BADF),
            // Captured streams are not terminals (wasi-libc's isatty wants
            // a character device) and cannot seek.
            Some(Descriptor::Stream(_)) => (FILETYPE_UNKNOWN, 0, ALL_RIGHTS & !(RIGHT_FD_SEEK | RIGHT_FD_TELL)),
            Some(Descriptor::File(file) | Descriptor::Directory { file, .. }) => {
                let metadata = file.metadata().map_err(|error| from_io(&error))?;
                (file_type(&metadata), host_fd_flags(file), ALL_RIGHTS)
            }
        };
        let mut bytes = [0u8; 24];
        bytes[0] = filetype;
        bytes[2..4].copy_from_slice(&flags.to_le_bytes());
        bytes[8..16].copy_from_slice(&rights.to_le_bytes());
        bytes[16..24].copy_from_slice(&ALL_RIGHTS.to_le_bytes());
        Ok(bytes)
    }

    /// `fd_fdstat_set_flags`: Linux can change only append and nonblock on
    /// an open descriptor; the sync flags are `ENOTSUP`, as in wasmtime.
    pub(crate) fn set_flags(&mut self, fd: u32, flags: u32) -> u16 {
        if self.get(fd).is_none() {
            return errno::BADF;
        }
        if flags & !(FDFLAG_APPEND | FDFLAG_DSYNC | FDFLAG_NONBLOCK | FDFLAG_RSYNC | FDFLAG_SYNC) != 0 {
            return errno::INVAL;
        }
        if flags & (FDFLAG_DSYNC | FDFLAG_RSYNC | FDFLAG_SYNC) != 0 {
            return errno::NOTSUP;
        }
        let Ok(file) = self.file(fd) else {
            // A captured stream: appending and not blocking are what it does.
            return errno::SUCCESS;
        };
        let raw = file.as_raw_fd();
        // SAFETY: fcntl on a descriptor this table owns.
        unsafe {
            let mut host = libc::fcntl(raw, libc::F_GETFL);
            if host < 0 {
                return from_io(&std::io::Error::last_os_error());
            }
            host &= !(libc::O_APPEND | libc::O_NONBLOCK);
            if flags & FDFLAG_APPEND != 0 {
                host |= libc::O_APPEND;
            }
            if flags & FDFLAG_NONBLOCK != 0 {
                host |= libc::O_NONBLOCK;
            }
            if libc::fcntl(raw, libc::F_SETFL, host) != 0 {
                return from_io(&std::io::Error::last_os_error());
            }
        }
        errno::SUCCESS
    }

    /// `fd_filestat_get`'s 64 bytes: device, inode, u8 file type at 16,
    /// link count, size, access, modification and change times (u64 each).
    pub(crate) fn filestat(&self, fd: u32) -> Result<[u8; 64], u16> {
        let fields = match self.get(fd) {
            None => return Err(errno::BADF),
            Some(Descriptor::Stream(_)) => [0u64; 8],
            Some(Descriptor::File(file) | Descriptor::Directory { file, .. }) => {
                let m = file.metadata().map_err(|error| from_io(&error))?;
                let nanos =
                    |secs: i64, nsecs: i64| (secs as u64).wrapping_mul(1_000_000_000).wrapping_add(nsecs as u64);
                [
                    m.dev(),
                    m.ino(),
                    u64::from(file_type(&m)),
                    m.nlink(),
                    m.size(),
                    nanos(m.atime(), m.atime_nsec()),
                    nanos(m.mtime(), m.mtime_nsec()),
                    nanos(m.ctime(), m.ctime_nsec()),
                ]
            }
        };
        let mut bytes = [0u8; 64];
        for (chunk, field) in bytes.chunks_exact_mut(8).zip(fields) {
            chunk.copy_from_slice(&field.to_le_bytes());
        }
        Ok(bytes)
    }

    /// `path_open`: opens `path` beneath directory descriptor `dir` and
    /// returns the new descriptor. Absolute paths and `..` components are
    /// `ENOTCAPABLE`.
    pub(crate) fn open(&mut self, dir: u32, path: &[u8], request: OpenRequest) -> Result<u32, u16> {
        let dir_fd = match self.get(dir) {
            Some(Descriptor::Directory { file, .. }) => file.as_raw_fd(),
            Some(_) => return Err(from_io(&std::io::Error::from_raw_os_error(libc::ENOTDIR))),
            None => return Err(errno::BADF),
        };
        let path = CString::new(path).map_err(|_| errno::INVAL)?;
        let bytes = path.as_bytes();
        if bytes.first() == Some(&b'/') || bytes.split(|&b| b == b'/').any(|component| component == b"..") {
            return Err(errno::NOTCAPABLE);
        }
        let fd = (3..MAX_DESCRIPTORS).find(|&fd| self.get(fd as u32).is_none()).ok_or(errno::MFILE)?;
        let reading = request.rights & RIGHT_FD_READ != 0;
        let writing = request.rights & RIGHT_FD_WRITE != 0;
        let mut flags = libc::O_CLOEXEC;
        flags |= match (reading, writing) {
            (true, true) => libc::O_RDWR,
            (false, true) => libc::O_WRONLY,
            _ => libc::O_RDONLY,
        };
        for (bit, host) in [(1, libc::O_CREAT), (2, libc::O_DIRECTORY), (4, libc::O_EXCL), (8, libc::O_TRUNC)] {
            if request.open_flags & bit != 0 {
                flags |= host;
            }
        }
        for (bit, host) in [
            (FDFLAG_APPEND, libc::O_APPEND),
            (FDFLAG_DSYNC, libc::O_DSYNC),
            (FDFLAG_NONBLOCK, libc::O_NONBLOCK),
            (FDFLAG_SYNC, libc::O_SYNC),
        ] {
            if request.fd_flags & bit != 0 {
                flags |= host;
            }
        }
        if request.dir_flags & 1 == 0 {
            flags |= libc::O_NOFOLLOW;
        }
        // SAFETY: openat on a directory this table owns, with a valid C string.
        let host = unsafe { libc::openat(dir_fd, path.as_ptr(), flags, 0o666 as libc::c_uint) };
        if host < 0 {
            return Err(from_io(&std::io::Error::last_os_error()));
        }
        // SAFETY: `host` was just opened and nothing else owns it.
        let file = unsafe { File::from_raw_fd(host) };
        let is_dir = file.metadata().is_ok_and(|m| m.is_dir());
        let descriptor = if is_dir { Descriptor::Directory { file, preopen: None } } else { Descriptor::File(file) };
        if self.table.len() <= fd {
            self.table.resize_with(fd + 1, || None);
        }
        self.table[fd] = Some(descriptor);
        Ok(fd as u32)
    }
}

/// The WASI file type of host metadata.
fn file_type(metadata: &std::fs::Metadata) -> u8 {
    use std::os::unix::fs::FileTypeExt;
    let ty = metadata.file_type();
    match () {
        _ if ty.is_block_device() => 1,
        _ if ty.is_char_device() => 2,
        _ if ty.is_dir() => FILETYPE_DIRECTORY,
        _ if ty.is_file() => 4,
        _ if ty.is_socket() => 6,
        _ if ty.is_symlink() => 7,
        _ => FILETYPE_UNKNOWN,
    }
}

/// The WASI fdflags of an open host file.
fn host_fd_flags(file: &File) -> u16 {
    // SAFETY: fcntl F_GETFL on a descriptor the caller owns.
    let host = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_GETFL) };
    if host < 0 {
        return 0;
    }
    let mut flags = 0;
    for (bit, host_bit) in
        [(FDFLAG_APPEND, libc::O_APPEND), (FDFLAG_DSYNC, libc::O_DSYNC), (FDFLAG_NONBLOCK, libc::O_NONBLOCK)]
    {
        if host & host_bit != 0 {
            flags |= bit;
        }
    }
    if host & libc::O_SYNC == libc::O_SYNC {
        flags |= FDFLAG_SYNC;
    }
    flags as u16
}

/// A host error as a WASI errno (WASI numbers them its own way).
pub(crate) fn from_io(error: &std::io::Error) -> u16 {
    let Some(code) = error.raw_os_error() else { return errno::IO };
    const TABLE: [(i32, u16); 30] = [
        (libc::E2BIG, 1),
        (libc::EACCES, 2),
        (libc::EAGAIN, 6),
        (libc::EBADF, 8),
        (libc::EBUSY, 10),
        (libc::EEXIST, 20),
        (libc::EFAULT, 21),
        (libc::EFBIG, 22),
        (libc::EINTR, 27),
        (libc::EINVAL, 28),
        (libc::EIO, 29),
        (libc::EISDIR, 31),
        (libc::ELOOP, 32),
        (libc::EMFILE, 33),
        (libc::ENAMETOOLONG, 37),
        (libc::ENFILE, 41),
        (libc::ENOENT, 44),
        (libc::ENOMEM, 48),
        (libc::ENOSPC, 51),
        (libc::ENOSYS, 52),
        (libc::ENOTDIR, 54),
        (libc::ENOTEMPTY, 55),
        (libc::EOPNOTSUPP, 58),
        (libc::ENOTTY, 59),
        (libc::ENXIO, 60),
        (libc::EOVERFLOW, 61),
        (libc::EPERM, 63),
        (libc::EPIPE, 64),
        (libc::EROFS, 69),
        (libc::ESPIPE, 70),
    ];
    TABLE.iter().find(|&&(host, _)| host == code).map_or(errno::IO, |&(_, wasi)| wasi)
}
