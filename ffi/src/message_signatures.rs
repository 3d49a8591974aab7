//! RFC 9421 HTTP Message Signatures and RFC 9530 Content-Digest.

use std::time::Duration;

use cm::http::message_signatures::{Component, HttpMessage, SignatureHeaders};
use cm::{
    content_digest, verify_content_digest, DigestAlgorithm, HmacKey, HttpSignatureAlgorithm,
    MessagePolicy, MessageSigner, MessageVerifyingKey, SigningKey, UnverifiedMessageSignature,
    VerifiedMessageSignature,
};

use crate::boundary::{bytes, core, guard, guard_value, opt_text, out_ptr, text, write, FfiResult};
use crate::bytes::{countermark_bytes, countermark_claims, countermark_str, texts, Claims};
use crate::clock::{clock_or_system, countermark_clock};
use crate::handle::{builder, take_builder, ArcHandle, BoxHandle};
use crate::hmac::countermark_hmac_key;
use crate::jwt::{countermark_signing_key, countermark_verifying_key};
use crate::nonce::{countermark_nonce_store, opt_store};
use crate::request::{countermark_request, countermark_response};
use crate::result::countermark_result;
use crate::verified::{
    countermark_request_parts, countermark_scheme, countermark_verified, request_view, Out,
    Verified,
};

/// How far `created` may be ahead of the verifier's clock by default, in seconds (the core's
/// `MessagePolicy::DEFAULT_MAX_SKEW`; a test keeps them equal).
pub const COUNTERMARK_MESSAGE_DEFAULT_CLOCK_SKEW_SECS: u64 = 5;

/// How old `created` may be by default, in seconds (the core's `MessagePolicy::DEFAULT_MAX_AGE`; a test keeps
/// them equal).
pub const COUNTERMARK_MESSAGE_DEFAULT_MAX_AGE_SECS: u64 = 300;

/// Configures an RFC 9421 message signer. Mutable: one thread at a time. Consumed by
/// `countermark_message_signer_builder_build`; afterwards every call answers `BUILDER_CONSUMED`, and it must
/// still be freed with `countermark_message_signer_builder_free`. A setter that fails leaves the builder as it was.
/// Defaults: label `sig1`, no covered components, `created` = the clock's now, no `expires`, `keyid` = the
/// key's id when it has one, no nonce, no tag, no `alg` parameter, the system clock.
pub struct countermark_message_signer_builder {
    _private: [u8; 0],
}

impl BoxHandle for countermark_message_signer_builder {
    type Rust = Option<MessageSigner>;
}

/// Signs HTTP messages with a fixed key and settings. Immutable, reference counted: thread-safe.
pub struct countermark_message_signer {
    _private: [u8; 0],
}

impl ArcHandle for countermark_message_signer {
    type Rust = MessageSigner;
}

unsafe fn new_builder(
    signer: MessageSigner,
    out: *mut *mut countermark_message_signer_builder,
) -> FfiResult<()> {
    // SAFETY: out checked by the caller.
    unsafe {
        write(
            out,
            countermark_message_signer_builder::into_ptr(Some(signer)),
        )
    };
    Ok(())
}

/// Starts a signer using `key` with `hmac-sha256` (`UNSUPPORTED_ALGORITHM` for an HMAC key of another
/// algorithm). The builder keeps its own reference to the key.
#[no_mangle]
pub unsafe extern "C" fn countermark_message_signer_builder_new_hmac(
    key: *const countermark_hmac_key,
    out: *mut *mut countermark_message_signer_builder,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let key = unsafe { countermark_hmac_key::clone_arc(key) }?;
        let signer = core(MessageSigner::hmac(HmacKey::clone(&key)))?;
        // SAFETY: out checked.
        unsafe { new_builder(signer, out) }
    })
}

/// Starts a signer using the private `key` with algorithm `alg`: `ed25519`, `rsa-v1_5-sha256`, `rsa-pss-sha512`
/// or `ecdsa-p256-sha256` (`UNSUPPORTED_ALGORITHM` when unknown or not usable with this key type).
#[no_mangle]
pub unsafe extern "C" fn countermark_message_signer_builder_new_asymmetric(
    key: *const countermark_signing_key,
    alg: *const u8,
    alg_len: usize,
    out: *mut *mut countermark_message_signer_builder,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let (key, alg) = unsafe {
            (
                countermark_signing_key::clone_arc(key)?,
                text(alg, alg_len)?,
            )
        };
        let alg: HttpSignatureAlgorithm = core(alg.parse())?;
        let signer = core(MessageSigner::asymmetric(SigningKey::clone(&key), alg))?;
        // SAFETY: out checked.
        unsafe { new_builder(signer, out) }
    })
}

