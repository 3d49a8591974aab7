//! The typed result of every parse and verify: one `#[repr(C)]` struct whose text and lists live in a buffer the
//! caller provides, so a binding reads a whole result with the one call that produced it (no handle, no free,
//! no call per field).

use std::mem::{align_of, size_of};

use crate::boundary::{bytes, core, FfiResult};
use crate::bytes::{countermark_pair, countermark_str};
use crate::result::countermark_result;

/// The scheme a `countermark_verified` comes from. The numbers are stable.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum countermark_scheme {
    /// Not set (a zero-initialised struct).
    None = 0,
    /// handshake-format tokens (`countermark_tokens_verify`).
    Token = 1,
    /// ska signed URLs and signed parameters (`countermark_url_signer_validate*`).
    Ska = 2,
    /// FOST request signatures (`Authorization: FOST`).
    Fost = 3,
    /// FOST signed URLs (`_k`, `_e`, `_s`).
    FostUrl = 4,
    /// The `Authorization: HMAC-SHA256 key;signature;time` header.
    HmacHeader = 5,
    /// RFC 9421 HTTP message signatures (requests and responses).
    MessageSignature = 6,
    /// Asymmetric request JWTs (`Authorization: JWT`).
    Jwt = 7,
}

/// What a parse (claimed, untrusted: `verified` false) or a verify (`verified` true) found. Every text is a view
/// into the buffer passed to the call that wrote the struct (valid while that buffer is, not NUL-terminated);
/// an absent text is `{NULL, 0}`. Fields a scheme does not have are zero / empty.
///
/// `items` lists, per scheme: token fields (`value`, empty `name`), in order; ska signed extra data (`name` =
/// key, `value` = its text), sorted by key; FOST signed headers (`name`, `value`), in signed order; RFC 9421
/// covered components (`name` = the component identifier as serialised, e.g. `"@method"` or
/// `"content-digest"`, empty `value`), in order. FOST URLs, the HMAC header and JWTs have none.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct countermark_verified {
    /// The scheme (`COUNTERMARK_SCHEME_*`).
    pub scheme: countermark_scheme,
    /// True when the signature was verified; false for the claims of a parse (phase one), not yet trusted.
    pub verified: bool,
    /// The key id: FOST key, HMAC-header API key, RFC 9421 `keyid`, JWT header `kid`. Empty when there is none.
    pub key_id: countermark_str,
    /// The user: FOST user, ska `auth_user`, JWT `username`.
    pub user: countermark_str,
    /// The algorithm in the one spelling (`hmac-sha256`, `ed25519`, `rsa-v1_5-sha256`, ...). For an RFC 9421
    /// parse it is the claimed `alg` parameter (empty when absent).
    pub algorithm: countermark_str,
    /// The nonce: RFC 9421 `nonce`, JWT `nonce`.
    pub nonce: countermark_str,
    /// The RFC 9421 signature label.
    pub label: countermark_str,
    /// The RFC 9421 `tag` parameter.
    pub tag: countermark_str,
    /// The compact JWT of an `Authorization: JWT` header (`countermark_jwt_parse_request` only).
    pub token: countermark_str,
    /// True when `created` holds a time.
    pub has_created: bool,
    /// The signed time, Unix seconds: token timestamp, FOST `X-FOST-Timestamp`, HMAC-header time, RFC 9421
    /// `created`, JWT `time` (rounded down; `time` below keeps the fraction).
    pub created: i64,
    /// True when `expires` holds a time.
    pub has_expires: bool,
    /// When the credential expires, Unix seconds: ska `valid_until` (rounded down), FOST URL `_e`, RFC 9421
    /// `expires`.
    pub expires: i64,
    /// The JWT `time` claim as sent (seconds, may have a fraction); 0 for other schemes.
    pub time: f64,
    /// JWT verify: the index, in the keys passed, of the key that verified.
    pub key_index: usize,
    /// RFC 9421 verify: true when `Content-Digest` was checked against the body.
    pub body_checked: bool,
    /// The list described above, `n_items` long (NULL when empty), inside the buffer.
    pub items: *const countermark_pair,
    /// The number of items.
    pub n_items: usize,
}

