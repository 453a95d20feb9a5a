//! The WASI functions on a plain byte vector as linear memory.

use super::*;

/// 64 KiB of linear memory.
struct Bytes(Vec<u8>);

impl GuestMemory for Bytes {
    fn contains(&self, address: u64, len: u64) -> bool {
        address.checked_add(len).is_some_and(|end| end <= self.0.len() as u64)
    }

    fn read(&self, address: u64, len: u64) -> Option<Vec<u8>> {
        let end = address.checked_add(len)?;
        self.0.get(address as usize..end as usize).map(<[u8]>::to_vec)
    }

    fn write(&mut self, address: u64, bytes: &[u8]) -> bool {
        let Some(end) = address.checked_add(bytes.len() as u64) else { return false };
        match self.0.get_mut(address as usize..end as usize) {
            Some(target) => {
                target.copy_from_slice(bytes);
                true
            }
            None => false,
        }
    }
}

fn memory() -> Bytes {
    Bytes(vec![0; 1 << 16])
}

fn u32_at(memory: &Bytes, address: usize) -> u32 {
    u32::from_le_bytes(memory.0[address..address + 4].try_into().unwrap())
}

/// Calls `func` with `args` in the slots; returns the errno.
fn call(func: WasiFunc, state: &mut WasiState, memory: &mut Bytes, args: &[u64]) -> u64 {
    let mut slots = args.to_vec();
    slots.resize(func.slot_count().max(1), 0);
    assert_eq!(func.call(state, memory, &mut slots), Flow::Return, "{func:?}");
    slots[0]
}

fn state(config: WasiConfig) -> WasiState {
    WasiState::new(config).expect("a WASI state")
}

/// Writes an iovec table at `table` for `(buf, len)` pairs.
fn iovecs(memory: &mut Bytes, table: u64, pairs: &[(u32, u32)]) {
    let bytes: Vec<u8> = pairs.iter().flat_map(|&(b, l)| [b.to_le_bytes(), l.to_le_bytes()].concat()).collect();
    assert!(memory.write(table, &bytes));
}

#[test]
fn every_function_has_its_preview1_type_and_is_found_by_name() {
    for &func in WasiFunc::ALL {
        assert_eq!(WasiFunc::lookup(func.module(), func.name()), Some(func));
        assert!(WasiFunc::serves(func.module()));
    }
    assert_eq!(WasiFunc::lookup(MODULE_NAME, "sock_accept"), None);
    assert_eq!(WasiFunc::lookup("env", "fd_write"), None);
    let path_open = WasiFunc::PathOpen.func_type();
    use ValType::{I32, I64};
    assert_eq!(path_open.params, [I32, I32, I32, I32, I32, I64, I64, I32, I32]);
    assert_eq!(path_open.results, [I32]);
    assert_eq!(WasiFunc::ProcExit.func_type().results, []);
    assert_eq!(WasiFunc::BenchStart.module(), "bench");
    assert_eq!(WasiFunc::FdSeek.slot_count(), 4);
}

#[test]
fn arguments_and_environment_are_laid_out_like_argv() {
    let mut wasi = state(WasiConfig {
        args: vec!["prog".into(), "two words".into(), String::new()],
        env: vec![("A".into(), "1".into())],
        ..WasiConfig::default()
    });
    let mut m = memory();
    assert_eq!(call(WasiFunc::ArgsSizesGet, &mut wasi, &mut m, &[100, 104]), 0);
    assert_eq!((u32_at(&m, 100), u32_at(&m, 104)), (3, 5 + 10 + 1));
    assert_eq!(call(WasiFunc::ArgsGet, &mut wasi, &mut m, &[200, 300]), 0);
    assert_eq!([u32_at(&m, 200), u32_at(&m, 204), u32_at(&m, 208)], [300, 305, 315]);
    assert_eq!(&m.0[300..316], b"prog\0two words\0\0");
    assert_eq!(call(WasiFunc::EnvironSizesGet, &mut wasi, &mut m, &[100, 104]), 0);
    assert_eq!((u32_at(&m, 100), u32_at(&m, 104)), (1, 4));
    assert_eq!(call(WasiFunc::EnvironGet, &mut wasi, &mut m, &[200, 400]), 0);
    assert_eq!(u32_at(&m, 200), 400);
    assert_eq!(&m.0[400..404], b"A=1\0");
    // A pointer past the end of memory is EFAULT, not a crash.
    assert_eq!(call(WasiFunc::ArgsGet, &mut wasi, &mut m, &[0xffff, 300]), u64::from(errno::FAULT));
}