/// Applies one setting to the builder's signer; on failure the builder keeps the signer it had.
unsafe fn set(
    b: *mut countermark_message_signer_builder,
    apply: impl FnOnce(MessageSigner) -> FfiResult<MessageSigner>,
) -> countermark_result {
    guard(|| {
        // SAFETY: per the contract.
        let signer = builder(unsafe { countermark_message_signer_builder::get_mut(b) }?)?;
        *signer = apply(signer.clone())?;
        Ok(())
    })
}

/// Sets the signature label (a lower-case structured-field key, at most 256 bytes; `INVALID_VALUE` otherwise).
#[no_mangle]
pub unsafe extern "C" fn countermark_message_signer_builder_set_label(
    b: *mut countermark_message_signer_builder,
    label: *const u8,
    label_len: usize,
) -> countermark_result {
    // SAFETY: per the contract.
    unsafe { set(b, |s| core(s.with_label(text(label, label_len)?))) }
}

fn parse_components(items: &[&str]) -> FfiResult<Vec<Component>> {
    items.iter().map(|c| core(Component::parse(c))).collect()
}

/// Sets the covered components, in order (replacing earlier ones). Each is written as in `Signature-Input`:
/// `"@method"`, `"content-digest"`, `"@query-param";name="id"`, `"example-dict";key="a"`, or bare (`@path`,
/// `content-type`). `INVALID_VALUE` for an unknown derived component, a bad parameter, an upper-case field name,
/// a duplicate, or more than 64 components.
#[no_mangle]
pub unsafe extern "C" fn countermark_message_signer_builder_set_components(
    b: *mut countermark_message_signer_builder,
    components: *const countermark_str,
    n_components: usize,
) -> countermark_result {
    // SAFETY: per the contract.
    unsafe {
        set(b, |s| {
            let components = parse_components(&texts(components, n_components)?)?;
            core(s.with_components(components))
        })
    }
}

/// Signs with the fixed `created` time `created` (Unix seconds) instead of the clock's now.
#[no_mangle]
pub unsafe extern "C" fn countermark_message_signer_builder_set_created(
    b: *mut countermark_message_signer_builder,
    created: i64,
) -> countermark_result {
    // SAFETY: per the contract.
    unsafe { set(b, |s| Ok(s.with_created(created))) }
}

/// Signs without a `created` parameter (verifiers with the default policy then refuse the signature).
#[no_mangle]
pub unsafe extern "C" fn countermark_message_signer_builder_omit_created(
    b: *mut countermark_message_signer_builder,
) -> countermark_result {
    // SAFETY: per the contract.
    unsafe { set(b, |s| Ok(s.without_created())) }
}

/// Signs with the fixed `expires` time `expires` (Unix seconds).
#[no_mangle]
pub unsafe extern "C" fn countermark_message_signer_builder_set_expires(
    b: *mut countermark_message_signer_builder,
    expires: i64,
) -> countermark_result {
    // SAFETY: per the contract.
    unsafe { set(b, |s| Ok(s.with_expires(expires))) }
}

/// Signs with `expires` = the signing time plus `secs`.
#[no_mangle]
pub unsafe extern "C" fn countermark_message_signer_builder_set_expires_in(
    b: *mut countermark_message_signer_builder,
    secs: u64,
) -> countermark_result {
    // SAFETY: per the contract.
    unsafe { set(b, |s| Ok(s.with_expires_in(Duration::from_secs(secs)))) }
}

/// Sets the key id, sent as the `keyid` parameter (printable ASCII, at most 256 bytes; `INVALID_VALUE` otherwise).
#[no_mangle]
pub unsafe extern "C" fn countermark_message_signer_builder_set_key_id(
    b: *mut countermark_message_signer_builder,
    key_id: *const u8,
    key_id_len: usize,
) -> countermark_result {
    // SAFETY: per the contract.
    unsafe { set(b, |s| core(s.with_key_id(text(key_id, key_id_len)?))) }
}

/// Signs without a `keyid` parameter.
#[no_mangle]
pub unsafe extern "C" fn countermark_message_signer_builder_omit_key_id(
    b: *mut countermark_message_signer_builder,
) -> countermark_result {
    // SAFETY: per the contract.
    unsafe { set(b, |s| Ok(s.without_key_id())) }
}

