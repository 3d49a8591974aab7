//! Gives libcountermark.so a versioned SONAME (libcountermark.so.MAJOR.MINOR): while the ABI is unstable (0.x),
//! every minor release is a new ABI, and the loader must not mix them.

fn main() {
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_default();
    let minor = std::env::var("CARGO_PKG_VERSION_MINOR").unwrap_or_default();
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if target_os == "linux" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libcountermark.so.{major}.{minor}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
