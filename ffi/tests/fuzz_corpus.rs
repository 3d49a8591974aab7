//! Replays every input of fuzz/corpus/c_abi through the C ABI fuzz target's body (no new fuzzing), so a crash
//! found once by `make fuzz` stays fixed. The body lives in fuzz/src/c_abi.rs.

#[allow(dead_code, clippy::all)]
#[path = "../../fuzz/src/c_abi.rs"]
mod c_abi;

/// The crate under the name c_abi.rs uses.
mod ffi {
    pub use countermark::*;
}

#[test]
fn c_abi_corpus_replays_without_a_crash() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/c_abi");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir)
        .expect("fuzz/corpus/c_abi exists (make fuzz writes it, seeds.py seeds it)")
    {
        let path = entry.unwrap().path();
        c_abi::c_abi(&std::fs::read(&path).unwrap());
        n += 1;
    }
    assert!(n > 0, "the c_abi corpus is empty");
    println!("replayed {n} c_abi inputs");
}