/// Signs with the fixed `nonce` (printable ASCII, 1 to 256 bytes): the caller makes it unique per message.
#[no_mangle]
pub unsafe extern "C" fn countermark_message_signer_builder_set_nonce(
    b: *mut countermark_message_signer_builder,
    nonce: *const u8,
    nonce_len: usize,
) -> countermark_result {
    // SAFETY: per the contract.
    unsafe { set(b, |s| core(s.with_nonce(text(nonce, nonce_len)?))) }
}

/// Signs every message with a fresh random `nonce` (16 bytes from the operating system, base64url).
#[no_mangle]
pub unsafe extern "C" fn countermark_message_signer_builder_random_nonces(
    b: *mut countermark_message_signer_builder,
) -> countermark_result {
    // SAFETY: per the contract.
    unsafe { set(b, |s| Ok(s.with_random_nonces())) }
}

/// Sets the `tag` parameter (printable ASCII, at most 256 bytes).
#[no_mangle]
pub unsafe extern "C" fn countermark_message_signer_builder_set_tag(
    b: *mut countermark_message_signer_builder,
    tag: *const u8,
    tag_len: usize,
) -> countermark_result {
    // SAFETY: per the contract.
    unsafe { set(b, |s| core(s.with_tag(text(tag, tag_len)?))) }
}

/// Whether the `alg` parameter is included (default: not, as RFC 9421 recommends binding the algorithm to the
/// key instead).
#[no_mangle]
pub unsafe extern "C" fn countermark_message_signer_builder_include_alg(
    b: *mut countermark_message_signer_builder,
    include: bool,
) -> countermark_result {
    // SAFETY: per the contract.
    unsafe { set(b, |s| Ok(s.with_alg_param(include))) }
}

/// Uses `clock` (NULL: the system clock) for `created`, `expires_in` and nothing else.
#[no_mangle]
pub unsafe extern "C" fn countermark_message_signer_builder_set_clock(
    b: *mut countermark_message_signer_builder,
    clock: *const countermark_clock,
) -> countermark_result {
    // SAFETY: per the contract.
    unsafe { set(b, |s| Ok(s.with_clock(clock_or_system(clock)?))) }
}

/// Consumes the builder and writes the signer to `*out` (free with `countermark_message_signer_free`).
/// `BUILDER_CONSUMED` if it was already built. The builder must still be freed.
#[no_mangle]
pub unsafe extern "C" fn countermark_message_signer_builder_build(
    b: *mut countermark_message_signer_builder,
    out: *mut *const countermark_message_signer,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let cfg = take_builder(unsafe { countermark_message_signer_builder::get_mut(b) }?)?;
        // SAFETY: checked above.
        unsafe { write(out, countermark_message_signer::into_ptr(cfg)) };
        Ok(())
    })
}

/// Frees a builder, consumed or not; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn countermark_message_signer_builder_free(
    b: *mut countermark_message_signer_builder,
) {
    // SAFETY: NULL or a live handle the caller gives up.
    guard_value((), || unsafe {
        countermark_message_signer_builder::free(b)
    })
}

/// Releases a signer reference; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn countermark_message_signer_free(
    signer: *const countermark_message_signer,
) {
    // SAFETY: NULL or a live handle the caller gives up.
    guard_value((), || unsafe { countermark_message_signer::free(signer) })
}

fn sign_claims(signer: &MessageSigner, message: HttpMessage<'_>) -> FfiResult<Claims> {
    let headers = core(signer.sign(message))?;
    Ok(signature_claims(Claims::default(), &headers))
}

/// `claims` followed by the claims of a signature: `Signature-Input`, `Signature`, `label`, `signature_params`,
/// `signature_base`.
pub(crate) fn signature_claims(claims: Claims, headers: &SignatureHeaders) -> Claims {
    claims
        .with("Signature-Input", headers.signature_input())
        .with("Signature", headers.signature())
        .with("label", headers.label())
        .with("signature_params", headers.signature_params())
        .with("signature_base", headers.signature_base())
}

/// Signs `request` and writes to `*out` the claims `Signature-Input` and `Signature` (the header values to add:
/// `label=...`), then `label`, `signature_params` and `signature_base` (the exact signed text). `MALFORMED`
/// when a covered component is missing from the request. Add `Content-Digest` (`countermark_content_digest`)
/// before signing when it is covered. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_message_signer_sign_request(
    signer: *const countermark_message_signer,
    request: *const countermark_request,
    out: *mut *mut countermark_claims,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let (signer, request) = unsafe {
            (
                countermark_message_signer::get(signer)?,
                countermark_request::get(request)?,
            )
        };
        let view = request.view()?;
        let claims = sign_claims(signer, HttpMessage::from(&view))?;
        // SAFETY: checked above.
        unsafe { claims.write_to(out) };
        Ok(())
    })
}