/// A buffer of this many bytes holds the result of any ordinary credential (a few names, times and a short list);
/// a larger one needs more and is answered `COUNTERMARK_RESULT_INSUFFICIENT_SIZE` with the size needed.
pub const COUNTERMARK_VERIFIED_BUF_LEN: usize = 1024;

/// A growable buffer that lives inline up to `N` elements and moves to the heap past that: a typical result is
/// built without allocating.
#[derive(Debug)]
struct Inline<T: Copy + Default, const N: usize> {
    inline: [T; N],
    len: usize,
    heap: Vec<T>,
}

impl<T: Copy + Default, const N: usize> Inline<T, N> {
    fn new() -> Self {
        Inline {
            inline: [T::default(); N],
            len: 0,
            heap: Vec::new(),
        }
    }

    fn len(&self) -> usize {
        if self.heap.is_empty() {
            self.len
        } else {
            self.heap.len()
        }
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn extend_from_slice(&mut self, items: &[T]) {
        if self.heap.is_empty() && self.len + items.len() <= N {
            self.inline[self.len..self.len + items.len()].copy_from_slice(items);
            self.len += items.len();
        } else {
            if self.heap.is_empty() {
                self.heap.reserve(2 * N + items.len());
                self.heap.extend_from_slice(&self.inline[..self.len]);
            }
            self.heap.extend_from_slice(items);
        }
    }

    fn push(&mut self, item: T) {
        self.extend_from_slice(std::slice::from_ref(&item));
    }

    fn as_slice(&self) -> &[T] {
        if self.heap.is_empty() {
            &self.inline[..self.len]
        } else {
            &self.heap
        }
    }
}

impl<const N: usize> std::fmt::Write for Inline<u8, N> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// A span of the result text while it is built.
#[derive(Debug, Clone, Copy, Default)]
struct Span {
    start: usize,
    len: usize,
}

/// Collects a result's fields and text, then writes them into the caller's struct and buffer.
#[derive(Debug)]
pub(crate) struct Verified {
    scheme: countermark_scheme,
    verified: bool,
    text: Inline<u8, 512>,
    key_id: Option<Span>,
    user: Option<Span>,
    algorithm: Option<Span>,
    nonce: Option<Span>,
    label: Option<Span>,
    tag: Option<Span>,
    token: Option<Span>,
    created: Option<i64>,
    expires: Option<i64>,
    time: f64,
    key_index: usize,
    body_checked: bool,
    items: Inline<(Span, Span), 16>,
}

impl Verified {
    pub(crate) fn new(scheme: countermark_scheme, verified: bool) -> Self {
        Verified {
            scheme,
            verified,
            text: Inline::new(),
            key_id: None,
            user: None,
            algorithm: None,
            nonce: None,
            label: None,
            tag: None,
            token: None,
            created: None,
            expires: None,
            time: 0.0,
            key_index: 0,
            body_checked: false,
            items: Inline::new(),
        }
    }

    fn span(&mut self, s: &str) -> Span {
        let start = self.text.len();
        self.text.extend_from_slice(s.as_bytes());
        Span {
            start,
            len: s.len(),
        }
    }

    fn opt(&mut self, s: Option<&str>) -> Option<Span> {
        s.map(|s| self.span(s))
    }

    pub(crate) fn key_id(mut self, s: Option<&str>) -> Self {
        self.key_id = self.opt(s);
        self
    }

    pub(crate) fn user(mut self, s: &str) -> Self {
        self.user = Some(self.span(s));
        self
    }

    pub(crate) fn algorithm(mut self, s: Option<&str>) -> Self {
        self.algorithm = self.opt(s);
        self
    }

    pub(crate) fn nonce(mut self, s: Option<&str>) -> Self {
        self.nonce = self.opt(s);
        self
    }

    pub(crate) fn label(mut self, s: &str) -> Self {
        self.label = Some(self.span(s));
        self
    }

    pub(crate) fn tag(mut self, s: Option<&str>) -> Self {
        self.tag = self.opt(s);
        self
    }

    pub(crate) fn token(mut self, s: &str) -> Self {
        self.token = Some(self.span(s));
        self
    }

    pub(crate) fn created(mut self, t: Option<i64>) -> Self {
        self.created = t;
        self
    }

    pub(crate) fn expires(mut self, t: Option<i64>) -> Self {
        self.expires = t;
        self
    }

