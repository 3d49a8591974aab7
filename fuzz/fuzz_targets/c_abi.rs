#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| countermark_fuzz::c_abi::c_abi(data));