/// As `countermark_message_signer_sign_request`, for a response (`@status`, and `;req` components from its
/// attached request). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_message_signer_sign_response(
    signer: *const countermark_message_signer,
    response: *const countermark_response,
    out: *mut *mut countermark_claims,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let (signer, response) = unsafe {
            (
                countermark_message_signer::get(signer)?,
                countermark_response::get(response)?,
            )
        };
        let view = response.view()?;
        let claims = sign_claims(signer, HttpMessage::from(&view))?;
        // SAFETY: checked above.
        unsafe { claims.write_to(out) };
        Ok(())
    })
}

/// A verifier's key bound to one algorithm (RFC 9421 §3.2: the algorithm comes from the key, never from the
/// message). Immutable, reference counted: thread-safe.
pub struct countermark_message_verifying_key {
    _private: [u8; 0],
}

impl ArcHandle for countermark_message_verifying_key {
    type Rust = MessageVerifyingKey;
}

/// Writes to `*out` a verifying key for `hmac-sha256` with `key` (`UNSUPPORTED_ALGORITHM` for an HMAC key of
/// another algorithm).
#[no_mangle]
pub unsafe extern "C" fn countermark_message_verifying_key_new_hmac(
    key: *const countermark_hmac_key,
    out: *mut *const countermark_message_verifying_key,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let key = unsafe { countermark_hmac_key::get(key) }?;
        let vk = core(MessageVerifyingKey::hmac(key.clone()))?;
        // SAFETY: checked above.
        unsafe { write(out, countermark_message_verifying_key::into_ptr(vk)) };
        Ok(())
    })
}

/// Writes to `*out` a verifying key for the public `key` with algorithm `alg` (`ed25519`, `rsa-v1_5-sha256`,
/// `rsa-pss-sha512`, `ecdsa-p256-sha256`); `UNSUPPORTED_ALGORITHM` when the key cannot use it.
#[no_mangle]
pub unsafe extern "C" fn countermark_message_verifying_key_new_public(
    key: *const countermark_verifying_key,
    alg: *const u8,
    alg_len: usize,
    out: *mut *const countermark_message_verifying_key,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let (key, alg) = unsafe { (countermark_verifying_key::get(key)?, text(alg, alg_len)?) };
        let alg: HttpSignatureAlgorithm = core(alg.parse())?;
        let vk = core(MessageVerifyingKey::public(key.clone(), alg))?;
        // SAFETY: checked above.
        unsafe { write(out, countermark_message_verifying_key::into_ptr(vk)) };
        Ok(())
    })
}

/// Releases a reference; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn countermark_message_verifying_key_free(
    key: *const countermark_message_verifying_key,
) {
    // SAFETY: NULL or a live handle the caller gives up.
    guard_value((), || unsafe {
        countermark_message_verifying_key::free(key)
    })
}

/// Configures what a message verifier accepts. Mutable: one thread at a time. Consumed by
/// `countermark_message_policy_builder_build`; afterwards every call answers `BUILDER_CONSUMED`, and it must
/// still be freed. Defaults: the system clock, 5 s clock skew, 300 s maximum age, `created` required, `keyid`
/// not required, nonces not required but single-use when present (a memory nonce store of the policy's own),
/// no required components, unknown parameters refused, any label (the first signature), `Content-Digest` not
/// checked, signatures without a nonce not remembered.
pub struct countermark_message_policy_builder {
    _private: [u8; 0],
}

impl BoxHandle for countermark_message_policy_builder {
    type Rust = Option<MessagePolicy>;
}

/// What a message verifier accepts. Immutable, reference counted: thread-safe.
pub struct countermark_message_policy {
    _private: [u8; 0],
}

impl ArcHandle for countermark_message_policy {
    type Rust = MessagePolicy;
}

/// Writes a policy builder with the defaults to `*out`.
#[no_mangle]
pub unsafe extern "C" fn countermark_message_policy_builder_new(
    out: *mut *mut countermark_message_policy_builder,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: checked above.
        unsafe {
            write(
                out,
                countermark_message_policy_builder::into_ptr(Some(MessagePolicy::new())),
            )
        };
        Ok(())
    })
}

