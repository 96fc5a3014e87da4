//! Records the compiler's version for the `User-Agent` header (`lang/rust/1.85.0`).

#![forbid(unsafe_code)]

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=RUSTC");
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    // `rustc -vV` prints `release: 1.85.0` among other lines; anything unexpected
    // is reported as `unknown` rather than failing the build.
    let version = Command::new(rustc)
        .arg("-vV")
        .output()
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .and_then(|text| {
            text.lines()
                .find_map(|line| line.strip_prefix("release: "))
                .map(|release| release.trim().to_owned())
        })
        .filter(|release| {
            !release.is_empty()
                && release
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        })
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=SDK_RUNTIME_RUSTC_VERSION={version}");
}