    pub(crate) fn time(mut self, t: f64) -> Self {
        self.time = t;
        self
    }

    pub(crate) fn key_index(mut self, i: usize) -> Self {
        self.key_index = i;
        self
    }

    pub(crate) fn body_checked(mut self, b: bool) -> Self {
        self.body_checked = b;
        self
    }

    /// An item whose name is `name`'s display form (written in place) and whose value is empty.
    pub(crate) fn item_named(&mut self, name: &dyn std::fmt::Display) {
        use std::fmt::Write as _;
        let start = self.text.len();
        // Writing into the buffer cannot fail.
        let _ = write!(self.text, "{name}");
        let n = Span {
            start,
            len: self.text.len() - start,
        };
        let v = Span {
            start: self.text.len(),
            len: 0,
        };
        self.items.push((n, v));
    }

    pub(crate) fn item(&mut self, name: &str, value: &str) {
        // (Spans are offsets into the text, so a later move of the text to the heap keeps them valid.)
        let n = self.span(name);
        let v = self.span(value);
        self.items.push((n, v));
    }

    /// The bytes the buffer needs, whatever its alignment: the text, then the item array at the first address
    /// aligned for it.
    fn needed(&self) -> usize {
        let items = self.items.len() * size_of::<countermark_pair>();
        if items == 0 {
            self.text.len()
        } else {
            self.text.len() + align_of::<countermark_pair>() - 1 + items
        }
    }

    /// Writes the result: the text at the start of `buf`, the items after it (aligned), the struct to `out`, and
    /// the number of text bytes to `out_n`. On a short buffer nothing is written but `*out_n`, the size needed.
    ///
    /// # Safety
    /// `out` and `out_n` were checked by `out_ptr`; `buf` is NULL or points to `cap` writable bytes that do not
    /// overlap `out`.
    pub(crate) unsafe fn write(
        self,
        out: *mut countermark_verified,
        buf: *mut u8,
        cap: usize,
        out_n: *mut usize,
    ) -> FfiResult<()> {
        let needed = self.needed();
        if needed > cap {
            // SAFETY: per the caller.
            unsafe { out_n.write(needed) };
            return Err(countermark_result::InsufficientSize);
        }
        if buf.is_null() && cap > 0 {
            return Err(countermark_result::NullParameter);
        }
        // Only `needed` bytes are written (within the caller's buffer, which holds `cap >= needed`).
        let base = buf.cast_const();
        if !self.text.is_empty() {
            let text = self.text.as_slice();
            // SAFETY: buf holds cap >= text.len() bytes.
            unsafe { std::ptr::copy_nonoverlapping(text.as_ptr(), buf, text.len()) };
        }
        let view = |s: Option<Span>| match s {
            // SAFETY: the span lies within the text just copied to buf.
            Some(s) => countermark_str {
                data: unsafe { base.add(s.start) },
                len: s.len,
            },
            None => countermark_str {
                data: std::ptr::null(),
                len: 0,
            },
        };
        let mut items: *const countermark_pair = std::ptr::null();
        if !self.items.is_empty() {
            // SAFETY: text.len() + align - 1 + items bytes fit in buf (checked through `needed`).
            let after = unsafe { buf.add(self.text.len()) };
            let pad = after.align_offset(align_of::<countermark_pair>());
            // SAFETY: pad < align, within the room reserved above.
            let array = unsafe { after.add(pad) }.cast::<countermark_pair>();
            for (i, (n, v)) in self.items.as_slice().iter().enumerate() {
                let pair = countermark_pair {
                    name: view(Some(*n)),
                    value: view(Some(*v)),
                };
                // SAFETY: aligned, inside buf, i < items.len().
                unsafe { array.add(i).write(pair) };
            }
            items = array.cast_const();
        }
        let value = countermark_verified {
            scheme: self.scheme,
            verified: self.verified,
            key_id: view(self.key_id),
            user: view(self.user),
            algorithm: view(self.algorithm),
            nonce: view(self.nonce),
            label: view(self.label),
            tag: view(self.tag),
            token: view(self.token),
            has_created: self.created.is_some(),
            created: self.created.unwrap_or(0),
            has_expires: self.expires.is_some(),
            expires: self.expires.unwrap_or(0),
            time: self.time,
            key_index: self.key_index,
            body_checked: self.body_checked,
            items,
            n_items: self.items.len(),
        };
        // SAFETY: per the caller.
        unsafe {
            out.write(value);
            out_n.write(self.text.len());
        }
        Ok(())
    }
}

/// An HTTP request given as plain parts in one struct, for the `_parts` verify functions: a binding fills it in
/// its own memory and verifies with one call, without building a `countermark_request`. The fields mean what
/// the `countermark_request_*` setters do: `scheme`/`authority` empty when unknown; `headers` is an array of
/// `n_headers` (name, value) lines in order; `body` is used only when `has_body`. Read during the call only.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct countermark_request_parts {
    /// The method (`POST`).
    pub method: countermark_str,
    /// The request target: origin-form (`/a?x=1`) or absolute.
    pub target: countermark_str,
    /// The scheme (`https`), or empty.
    pub scheme: countermark_str,
    /// The authority (`example.com:8443`), or empty.
    pub authority: countermark_str,
    /// The header lines (NULL when `n_headers` is 0).
    pub headers: *const countermark_pair,
    /// The number of header lines.
    pub n_headers: usize,
    /// The body (read only when `has_body`).
    pub body: countermark_str,
    /// Whether the request has a body (an empty one counts).
    pub has_body: bool,
}