unsafe fn update(
    b: *mut countermark_message_policy_builder,
    f: impl FnOnce(MessagePolicy) -> FfiResult<MessagePolicy>,
) -> countermark_result {
    guard(|| {
        // SAFETY: per the contract.
        let slot = unsafe { countermark_message_policy_builder::get_mut(b) }?;
        builder(slot)?;
        let policy = take_builder(slot)?;
        // The update functions below fail only before touching the policy, so a failure can put it back.
        let mut keep = None;
        let result = f(policy).map(|p| keep = Some(p));
        *slot = keep;
        result
    })
}

/// Uses `clock` (NULL: the system clock).
#[no_mangle]
pub unsafe extern "C" fn countermark_message_policy_builder_set_clock(
    b: *mut countermark_message_policy_builder,
    clock: *const countermark_clock,
) -> countermark_result {
    // SAFETY: per the contract.
    match unsafe { clock_or_system(clock) } {
        Ok(clock) => unsafe { update(b, |p| Ok(p.with_clock(clock))) },
        Err(e) => e,
    }
}

/// Allows `created` up to `clock_skew_secs` in the future (unset: the core's default,
/// `COUNTERMARK_MESSAGE_DEFAULT_CLOCK_SKEW_SECS`).
#[no_mangle]
pub unsafe extern "C" fn countermark_message_policy_builder_set_clock_skew(
    b: *mut countermark_message_policy_builder,
    clock_skew_secs: u64,
) -> countermark_result {
    // SAFETY: per the contract.
    unsafe {
        update(b, |p| {
            Ok(p.with_clock_skew(Duration::from_secs(clock_skew_secs)))
        })
    }
}

/// Refuses signatures whose `created` is more than `max_age_secs` old (unset: the core's default,
/// `COUNTERMARK_MESSAGE_DEFAULT_MAX_AGE_SECS`).
#[no_mangle]
pub unsafe extern "C" fn countermark_message_policy_builder_set_max_age(
    b: *mut countermark_message_policy_builder,
    max_age_secs: u64,
) -> countermark_result {
    // SAFETY: per the contract.
    unsafe {
        update(b, |p| {
            Ok(p.with_max_age(Some(Duration::from_secs(max_age_secs))))
        })
    }
}

/// Sets no maximum age: only `expires` (when signed) bounds a signature's age.
#[no_mangle]
pub unsafe extern "C" fn countermark_message_policy_builder_set_no_max_age(
    b: *mut countermark_message_policy_builder,
) -> countermark_result {
    // SAFETY: per the contract.
    unsafe { update(b, |p| Ok(p.with_max_age(None))) }
}

/// Whether a `created` parameter is required (default true).
#[no_mangle]
pub unsafe extern "C" fn countermark_message_policy_builder_require_created(
    b: *mut countermark_message_policy_builder,
    required: bool,
) -> countermark_result {
    // SAFETY: per the contract.
    unsafe { update(b, |p| Ok(p.require_created(required))) }
}

/// Whether a `keyid` parameter is required (default false).
#[no_mangle]
pub unsafe extern "C" fn countermark_message_policy_builder_require_key_id(
    b: *mut countermark_message_policy_builder,
    required: bool,
) -> countermark_result {
    // SAFETY: per the contract.
    unsafe { update(b, |p| Ok(p.require_key_id(required))) }
}

/// Whether a `nonce` parameter is required (default false).
#[no_mangle]
pub unsafe extern "C" fn countermark_message_policy_builder_require_nonce(
    b: *mut countermark_message_policy_builder,
    required: bool,
) -> countermark_result {
    // SAFETY: per the contract.
    unsafe { update(b, |p| Ok(p.require_nonce(required))) }
}

/// Adds components every accepted signature must cover (written as for
/// `countermark_message_signer_builder_set_components`; `INVALID_VALUE` for a bad one, leaving the builder as
/// it was).
#[no_mangle]
pub unsafe extern "C" fn countermark_message_policy_builder_set_required_components(
    b: *mut countermark_message_policy_builder,
    components: *const countermark_str,
    n_components: usize,
) -> countermark_result {
    // SAFETY: per the contract.
    let components =
        match unsafe { texts(components, n_components) }.and_then(|t| parse_components(&t)) {
            Ok(c) => c,
            Err(e) => return e,
        };
    // SAFETY: per the contract.
    unsafe { update(b, |p| Ok(p.with_required_components(components))) }
}

/// Whether signature parameters other than `alg`, `created`, `expires`, `keyid`, `nonce` and `tag` are accepted
/// (default false).
#[no_mangle]
pub unsafe extern "C" fn countermark_message_policy_builder_allow_unknown_params(
    b: *mut countermark_message_policy_builder,
    allow: bool,
) -> countermark_result {
    // SAFETY: per the contract.
    unsafe { update(b, |p| Ok(p.allow_unknown_params(allow))) }
}

