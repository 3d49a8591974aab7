//! The C ABI target (included by fuzz/src/lib.rs and by ffi/tests/fuzz_corpus.rs, each with a `crate::ffi` module
//! naming the countermark-ffi crate): arbitrary bytes through the exported `extern "C"` functions, exactly as a C caller would
//! pass them (pointer and length of a real buffer). Every call must return a documented code; a Rust panic
//! caught at the boundary (`COUNTERMARK_RESULT_PANIC`) counts as a crash, and every output is freed.

use std::ptr;

use crate::ffi::bytes::*;
use crate::ffi::clock::*;
use crate::ffi::fost::*;
use crate::ffi::hmac::*;
use crate::ffi::hmac_header::*;
use crate::ffi::jwt::*;
use crate::ffi::message_signatures::*;
use crate::ffi::request::*;
use crate::ffi::result::*;
use crate::ffi::signed_url::*;
use crate::ffi::tokens::*;
use crate::ffi::verified::*;

const PANIC: countermark_result = countermark_result::Panic;

fn check(rc: countermark_result, what: &str) {
    assert!(rc != PANIC, "{what} panicked behind the C boundary");
}

/// Splits `data` at the first NUL bytes into up to `N` fields (the rest stays in the last one).
fn fields<const N: usize>(data: &[u8]) -> [&[u8]; N] {
    let mut out = [&data[data.len()..]; N];
    let mut rest = data;
    for slot in out.iter_mut().take(N - 1) {
        match rest.iter().position(|&b| b == 0) {
            Some(i) => {
                *slot = &rest[..i];
                rest = &rest[i + 1..];
            }
            None => {
                *slot = rest;
                rest = &rest[rest.len()..];
            }
        }
    }
    out[N - 1] = rest;
    out
}

/// Room for one typed result (every parse and verify writes into it; nothing to free).
struct Out {
    v: std::mem::MaybeUninit<countermark_verified>,
    buf: [u8; COUNTERMARK_VERIFIED_BUF_LEN],
    n: usize,
}

impl Out {
    fn new() -> Self {
        Out {
            v: std::mem::MaybeUninit::uninit(),
            buf: [0; COUNTERMARK_VERIFIED_BUF_LEN],
            n: 0,
        }
    }
}

/// One fuzz input: the first byte picks the entry point, the rest is its input.
pub fn c_abi(data: &[u8]) {
    let Some((&selector, data)) = data.split_first() else {
        return;
    };
    unsafe { drive(selector, data) }
}