/// The core view of request parts, borrowing their bytes (nothing is copied). An authority without a scheme is
/// `https`.
///
/// # Safety
/// `parts` is NULL or points to a valid struct whose views stay valid and unmodified for `'a`.
pub(crate) unsafe fn request_view<'a>(
    parts: *const countermark_request_parts,
) -> FfiResult<cm::Request<'a>> {
    if parts.is_null() {
        return Err(countermark_result::NullParameter);
    }
    // SAFETY: per the caller.
    let p = unsafe { &*parts };
    // SAFETY: per the caller.
    let (method, target, scheme, authority, headers) = unsafe {
        (
            p.method.text()?,
            p.target.text()?,
            p.scheme.text()?,
            p.authority.text()?,
            crate::boundary::array(p.headers, p.n_headers)?,
        )
    };
    let mut r = core(cm::Request::new(method, target))?;
    if !authority.is_empty() {
        r = r.with_authority(if scheme.is_empty() { "https" } else { scheme }, authority);
    }
    for h in headers {
        // SAFETY: per the caller.
        let (name, value) = unsafe { (h.name.text()?, h.value.text()?) };
        r = core(r.with_header(name, value))?;
    }
    if p.has_body {
        // SAFETY: per the caller.
        r = r.with_body(unsafe { bytes(p.body.data, p.body.len) }?);
    }
    Ok(r)
}

/// The output parameters of every parse and verify, checked before any work.
pub(crate) struct Out {
    out: *mut countermark_verified,
    buf: *mut u8,
    cap: usize,
    out_n: *mut usize,
}

impl Out {
    pub(crate) fn new(
        out: *mut countermark_verified,
        buf: *mut u8,
        cap: usize,
        out_n: *mut usize,
    ) -> FfiResult<Self> {
        Ok(Out {
            out: crate::boundary::out_ptr(out)?,
            buf,
            cap,
            out_n: crate::boundary::out_ptr(out_n)?,
        })
    }

    /// Writes `v` (see [`Verified::write`]).
    ///
    /// # Safety
    /// `buf` is NULL or points to `cap` writable bytes that do not overlap `out`.
    pub(crate) unsafe fn put(self, v: Verified) -> FfiResult<()> {
        // SAFETY: per the caller; out and out_n were checked in `new`.
        unsafe { v.write(self.out, self.buf, self.cap, self.out_n) }
    }

