//! Replays every file of `fuzz/corpus/<target>/` (seeds from the vectors plus what fuzzing kept, and any
//! regression inputs) through the fuzz targets' bodies on the stable toolchain: `make test` runs no new fuzzing,
//! but a crash once found and added to a corpus fails CI until it is fixed.

#[path = "../../fuzz/src/targets.rs"]
#[allow(dead_code, missing_docs)]
mod targets;

use std::path::Path;

#[test]
fn every_corpus_file_runs_without_panicking() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus");
    let mut total = 0;
    for (name, target) in targets::ALL {
        let dir = root.join(name);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("dir entry").path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "{name}: empty corpus");
        for file in &files {
            let data = std::fs::read(file).expect("corpus file");
            target(&data);
        }
        println!("{name}: {} inputs replayed", files.len());
        total += files.len();
    }
    assert!(total > 0);
}
