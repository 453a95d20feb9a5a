# Shared set-up for the scripts in this folder. Source it; do not run it.
#
# Finds the workspace, points the harness at the shared test data (both
# paths can be overridden), and installs what a fresh Debian machine lacks:
# Debian packages through apt-get when running as root (otherwise it prints
# the exact command and stops), cargo tools through `cargo install`.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export ROOT
# Where cargo builds (it honours CARGO_TARGET_DIR; so do the scripts).
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
export TARGET_DIR
export WASM_TESTSUITE="${WASM_TESTSUITE:-$ROOT/../shared/wasm-testsuite}"
export SIGHTGLASS="${SIGHTGLASS:-$ROOT/../shared/sightglass}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

# step TEXT: announces a step, with the seconds since the script started
# (so a CI log shows where the time goes).
step() {
    printf '\n==> [%ss] %s\n' "$SECONDS" "$*"
}

# ensure_packages PKG...: installs the Debian packages that are missing.
ensure_packages() {
    local missing=()
    local package
    for package in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$package")
        fi
    done
    if [ ${#missing[@]} -eq 0 ]; then
        return 0
    fi
    if [ "$(id -u)" = 0 ]; then
        step "installing Debian packages: ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
    else
        echo "error: missing Debian packages: ${missing[*]}" >&2
        echo "run:   sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
}

# ensure_rust: the Rust toolchain must be there (rustup cannot be fetched by
# a script on every machine, so say how to get it).
ensure_rust() {
    if ! command -v cargo >/dev/null 2>&1; then
        echo "error: cargo not found; install Rust 1.95 or newer with rustup (https://rustup.rs)" >&2
        exit 1
    fi
}

# lint_while_building: makes every later cargo command compile the
# workspace's own crates with clippy-driver, with warnings (rustc's and
# clippy's) as errors: a build then lints as it goes, which is what
# `cargo clippy --workspace --all-targets -- -D warnings` checks, without
# a second, check-only pass over every dependency (about 8 minutes on a
# 2-core machine). Dependencies are compiled by plain rustc and keep their
# fingerprints. CLIPPY_ARGS is how `cargo clippy` passes lint flags to
# clippy-driver.
lint_while_building() {
    local driver
    driver="$(rustc --print sysroot)/bin/clippy-driver"
    if [ ! -x "$driver" ]; then
        echo "error: clippy-driver not found at $driver; run: rustup component add clippy" >&2
        exit 1
    fi
    export RUSTC_WORKSPACE_WRAPPER="$driver"
    export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
}

# setup: everything the build and the tests need.
setup() {
    ensure_rust
    if command -v dpkg-query >/dev/null 2>&1; then
        # gcc links Rust binaries; cmake and libclang-dev build unicorn (the
        # AArch64 emulator). The object-file tests read our objects back with
        # binutils (readelf/objdump/ld for x86-64, binutils-aarch64-linux-gnu
        # for AArch64) and llvm-objdump (llvm: Mach-O). `wasm2native build`
        # links AArch64 executables with gcc-aarch64-linux-gnu, and the tests
        # run them with qemu-aarch64 (qemu-user).
        ensure_packages gcc binutils binutils-aarch64-linux-gnu llvm cmake libclang-dev \
            gcc-aarch64-linux-gnu qemu-user
    fi
    cd "$ROOT"
}