/// Verifies only the signature labelled `label` (default: the first one).
#[no_mangle]
pub unsafe extern "C" fn countermark_message_policy_builder_set_label(
    b: *mut countermark_message_policy_builder,
    label: *const u8,
    label_len: usize,
) -> countermark_result {
    // SAFETY: per the contract.
    let label = match unsafe { text(label, label_len) } {
        Ok(l) => l.to_string(),
        Err(e) => return e,
    };
    // SAFETY: per the contract.
    unsafe { update(b, |p| Ok(p.with_label(label))) }
}

/// Whether the body must match a covered `Content-Digest` header (default false). With it, a signature that
/// covers `content-digest` is accepted only when the digest matches the body bytes.
#[no_mangle]
pub unsafe extern "C" fn countermark_message_policy_builder_check_content_digest(
    b: *mut countermark_message_policy_builder,
    check: bool,
) -> countermark_result {
    // SAFETY: per the contract.
    unsafe { update(b, |p| Ok(p.check_content_digest(check))) }
}

/// Whether a message with a non-empty body must have it covered (default false): the signature must then cover
/// `content-digest` and the body must match the `Content-Digest` header, while a message without a body needs
/// neither (the rule of a server that takes GETs and POSTs under one policy).
#[no_mangle]
pub unsafe extern "C" fn countermark_message_policy_builder_require_body_digest(
    b: *mut countermark_message_policy_builder,
    required: bool,
) -> countermark_result {
    // SAFETY: per the contract.
    unsafe { update(b, |p| Ok(p.require_body_digest(required))) }
}

/// Uses `store` for nonces (and remembered signatures), shared with other policies or processes; NULL turns
/// replay protection off (nonces are then not single-use: avoid).
#[no_mangle]
pub unsafe extern "C" fn countermark_message_policy_builder_set_nonce_store(
    b: *mut countermark_message_policy_builder,
    store: *const countermark_nonce_store,
) -> countermark_result {
    // SAFETY: per the contract.
    let store = match unsafe { opt_store(store) } {
        Ok(s) => s,
        Err(e) => return e,
    };
    // SAFETY: per the contract.
    unsafe {
        update(b, |p| {
            Ok(match store {
                Some(s) => p.with_nonce_store(s),
                None => p.without_nonce_store(),
            })
        })
    }
}

/// Whether signatures without a nonce are remembered in the nonce store until they expire (or 24 h without
/// `expires`), so each is accepted once (default false).
#[no_mangle]
pub unsafe extern "C" fn countermark_message_policy_builder_remember_signatures(
    b: *mut countermark_message_policy_builder,
    remember: bool,
) -> countermark_result {
    // SAFETY: per the contract.
    unsafe { update(b, |p| Ok(p.remember_signatures(remember))) }
}

/// Consumes the builder and writes the policy to `*out` (free with `countermark_message_policy_free`).
/// `BUILDER_CONSUMED` if it was already built. The builder must still be freed.
#[no_mangle]
pub unsafe extern "C" fn countermark_message_policy_builder_build(
    b: *mut countermark_message_policy_builder,
    out: *mut *const countermark_message_policy,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let policy = take_builder(unsafe { countermark_message_policy_builder::get_mut(b) }?)?;
        // SAFETY: checked above.
        unsafe { write(out, countermark_message_policy::into_ptr(policy)) };
        Ok(())
    })
}

/// Frees a builder, consumed or not; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn countermark_message_policy_builder_free(
    b: *mut countermark_message_policy_builder,
) {
    // SAFETY: NULL or a live handle the caller gives up.
    guard_value((), || unsafe {
        countermark_message_policy_builder::free(b)
    })
}

/// Releases a policy reference; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn countermark_message_policy_free(
    policy: *const countermark_message_policy,
) {
    // SAFETY: NULL or a live handle the caller gives up.
    guard_value((), || unsafe { countermark_message_policy::free(policy) })
}

fn unverified_result(u: &UnverifiedMessageSignature<'_>) -> Verified {
    let mut v = Verified::new(countermark_scheme::MessageSignature, false)
        .label(u.label())
        .key_id(u.claimed_key_id())
        .algorithm(u.claimed_algorithm())
        .created(u.claimed_created())
        .expires(u.claimed_expires())
        .nonce(u.claimed_nonce())
        .tag(u.claimed_tag());
    for c in u.covered_components() {
        v.item_named(c);
    }
    v
}