#[test]
fn standard_streams_are_captured_and_stdin_comes_from_the_configuration() {
    let mut wasi = state(WasiConfig { stdin: b"input bytes".to_vec(), ..WasiConfig::default() });
    let mut m = memory();
    m.write(1000, b"hello, ");
    m.write(2000, b"world\n");
    iovecs(&mut m, 64, &[(1000, 7), (2000, 6)]);
    assert_eq!(call(WasiFunc::FdWrite, &mut wasi, &mut m, &[1, 64, 2, 96]), 0);
    assert_eq!(u32_at(&m, 96), 13);
    iovecs(&mut m, 64, &[(2000, 6)]);
    assert_eq!(call(WasiFunc::FdWrite, &mut wasi, &mut m, &[2, 64, 1, 96]), 0);
    // Reading scatters over the buffers; the second read gets the rest.
    iovecs(&mut m, 64, &[(3000, 3), (3100, 2)]);
    assert_eq!(call(WasiFunc::FdRead, &mut wasi, &mut m, &[0, 64, 2, 96]), 0);
    assert_eq!((u32_at(&m, 96), &m.0[3000..3003], &m.0[3100..3102]), (5, &b"inp"[..], &b"ut"[..]));
    iovecs(&mut m, 64, &[(3200, 100)]);
    assert_eq!(call(WasiFunc::FdRead, &mut wasi, &mut m, &[0, 64, 1, 96]), 0);
    assert_eq!((u32_at(&m, 96), &m.0[3200..3206]), (6, &b" bytes"[..]));
    assert_eq!(call(WasiFunc::FdRead, &mut wasi, &mut m, &[0, 64, 1, 96]), 0);
    assert_eq!(u32_at(&m, 96), 0, "end of input");
    // A buffer outside memory: EFAULT and nothing written.
    iovecs(&mut m, 64, &[(1000, 7), (0xfff0, 0x100)]);
    assert_eq!(call(WasiFunc::FdWrite, &mut wasi, &mut m, &[1, 64, 2, 96]), u64::from(errno::FAULT));
    // Streams cannot seek; writing to stdin or an unknown descriptor is EBADF.
    assert_eq!(call(WasiFunc::FdSeek, &mut wasi, &mut m, &[1, 0, 0, 96]), u64::from(errno::SPIPE));
    assert_eq!(call(WasiFunc::FdWrite, &mut wasi, &mut m, &[0, 64, 1, 96]), u64::from(errno::BADF));
    assert_eq!(call(WasiFunc::FdWrite, &mut wasi, &mut m, &[9, 64, 1, 96]), u64::from(errno::BADF));
    let output = wasi.take_output();
    assert_eq!(output.stdout, b"hello, world\n");
    assert_eq!(output.stderr, b"world\n");
    assert_eq!(wasi.take_output(), WasiOutput::default());
    // A closed stream is gone.
    assert_eq!(call(WasiFunc::FdClose, &mut wasi, &mut m, &[1]), 0);
    assert_eq!(call(WasiFunc::FdWrite, &mut wasi, &mut m, &[1, 64, 1, 96]), u64::from(errno::BADF));
    assert_eq!(call(WasiFunc::FdClose, &mut wasi, &mut m, &[1]), u64::from(errno::BADF));
}

