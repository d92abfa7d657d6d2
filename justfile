# Kontext SDK: one Rust core, Python/Node/WASM engines, one emulator, one scenario suite.
# `just test` runs everything CI runs; `just demo` shows the main job through every engine.

set shell := ["bash", "-euo", "pipefail", "-c"]

root := justfile_directory()
export CARGO_TERM_COLOR := "never"
export CARGO_INCREMENTAL := "0"
emulator_bin := root / "target/debug/kontext-management-emulator"

import? 'bindings/python/python.just'
import? 'bindings/node/node.just'
import? 'bindings/wasm/wasm.just'
import? 'packages/console/console.just'
import? 'tests/reliability/reliability.just'
import? 'tests/bench/bench.just'
import? 'tests/targets/targets.just'
import? 'tests/release/release.just'
import? 'tests/testing/testing.just'

# List the recipes.
default:
    @just --list --unsorted

# Every test of every engine (what CI runs): Rust, Python, Node, WASM (Node + Chromium), the
# console in Chromium, the fault-matrix report, the benchmarks at smoke size, the lints, the
# local half of a release (release-check: versions, crates, SBOMs, workflow, npm pack, sdist), and
# `cargo check` for the other platforms.
test: codegen-check lint test-rust test-python test-node test-testing test-wasm test-console reliability-matrix bench-smoke release-check check-targets

# Rust: unit tests, doc tests, the emulator's tests and the shared scenarios on the Rust client;
# then the vendor's own Rust client (crates.io kontext-dev-sdk 0.2.1) against the emulator.
test-rust:
    # The 1,000-call burst scenario holds ~2,000 sockets in one process (client + emulator).
    ulimit -n 8192 2>/dev/null || true; cargo test --workspace --exclude kontext-management-wasm --exclude kontext-management-python --exclude kontext-management-node
    cargo test -p kontext-management-emulator --features vendor-client --test vendor_client

# The demo: the emulator with seeded data, and "bootstrap an agent app" through every engine.
demo: build-emulator
    #!/usr/bin/env bash
    set -euo pipefail
    cd "{{root}}"
    source tests/emulator/start.sh --seed 42
    echo "emulator ready at $KONTEXT_BASE_URL (dev account $KONTEXT_CLIENT_ID)"
    echo
    cargo run -q -p kontext-management --example bootstrap_agent_app
    for engine in python node wasm; do
      if just --summary | tr ' ' '\n' | grep -qx "demo-$engine"; then echo; just "demo-$engine"; fi
    done
    echo
    echo "demo finished; stopping the emulator"

# Build the emulator binary used by the runners and the demo.
build-emulator:
    cargo build -q -p kontext-management-emulator

# Run the emulator in the foreground (e.g. `just emulator --seed 42 --db kontext-management.db`).
emulator *ARGS:
    cargo run -q -p kontext-management-emulator -- {{ARGS}}

# Formatting, clippy with warnings as errors, and rustdoc.
lint:
    cargo fmt --all --check
    cargo clippy --workspace --exclude kontext-management-wasm --all-targets -- -D warnings
    RUSTDOCFLAGS="-D warnings" cargo doc -q --no-deps -p kontext-management

# The core's parsers (response decoding, error bodies, Retry-After, base URLs, the JSON scanner)
# and the emulator's request handling (request sequences through its router; its parsers one by
# one). New inputs go to <crate>/fuzz/target/corpus; <crate>/fuzz/corpus holds only the committed
# seeds.
# Fuzz every target for SECONDS each, not in CI (`just fuzz 300 emulator_requests`: only that one).
fuzz SECONDS="60" *TARGETS:
    #!/usr/bin/env bash
    set -euo pipefail
    command -v cargo-fuzz >/dev/null || cargo install -q cargo-fuzz
    wanted=" {{TARGETS}} "
    for entry in core:decode_response core:error_body core:retry_after core:base_url core:json_scan \
                 tests/emulator:emulator_requests tests/emulator:emulator_parsers; do
      dir="${entry%%:*}" t="${entry#*:}"
      [[ "$wanted" == "  " || "$wanted" == *" $t "* ]] || continue
      echo "fuzz: $t ({{SECONDS}} s)"
      cd "{{root}}/$dir"
      mkdir -p "fuzz/target/corpus/$t"
      RUSTC_BOOTSTRAP=1 nice cargo fuzz run "$t" "fuzz/target/corpus/$t" "fuzz/corpus/$t" -- \
        -max_total_time={{SECONDS}} -rss_limit_mb=2048
    done

# Write every generated surface from the API description (core/src/api.rs + the Rust models):
# the dispatch table, the Python and JS resources and models, index.d.ts, the runners' call table,
# SCHEMA.md's call list and the README's method table. `just codegen --check` only checks.
codegen *ARGS:
    cargo run -q -p kontext-management-codegen -- {{ARGS}}

# Fails, naming each file, when a generated file is stale (part of `just test`).
codegen-check:
    cargo run -q -p kontext-management-codegen -- --check