fn verified_result(m: &VerifiedMessageSignature) -> Verified {
    let mut v = Verified::new(countermark_scheme::MessageSignature, true)
        .label(m.label())
        .key_id(m.key_id())
        .algorithm(Some(m.algorithm().name()))
        .created(m.created())
        .expires(m.expires())
        .nonce(m.nonce())
        .tag(m.tag())
        .body_checked(m.body_checked());
    for c in m.covered_components() {
        v.item_named(c);
    }
    v
}

fn parse_message(message: HttpMessage<'_>, label: Option<&str>) -> FfiResult<Verified> {
    match core(UnverifiedMessageSignature::parse(message, label))? {
        Some(unverified) => Ok(unverified_result(&unverified)),
        None => Err(countermark_result::NoCredentials),
    }
}

/// Phase one: reads the signature labelled `label` (`(NULL, 0)`: the first) of `request` without trusting it and
/// writes to `*out` (scheme `COUNTERMARK_SCHEME_MESSAGE_SIGNATURE`, `verified` false) `label`, and when present
/// `key_id` (the `keyid` parameter: look the key up by it), `algorithm` (the `alg` parameter), `created`,
/// `expires`, `nonce` and `tag`; the covered components are the `items`, in order. Text goes into `buf` as for
/// `countermark_tokens_verify`. `NO_CREDENTIALS` without `Signature-Input` and `Signature` headers;
/// `MALFORMED` / `TOO_LARGE` for broken or oversized ones. Thread-safe for a request no thread modifies.
#[no_mangle]
pub unsafe extern "C" fn countermark_message_signature_parse(
    request: *const countermark_request,
    label: *const u8,
    label_len: usize,
    out: *mut countermark_verified,
    buf: *mut u8,
    buf_len: usize,
    out_n: *mut usize,
) -> countermark_result {
    guard(|| {
        let out = Out::new(out, buf, buf_len, out_n)?;
        // SAFETY: per the contract.
        let (request, label) = unsafe {
            (
                countermark_request::get(request)?,
                opt_text(label, label_len)?,
            )
        };
        let view = request.view()?;
        let v = parse_message(HttpMessage::from(&view), label)?;
        // SAFETY: per the contract.
        unsafe { out.put(v) }
    })
}

/// As `countermark_message_signature_parse`, for a request given as parts (one call, nothing to build or free).
#[no_mangle]
pub unsafe extern "C" fn countermark_message_signature_parse_parts(
    request: *const countermark_request_parts,
    label: *const u8,
    label_len: usize,
    out: *mut countermark_verified,
    buf: *mut u8,
    buf_len: usize,
    out_n: *mut usize,
) -> countermark_result {
    guard(|| {
        let out = Out::new(out, buf, buf_len, out_n)?;
        // SAFETY: per the contract.
        let (view, label) = unsafe { (request_view(request)?, opt_text(label, label_len)?) };
        let v = parse_message(HttpMessage::from(&view), label)?;
        // SAFETY: per the contract.
        unsafe { out.put(v) }
    })
}

/// As `countermark_message_signature_parse`, for a response.
#[no_mangle]
pub unsafe extern "C" fn countermark_message_signature_parse_response(
    response: *const countermark_response,
    label: *const u8,
    label_len: usize,
    out: *mut countermark_verified,
    buf: *mut u8,
    buf_len: usize,
    out_n: *mut usize,
) -> countermark_result {
    guard(|| {
        let out = Out::new(out, buf, buf_len, out_n)?;
        // SAFETY: per the contract.
        let (response, label) = unsafe {
            (
                countermark_response::get(response)?,
                opt_text(label, label_len)?,
            )
        };
        let view = response.view()?;
        let v = parse_message(HttpMessage::from(&view), label)?;
        // SAFETY: per the contract.
        unsafe { out.put(v) }
    })
}

fn verify_message(
    message: HttpMessage<'_>,
    key: &MessageVerifyingKey,
    policy: &MessagePolicy,
) -> FfiResult<Verified> {
    let parsed = core(UnverifiedMessageSignature::parse_for(message, policy))?
        .ok_or(countermark_result::NoCredentials)?;
    Ok(verified_result(&core(parsed.verify(key, policy))?))
}

