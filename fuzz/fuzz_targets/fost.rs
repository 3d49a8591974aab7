#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| countermark_fuzz::targets::fost(data));