unsafe fn drive(selector: u8, data: &[u8]) {
    let mut out = Out::new();
    let mut bytes = countermark_bytes {
        data: ptr::null_mut(),
        len: 0,
    };
    let secret = b"fuzzing secret of 32 bytes......";
    let mut key: *const countermark_hmac_key = ptr::null();
    let mut clock: *const countermark_clock = ptr::null();
    unsafe {
        check(
            countermark_hmac_key_new(
                b"hmac-sha256".as_ptr(),
                11,
                secret.as_ptr(),
                secret.len(),
                b"k1".as_ptr(),
                2,
                &mut key,
            ),
            "hmac_key_new",
        );
        check(
            countermark_clock_new_fixed(1_700_000_000, 0, &mut clock),
            "clock",
        );
    }
    match selector % 12 {
        0 => unsafe {
            let mut b: *mut countermark_key_ring_builder = ptr::null_mut();
            let mut ring: *const countermark_key_ring = ptr::null();
            let mut tokens: *const countermark_tokens = ptr::null();
            countermark_key_ring_builder_new(key, &mut b);
            countermark_key_ring_builder_build(b, &mut ring);
            countermark_key_ring_builder_free(b);
            countermark_tokens_new(ring, clock, 0, &mut tokens);
            check(
                countermark_tokens_verify(
                    tokens,
                    data.as_ptr(),
                    data.len(),
                    &60,
                    out.v.as_mut_ptr(),
                    out.buf.as_mut_ptr(),
                    out.buf.len(),
                    &mut out.n,
                ),
                "tokens_verify",
            );
            countermark_tokens_free(tokens);
            countermark_key_ring_free(ring);
        },
        1 | 2 => unsafe {
            let mut b: *mut countermark_key_ring_builder = ptr::null_mut();
            let mut ring: *const countermark_key_ring = ptr::null();
            let mut signer: *const countermark_url_signer = ptr::null();
            countermark_key_ring_builder_new(key, &mut b);
            countermark_key_ring_builder_build(b, &mut ring);
            countermark_key_ring_builder_free(b);
            countermark_url_signer_new(ring, clock, ptr::null(), &mut signer);
            if selector % 12 == 1 {
                check(
                    countermark_url_signer_validate_url(
                        signer,
                        data.as_ptr(),
                        data.len(),
                        out.v.as_mut_ptr(),
                        out.buf.as_mut_ptr(),
                        out.buf.len(),
                        &mut out.n,
                    ),
                    "validate_url",
                );
            } else {
                let f: [&[u8]; 8] = fields(data);
                let pairs: Vec<countermark_pair> = f
                    .chunks(2)
                    .map(|kv| countermark_pair {
                        name: countermark_str {
                            data: kv[0].as_ptr(),
                            len: kv[0].len(),
                        },
                        value: countermark_str {
                            data: kv[1].as_ptr(),
                            len: kv[1].len(),
                        },
                    })
                    .collect();
                check(
                    countermark_url_signer_validate(
                        signer,
                        pairs.as_ptr(),
                        pairs.len(),
                        out.v.as_mut_ptr(),
                        out.buf.as_mut_ptr(),
                        out.buf.len(),
                        &mut out.n,
                    ),
                    "validate",
                );
            }
            countermark_url_signer_free(signer);
            countermark_key_ring_free(ring);
        },
        3 => unsafe {
            check(
                countermark_jwt_parse(
                    data.as_ptr(),
                    data.len(),
                    out.v.as_mut_ptr(),
                    out.buf.as_mut_ptr(),
                    out.buf.len(),
                    &mut out.n,
                ),
                "jwt_parse",
            );
        },
        4 => unsafe {
            let [a, b, c] = fields::<3>(data);
            let mut vk: *const countermark_verifying_key = ptr::null();
            let mut sk: *const countermark_signing_key = ptr::null();
            check(
                countermark_verifying_key_from_pem(a.as_ptr(), a.len(), &mut vk),
                "vk_from_pem",
            );
            countermark_verifying_key_free(vk);
            vk = ptr::null();
            check(
                countermark_verifying_key_from_jwk(b.as_ptr(), b.len(), &mut vk),
                "vk_from_jwk",
            );
            countermark_verifying_key_free(vk);
            vk = ptr::null();
            check(
                countermark_verifying_key_from_spki_der(c.as_ptr(), c.len(), &mut vk),
                "vk_from_der",
            );
            countermark_verifying_key_free(vk);
            check(
                countermark_signing_key_from_pem(a.as_ptr(), a.len(), &mut sk),
                "sk_from_pem",
            );
            countermark_signing_key_free(sk);
            sk = ptr::null();
            check(
                countermark_signing_key_from_pkcs8_der(c.as_ptr(), c.len(), &mut sk),
                "sk_from_der",
            );
            countermark_signing_key_free(sk);
        },
        5 => unsafe {
            let [value, body] = fields::<2>(data);
            check(
                countermark_content_digest_verify(
                    value.as_ptr(),
                    value.len(),
                    body.as_ptr(),
                    body.len(),
                ),
                "digest",
            );
            check(
                countermark_content_digest(
                    body.as_ptr(),
                    body.len(),
                    value.as_ptr(),
                    value.len(),
                    &mut bytes,
                ),
                "cd",
            );
            countermark_bytes_free(&mut bytes);
        },
        6..=10 => unsafe {
            // A request: method, target, then name/value pairs, the last field is the body.
            let f: [&[u8]; 10] = fields(data);
            let mut req: *mut countermark_request = ptr::null_mut();
            if countermark_request_new(
                f[0].as_ptr(),
                f[0].len(),
                f[1].as_ptr(),
                f[1].len(),
                &mut req,
            ) != countermark_result::Ok
            {
                countermark_hmac_key_free(key);
                countermark_clock_free(clock);
                return;
            }
            check(
                countermark_request_set_authority(
                    req,
                    b"https".as_ptr(),
                    5,
                    b"example.com".as_ptr(),
                    11,
                ),
                "auth",
            );
            for kv in f[2..9].chunks(2) {
                if kv.len() == 2 {
                    check(
                        countermark_request_add_header(
                            req,
                            kv[0].as_ptr(),
                            kv[0].len(),
                            kv[1].as_ptr(),
                            kv[1].len(),
                        ),
                        "h",
                    );
                }
            }
            check(
                countermark_request_set_body(req, f[9].as_ptr(), f[9].len()),
                "body",
            );
            match selector % 12 {
                6 => {
                    let mut p: *const countermark_fost_policy = ptr::null();
                    countermark_fost_policy_new(clock, ptr::null(), ptr::null(), &mut p);
                    check(
                        countermark_fost_parse(
                            req,
                            out.v.as_mut_ptr(),
                            out.buf.as_mut_ptr(),
                            out.buf.len(),
                            &mut out.n,
                        ),
                        "fost_parse",
                    );
                    check(
                        countermark_fost_verify(
                            req,
                            key,
                            p,
                            out.v.as_mut_ptr(),
                            out.buf.as_mut_ptr(),
                            out.buf.len(),
                            &mut out.n,
                        ),
                        "fost_verify",
                    );
                    check(
                        countermark_fost_url_verify(
                            req,
                            key,
                            p,
                            out.v.as_mut_ptr(),
                            out.buf.as_mut_ptr(),
                            out.buf.len(),
                            &mut out.n,
                        ),
                        "fost_url_verify",
                    );
                    countermark_fost_policy_free(p);
                }
                7 => {
                    let mut s: *const countermark_api_secret = ptr::null();
                    let mut p: *const countermark_hmac_header_policy = ptr::null();
                    countermark_api_secret_new_base64(
                        b"MDEyMzQ1Njc4OWFiY2RlZg==".as_ptr(),
                        24,
                        &mut s,
                    );
                    countermark_hmac_header_policy_new(clock, ptr::null(), ptr::null(), &mut p);
                    check(
                        countermark_hmac_header_parse(
                            req,
                            out.v.as_mut_ptr(),
                            out.buf.as_mut_ptr(),
                            out.buf.len(),
                            &mut out.n,
                        ),
                        "hh_parse",
                    );
                    check(
                        countermark_hmac_header_verify(
                            req,
                            s,
                            p,
                            out.v.as_mut_ptr(),
                            out.buf.as_mut_ptr(),
                            out.buf.len(),
                            &mut out.n,
                        ),
                        "hh_verify",
                    );
                    countermark_hmac_header_policy_free(p);
                    countermark_api_secret_free(s);
                }
                8 | 9 => {
                    let mut vk: *const countermark_message_verifying_key = ptr::null();
                    let mut b: *mut countermark_message_policy_builder = ptr::null_mut();
                    let mut p: *const countermark_message_policy = ptr::null();
                    countermark_message_verifying_key_new_hmac(key, &mut vk);
                    countermark_message_policy_builder_new(&mut b);
                    countermark_message_policy_builder_set_clock(b, clock);
                    countermark_message_policy_builder_check_content_digest(b, true);
                    countermark_message_policy_builder_build(b, &mut p);
                    countermark_message_policy_builder_free(b);
                    check(
                        countermark_message_signature_parse(
                            req,
                            ptr::null(),
                            0,
                            out.v.as_mut_ptr(),
                            out.buf.as_mut_ptr(),
                            out.buf.len(),
                            &mut out.n,
                        ),
                        "ms_parse",
                    );
                    check(
                        countermark_message_signature_verify(
                            req,
                            vk,
                            p,
                            out.v.as_mut_ptr(),
                            out.buf.as_mut_ptr(),
                            out.buf.len(),
                            &mut out.n,
                        ),
                        "ms_verify",
                    );
                    if selector % 12 == 9 {
                        let mut resp: *mut countermark_response = ptr::null_mut();
                        countermark_response_new(200, &mut resp);
                        for kv in f[2..9].chunks(2) {
                            if kv.len() == 2 {
                                countermark_response_add_header(
                                    resp,
                                    kv[0].as_ptr(),
                                    kv[0].len(),
                                    kv[1].as_ptr(),
                                    kv[1].len(),
                                );
                            }
                        }
                        countermark_response_set_request(resp, req);
                        check(
                            countermark_message_signature_verify_response(
                                resp,
                                vk,
                                p,
                                out.v.as_mut_ptr(),
                                out.buf.as_mut_ptr(),
                                out.buf.len(),
                                &mut out.n,
                            ),
                            "ms_resp",
                        );
                        countermark_response_free(resp);
                    }
                    countermark_message_policy_free(p);
                    countermark_message_verifying_key_free(vk);
                }
                _ => {
                    check(
                        countermark_jwt_parse_request(
                            req,
                            out.v.as_mut_ptr(),
                            out.buf.as_mut_ptr(),
                            out.buf.len(),
                            &mut out.n,
                        ),
                        "jwt_parse_request",
                    );
                }
            }
            countermark_request_free(req);
        },
        _ => unsafe {
            let [alg, sec, kid] = fields::<3>(data);
            let mut k: *const countermark_hmac_key = ptr::null();
            check(
                countermark_hmac_key_new_legacy(
                    alg.as_ptr(),
                    alg.len(),
                    sec.as_ptr(),
                    sec.len(),
                    kid.as_ptr(),
                    kid.len(),
                    &mut k,
                ),
                "key",
            );
            countermark_hmac_key_free(k);
            let code = u32::from_le_bytes([
                *data.first().unwrap_or(&0),
                *data.get(1).unwrap_or(&0),
                0,
                0,
            ]);
            let mut buf = [0u8; 128];
            let mut n = 0usize;
            check(
                countermark_error(code, buf.as_mut_ptr(), data.len().min(buf.len()), &mut n),
                "error",
            );
        },
    }
    unsafe {
        countermark_hmac_key_free(key);
        countermark_clock_free(clock);
    }
}