#[test]
fn files_open_beneath_the_preopened_directory_only() {
    let dir = std::env::temp_dir().join(format!("emu-wasi-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("sub/data.txt"), b"0123456789").unwrap();
    let mut wasi = state(WasiConfig { preopen: Some(dir.clone()), ..WasiConfig::default() });
    let mut m = memory();
    // fd 3 is the preopened ".".
    assert_eq!(call(WasiFunc::FdPrestatGet, &mut wasi, &mut m, &[3, 100]), 0);
    assert_eq!((m.0[100], u32_at(&m, 104)), (0, 1));
    assert_eq!(call(WasiFunc::FdPrestatDirName, &mut wasi, &mut m, &[3, 200, 1]), 0);
    assert_eq!(m.0[200], b'.');
    assert_eq!(call(WasiFunc::FdPrestatGet, &mut wasi, &mut m, &[4, 100]), u64::from(errno::BADF));
    let open = |wasi: &mut WasiState, m: &mut Bytes, path: &[u8]| {
        m.write(500, path);
        call(WasiFunc::PathOpen, wasi, m, &[3, 1, 500, path.len() as u64, 0, 1 << 1 | 1 << 2, 0, 0, 600])
    };
    assert_eq!(open(&mut wasi, &mut m, b"sub/data.txt"), 0);
    let fd = u64::from(u32_at(&m, 600));
    assert_eq!(fd, 4);
    iovecs(&mut m, 64, &[(1000, 4)]);
    assert_eq!(call(WasiFunc::FdRead, &mut wasi, &mut m, &[fd, 64, 1, 96]), 0);
    assert_eq!(&m.0[1000..1004], b"0123");
    assert_eq!(call(WasiFunc::FdSeek, &mut wasi, &mut m, &[fd, (-3i64) as u64, 2, 96]), 0);
    assert_eq!(u64::from_le_bytes(m.0[96..104].try_into().unwrap()), 7);
    assert_eq!(call(WasiFunc::FdRead, &mut wasi, &mut m, &[fd, 64, 1, 96]), 0);
    assert_eq!((u32_at(&m, 96), &m.0[1000..1003]), (3, &b"789"[..]));
    assert_eq!(call(WasiFunc::FdFilestatGet, &mut wasi, &mut m, &[fd, 1100]), 0);
    assert_eq!((m.0[1116], u64::from_le_bytes(m.0[1132..1140].try_into().unwrap())), (4, 10), "regular, 10 bytes");
    assert_eq!(call(WasiFunc::FdFdstatGet, &mut wasi, &mut m, &[3, 1200]), 0);
    assert_eq!(m.0[1200], 3, "a directory");
    assert_eq!(call(WasiFunc::FdClose, &mut wasi, &mut m, &[fd]), 0);
    // Escapes are refused; a missing file is ENOENT (44).
    assert_eq!(open(&mut wasi, &mut m, b"../etc/passwd"), u64::from(errno::NOTCAPABLE));
    assert_eq!(open(&mut wasi, &mut m, b"sub/../../x"), u64::from(errno::NOTCAPABLE));
    assert_eq!(open(&mut wasi, &mut m, b"/etc/passwd"), u64::from(errno::NOTCAPABLE));
    assert_eq!(open(&mut wasi, &mut m, b"absent.txt"), 44);
    // Without a preopened directory there is nothing to open beneath.
    let mut bare = state(WasiConfig::default());
    assert_eq!(open(&mut bare, &mut m, b"sub/data.txt"), u64::from(errno::BADF));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn proc_exit_unwinds_and_settles_a_trapped_call_as_an_exit() {
    let mut wasi = state(WasiConfig::default());
    let mut m = memory();
    let mut slots = [(-2i32) as u32 as u64];
    assert_eq!(WasiFunc::ProcExit.call(&mut wasi, &mut m, &mut slots), Flow::Exit(-2));
    wasi.set_exit(-2);
    let trap = Trap { code: compiler::runtime::TrapCode::Unreachable, offset: 0, function: None };
    assert_eq!(wasi.settle(CallOutcome::Trapped(trap.clone())), CallOutcome::Exited(-2));
    // The exit is consumed: a later trap stays a trap.
    assert_eq!(wasi.settle(CallOutcome::Trapped(trap.clone())), CallOutcome::Trapped(trap));
    let mut none = [0u64; 1];
    assert_eq!(WasiFunc::BenchStart.call(&mut wasi, &mut m, &mut none), Flow::Return);
}

#[test]
fn clocks_and_random_fill_memory() {
    let mut wasi = state(WasiConfig::default());
    let mut m = memory();
    assert_eq!(call(WasiFunc::ClockTimeGet, &mut wasi, &mut m, &[0, 1, 100]), 0);
    let now = u64::from_le_bytes(m.0[100..108].try_into().unwrap());
    assert!(now > 1_600_000_000 * 1_000_000_000, "{now}");
    assert_eq!(call(WasiFunc::ClockTimeGet, &mut wasi, &mut m, &[9, 1, 100]), u64::from(errno::INVAL));
    assert_eq!(call(WasiFunc::ClockResGet, &mut wasi, &mut m, &[1, 100]), 0);
    assert!(u64::from_le_bytes(m.0[100..108].try_into().unwrap()) > 0);
    assert_eq!(call(WasiFunc::RandomGet, &mut wasi, &mut m, &[2000, 64]), 0);
    assert!(m.0[2000..2064].iter().any(|&b| b != 0));
    assert_eq!(call(WasiFunc::RandomGet, &mut wasi, &mut m, &[0xffff, 64]), u64::from(errno::FAULT));
}