    /// Writes a verified token's result straight into the caller's buffer (what [`Verified`] would write for
    /// it, without building one): the fields text as in the token (`a:b`), each field an item viewing its part
    /// of it (empty name), and the timestamp as `created`.
    ///
    /// # Safety
    /// As [`Out::put`].
    pub(crate) unsafe fn put_token(self, token: &cm::VerifiedToken<'_>) -> FfiResult<()> {
        let text = token.joined_fields();
        // The fields are the `:`-separated parts of the text (none when it is empty), as `iter_fields` gives them.
        let n_items = if text.is_empty() {
            0
        } else {
            1 + text.bytes().filter(|&b| b == b':').count()
        };
        let pair = size_of::<countermark_pair>();
        let needed = if n_items == 0 {
            text.len()
        } else {
            text.len() + align_of::<countermark_pair>() - 1 + n_items * pair
        };
        if needed > self.cap {
            // SAFETY: checked in `new`.
            unsafe { self.out_n.write(needed) };
            return Err(countermark_result::InsufficientSize);
        }
        if self.buf.is_null() && self.cap > 0 {
            return Err(countermark_result::NullParameter);
        }
        let buf = self.buf;
        if !text.is_empty() {
            // SAFETY: buf holds cap >= text.len() bytes (checked through `needed`).
            unsafe { std::ptr::copy_nonoverlapping(text.as_ptr(), buf, text.len()) };
        }
        let mut items: *const countermark_pair = std::ptr::null();
        if n_items > 0 {
            // SAFETY: text.len() + align - 1 + n_items * pair bytes fit in buf.
            let after = unsafe { buf.add(text.len()) };
            let pad = after.align_offset(align_of::<countermark_pair>());
            // SAFETY: pad < align, within the room reserved above.
            let array = unsafe { after.add(pad) }.cast::<countermark_pair>();
            let mut start = 0;
            for i in 0..n_items {
                let end = text.as_bytes()[start..]
                    .iter()
                    .position(|&b| b == b':')
                    .map_or(text.len(), |p| start + p);
                // SAFETY: start <= end <= text.len(), which was copied to buf.
                let data = unsafe { buf.add(start) }.cast_const();
                let pair = countermark_pair {
                    name: countermark_str { data, len: 0 },
                    value: countermark_str {
                        data,
                        len: end - start,
                    },
                };
                // SAFETY: aligned, inside buf, i < n_items.
                unsafe { array.add(i).write(pair) };
                start = end + 1;
            }
            items = array.cast_const();
        }
        let none = countermark_str {
            data: std::ptr::null(),
            len: 0,
        };
        let value = countermark_verified {
            scheme: countermark_scheme::Token,
            verified: true,
            key_id: none,
            user: none,
            algorithm: none,
            nonce: none,
            label: none,
            tag: none,
            token: none,
            has_created: true,
            created: token.timestamp(),
            has_expires: false,
            expires: 0,
            time: 0.0,
            key_index: 0,
            body_checked: false,
            items,
            n_items,
        };
        // SAFETY: checked in `new`.
        unsafe {
            self.out.write(value);
            self.out_n.write(text.len());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(v: Verified, cap: usize) -> (FfiResult<()>, Vec<u8>, countermark_verified, usize) {
        let mut buf = vec![0u8; cap + 1];
        let mut out = std::mem::MaybeUninit::<countermark_verified>::zeroed();
        let mut n = 0usize;
        // SAFETY: buf has cap + 1 bytes; the result is read only while buf lives.
        let r = unsafe { v.write(out.as_mut_ptr(), buf.as_mut_ptr().add(1), cap, &mut n) };
        // SAFETY: zero-initialised, and written on success.
        (r, buf, unsafe { out.assume_init() }, n)
    }

    /// The views of a written result: (name, value) of each item, and `created`.
    fn read_back(out: &countermark_verified) -> (Vec<(String, String)>, i64) {
        let s = |v: countermark_str| {
            if v.len == 0 {
                String::new()
            } else {
                // SAFETY: the view lies within the buffer still alive in the caller.
                String::from_utf8(unsafe { std::slice::from_raw_parts(v.data, v.len) }.to_vec())
                    .unwrap()
            }
        };
        let items = if out.n_items == 0 {
            Vec::new()
        } else {
            // SAFETY: n_items pairs inside the live buffer.
            unsafe { std::slice::from_raw_parts(out.items, out.n_items) }
                .iter()
                .map(|p| (s(p.name), s(p.value)))
                .collect()
        };
        (items, out.created)
    }

    /// A token's result written directly reads back exactly as the general writer's (fields in order, empty
    /// fields kept, none for a token without fields, `created`), and a short buffer gets the size needed.
    #[test]
    fn token_results_match_the_general_writer() {
        use cm::{Algorithm, FixedClock, HmacKey, Secret, Tokens};
        let key = HmacKey::new(
            Algorithm::HmacSha256,
            &Secret::new(*b"0123456789abcdef").unwrap(),
        );
        let tokens =
            Tokens::new(key).with_clock(std::sync::Arc::new(FixedClock::at_secs(1_700_000_000)));
        for fields in [vec![], vec!["alice"], vec!["alice", "", "42"], vec!["", ""]] {
            let token = tokens.create(&fields).unwrap();
            let verified = tokens.verify(&token, None).unwrap();
            let mut general =
                Verified::new(countermark_scheme::Token, true).created(Some(verified.timestamp()));
            for f in verified.iter_fields() {
                general.item("", f);
            }
            let need = general.needed();
            let (r, _gbuf, gout, gn) = written(general, need);
            assert_eq!(r, Ok(()));

            // The direct writer keeps the `:` between the fields in its text: ask it for its size first.
            let mut out = std::mem::MaybeUninit::<countermark_verified>::zeroed();
            let mut need = 0usize;
            // SAFETY: a NULL buffer of capacity 0; out and need are live.
            let r = unsafe {
                Out::new(out.as_mut_ptr(), std::ptr::null_mut(), 0, &mut need)
                    .unwrap()
                    .put_token(&verified)
            };
            if fields.is_empty() {
                assert_eq!(r, Ok(()));
                assert_eq!(need, 0);
            } else {
                assert_eq!(r, Err(countermark_result::InsufficientSize));
            }
            let mut buf = vec![0u8; need + 1];
            let mut n = 0usize;
            // SAFETY: buf has need + 1 bytes; out and n are live.
            let r = unsafe {
                Out::new(out.as_mut_ptr(), buf.as_mut_ptr().add(1), need, &mut n)
                    .unwrap()
                    .put_token(&verified)
            };
            assert_eq!(r, Ok(()));
            // SAFETY: written on success.
            let out = unsafe { out.assume_init() };
            assert_eq!(n, verified.joined_fields().len());
            let _ = gn;
            assert_eq!(read_back(&out), read_back(&gout), "{fields:?}");
            assert_eq!(
                read_back(&out)
                    .0
                    .iter()
                    .map(|(_, v)| v.as_str())
                    .collect::<Vec<_>>(),
                verified.iter_fields().collect::<Vec<_>>()
            );
            assert!(out.has_created && out.verified && out.scheme == countermark_scheme::Token);

            if need > 0 {
                let mut small = vec![0u8; need];
                let mut out = std::mem::MaybeUninit::<countermark_verified>::zeroed();
                let mut n = 0usize;
                // SAFETY: small holds need - 1 < need bytes as declared.
                let r = unsafe {
                    Out::new(out.as_mut_ptr(), small.as_mut_ptr(), need - 1, &mut n)
                        .unwrap()
                        .put_token(&verified)
                };
                assert_eq!(r, Err(countermark_result::InsufficientSize));
                assert_eq!(n, need);
            }
        }
    }

    /// A result larger than the inline storage (long texts, many items) is complete, in order.
    #[test]
    fn large_results_spill_to_the_heap() {
        let mut v = Verified::new(countermark_scheme::Token, true).key_id(Some(&"k".repeat(600)));
        for i in 0..40 {
            v.item("", &format!("field-{i}"));
        }
        let need = v.needed();
        let (r, _buf, out, n) = written(v, need);
        assert_eq!(r, Ok(()));
        assert_eq!(out.n_items, 40);
        assert!(n <= need);
        // SAFETY: the views point into _buf, alive here.
        unsafe {
            assert_eq!(out.key_id.text().unwrap(), "k".repeat(600));
            let items = std::slice::from_raw_parts(out.items, out.n_items);
            for (i, it) in items.iter().enumerate() {
                assert_eq!(it.value.text().unwrap(), format!("field-{i}"));
                assert_eq!(it.name.len, 0);
            }
        }
    }

    /// One byte short: INSUFFICIENT_SIZE with the size needed, and the struct untouched.
    #[test]
    fn a_short_buffer_reports_the_size() {
        let mut v = Verified::new(countermark_scheme::Fost, false).user("alice");
        v.item("Content-Type", "application/json");
        let need = v.needed();
        let (r, _, out, n) = written(v, need - 1);
        assert_eq!(r, Err(countermark_result::InsufficientSize));
        assert_eq!(n, need);
        assert_eq!(out.scheme, countermark_scheme::None);
    }
}
