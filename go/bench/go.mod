module github.com/countermark/countermark/go/bench

go 1.22

require github.com/countermark/countermark/go v0.0.0

// The binding in this repository (it links ../../target/release/libcountermark.a: `make ffi`).
replace github.com/countermark/countermark/go => ../