/// Phase two: verifies the signature of `request` selected by the policy's label with `key` under `policy` and
/// writes the result to `*out` (`verified` true; fields as `countermark_message_signature_parse`, `algorithm`
/// is the key's, and `body_checked` is true when `Content-Digest` was checked against the body). Errors:
/// `NO_CREDENTIALS`, `MALFORMED` (also a required component not covered, or a covered one missing),
/// `UNSUPPORTED_ALGORITHM` (an `alg` parameter other than the key's), `NOT_YET_VALID`, `EXPIRED`,
/// `BAD_SIGNATURE` (also a body that does not match `Content-Digest`), `REPLAYED`, `UNAVAILABLE`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_message_signature_verify(
    request: *const countermark_request,
    key: *const countermark_message_verifying_key,
    policy: *const countermark_message_policy,
    out: *mut countermark_verified,
    buf: *mut u8,
    buf_len: usize,
    out_n: *mut usize,
) -> countermark_result {
    guard(|| {
        let out = Out::new(out, buf, buf_len, out_n)?;
        // SAFETY: per the contract.
        let (request, key, policy) = unsafe {
            (
                countermark_request::get(request)?,
                countermark_message_verifying_key::get(key)?,
                countermark_message_policy::get(policy)?,
            )
        };
        let view = request.view()?;
        let v = verify_message(HttpMessage::from(&view), key, policy)?;
        // SAFETY: per the contract.
        unsafe { out.put(v) }
    })
}

/// As `countermark_message_signature_verify`, for a request given as parts (one call, nothing to build or
/// free).
#[no_mangle]
pub unsafe extern "C" fn countermark_message_signature_verify_parts(
    request: *const countermark_request_parts,
    key: *const countermark_message_verifying_key,
    policy: *const countermark_message_policy,
    out: *mut countermark_verified,
    buf: *mut u8,
    buf_len: usize,
    out_n: *mut usize,
) -> countermark_result {
    guard(|| {
        let out = Out::new(out, buf, buf_len, out_n)?;
        // SAFETY: per the contract.
        let (view, key, policy) = unsafe {
            (
                request_view(request)?,
                countermark_message_verifying_key::get(key)?,
                countermark_message_policy::get(policy)?,
            )
        };
        let v = verify_message(HttpMessage::from(&view), key, policy)?;
        // SAFETY: per the contract.
        unsafe { out.put(v) }
    })
}

/// As `countermark_message_signature_verify`, for a response.
#[no_mangle]
pub unsafe extern "C" fn countermark_message_signature_verify_response(
    response: *const countermark_response,
    key: *const countermark_message_verifying_key,
    policy: *const countermark_message_policy,
    out: *mut countermark_verified,
    buf: *mut u8,
    buf_len: usize,
    out_n: *mut usize,
) -> countermark_result {
    guard(|| {
        let out = Out::new(out, buf, buf_len, out_n)?;
        // SAFETY: per the contract.
        let (response, key, policy) = unsafe {
            (
                countermark_response::get(response)?,
                countermark_message_verifying_key::get(key)?,
                countermark_message_policy::get(policy)?,
            )
        };
        let view = response.view()?;
        let v = verify_message(HttpMessage::from(&view), key, policy)?;
        // SAFETY: per the contract.
        unsafe { out.put(v) }
    })
}

/// Writes the RFC 9530 `Content-Digest` value of `body` to `*out` (free with `countermark_bytes_free`), with the
/// algorithms of `algs`: `sha-256`, `sha-512`, or both comma-separated (`(NULL, 0)`: `sha-256`).
/// `UNSUPPORTED_ALGORITHM` for another name, `INVALID_VALUE` for a repeated one. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_content_digest(
    body: *const u8,
    body_len: usize,
    algs: *const u8,
    algs_len: usize,
    out: *mut countermark_bytes,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        // SAFETY: per the contract.
        let (body, algs) = unsafe { (bytes(body, body_len)?, opt_text(algs, algs_len)?) };
        let algs: Vec<DigestAlgorithm> = algs
            .unwrap_or("sha-256")
            .split(',')
            .map(|a| core(a.trim().parse()))
            .collect::<FfiResult<_>>()?;
        let value = core(content_digest(body, &algs))?;
        // SAFETY: checked above.
        unsafe { write(out, countermark_bytes::from_string(value)) };
        Ok(())
    })
}

/// Checks a `Content-Digest` header value against `body`: `OK` when every digest of a known algorithm matches
/// (and there is at least one), `BAD_SIGNATURE` when one differs, `MALFORMED` / `TOO_LARGE` for a broken value,
/// `UNSUPPORTED_ALGORITHM` when no algorithm is known. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_content_digest_verify(
    value: *const u8,
    value_len: usize,
    body: *const u8,
    body_len: usize,
) -> countermark_result {
    guard(|| {
        // SAFETY: per the contract.
        let (value, body) = unsafe { (text(value, value_len)?, bytes(body, body_len)?) };
        core(verify_content_digest(value, body)).map(|_| ())
    })
}
