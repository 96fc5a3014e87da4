#!/usr/bin/env bash
# The side-by-side benchmark against the official AWS SDK for Rust; see BENCHMARKS.md.
#
#   benches/compare/run.sh [calls|build|all] [options]     (--help for the options)
#
# Builds the release binaries of this workspace (into benches/compare/target unless
# CARGO_TARGET_DIR says otherwise), then runs compare-runner, which prints Markdown tables.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

# Not --locked: the lean clients follow the runtime in this repository, so when its
# dependencies change cargo adds or drops those entries in Cargo.lock (pinned versions stay).
build() { cargo build --release --quiet "$@"; }
build -p compare-runner -p bench-server
case "${1:-all}" in
    build | -h | --help) ;;
    *)
        # One cargo invocation per client, so features are resolved for each alone and the
        # lean client is not compiled with the official SDK's feature set.
        echo "building the clients (release)…" >&2
        build -p client-raw
        build -p client-lean
        build -p client-official
        ;;
esac
exec "$CARGO_TARGET_DIR/release/compare-runner" "$@"
