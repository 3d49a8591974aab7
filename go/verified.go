package countermark

// #include <stdlib.h>
// #include "countermark.h"
import "C"

import (
	"runtime"
	"sync"
	"time"
	"unsafe"
)

// Scheme names the scheme a Verified comes from.
type Scheme int

// The schemes (the header's COUNTERMARK_SCHEME_* numbers).
const (
	SchemeToken            Scheme = C.COUNTERMARK_SCHEME_TOKEN
	SchemeSka              Scheme = C.COUNTERMARK_SCHEME_SKA
	SchemeFost             Scheme = C.COUNTERMARK_SCHEME_FOST
	SchemeFostURL          Scheme = C.COUNTERMARK_SCHEME_FOST_URL
	SchemeHMACHeader       Scheme = C.COUNTERMARK_SCHEME_HMAC_HEADER
	SchemeMessageSignature Scheme = C.COUNTERMARK_SCHEME_MESSAGE_SIGNATURE
	SchemeJWT              Scheme = C.COUNTERMARK_SCHEME_JWT
)

// Item is one entry of a result's list: a token field (Value), a ska extra item (Name = key), a FOST signed
// header (Name, Value) or an RFC 9421 covered component (Name).
type Item struct {
	Name  string
	Value string
}

// Verified is what a parse (Verified false: claimed, untrusted) or a verify (Verified true) found. Fields a
// scheme does not have are empty; Created and Expires are the zero time when absent.
type Verified struct {
	Scheme    Scheme
	Verified  bool
	KeyID     string
	User      string
	Algorithm string
	Nonce     string
	Label     string
	Tag       string
	// Token is the compact JWT of an Authorization: JWT header (ParseJWTRequest only).
	Token   string
	Created time.Time
	Expires time.Time
	// Time is the JWT time claim as sent (seconds, may have a fraction).
	Time float64
	// KeyIndex is, for VerifyJWT, the index of the key that verified.
	KeyIndex int
	// BodyChecked is, for RFC 9421, whether Content-Digest was checked against the body.
	BodyChecked bool
	Items       []Item
}

// Fields returns the items' values (a token's fields).
func (v *Verified) Fields() []string {
	out := make([]string, len(v.Items))
	for i, it := range v.Items {
		out[i] = it.Value
	}
	return out
}

// Components returns the items' names (RFC 9421 covered components).
func (v *Verified) Components() []string {
	out := make([]string, len(v.Items))
	for i, it := range v.Items {
		out[i] = it.Name
	}
	return out
}

// Item returns the value of the item called name.
func (v *Verified) Item(name string) (string, bool) {
	for _, it := range v.Items {
		if it.Name == name {
			return it.Value, true
		}
	}
	return "", false
}

// cblock is C memory reused across calls: a small header (the out_n and optional-number slots), a
// countermark_verified, then the buffer its text lives in (or request parts). C never sees Go memory through
// it, so it can hold C pointers, and nothing a call passes to C escapes to the Go heap.
type cblock struct {
	p    unsafe.Pointer
	size uintptr
}

// cblockHead holds the scalars a call passes by pointer: its out_n and an optional uint64 argument.
type cblockHead struct {
	n   C.size_t
	opt C.uint64_t
}

const headSize = unsafe.Sizeof(cblockHead{})

const cblockSize = 4096

var blocks = sync.Pool{New: func() any { return newBlock(cblockSize) }}

func newBlock(size uintptr) *cblock {
	b := &cblock{p: C.malloc(C.size_t(size)), size: size}
	runtime.SetFinalizer(b, func(b *cblock) { C.free(b.p) })
	return b
}

var verifiedSize = unsafe.Sizeof(C.countermark_verified{})

func (b *cblock) head() *cblockHead { return (*cblockHead)(b.p) }

func (b *cblock) out() *C.countermark_verified {
	return (*C.countermark_verified)(unsafe.Add(b.p, headSize))
}

func (b *cblock) buf() (*C.uint8_t, C.size_t) {
	return (*C.uint8_t)(unsafe.Add(b.p, headSize+verifiedSize)), C.size_t(b.size - headSize - verifiedSize)
}

type verifyFn func(out *C.countermark_verified, buf *C.uint8_t, n C.size_t, outN *C.size_t) C.countermark_result

// callVerified runs one parse/verify call into a pooled block and reads the whole result (retrying once with a
// block of the size needed when the result does not fit).
func callVerified(f verifyFn) (*Verified, error) {
	return callVerifiedOpt(nil, func(_ *C.uint64_t, out *C.countermark_verified, buf *C.uint8_t, n C.size_t,
		outN *C.size_t) C.countermark_result {
		return f(out, buf, n, outN)
	})
}

// callVerifiedOpt is callVerified for a call with an optional uint64 argument (nil: not set), passed to f as a
// pointer into C memory.
func callVerifiedOpt(opt *uint64, f func(opt *C.uint64_t, out *C.countermark_verified, buf *C.uint8_t,
	n C.size_t, outN *C.size_t) C.countermark_result) (*Verified, error) {
	b := blocks.Get().(*cblock)
	defer blocks.Put(b)
	call := func(b *cblock) C.countermark_result {
		h := b.head()
		var o *C.uint64_t
		if opt != nil {
			h.opt = C.uint64_t(*opt)
			o = &h.opt
		}
		buf, cap := b.buf()
		return f(o, b.out(), buf, cap, &h.n)
	}
	rc := call(b)
	if rc == C.COUNTERMARK_RESULT_INSUFFICIENT_SIZE {
		big := newBlock(headSize + verifiedSize + uintptr(b.head().n))
		defer runtime.KeepAlive(big)
		b = big
		rc = call(b)
	}
	if err := check(rc); err != nil {
		return nil, err
	}
	buf, _ := b.buf()
	return readVerified(b.out(), buf, int(b.head().n)), nil
}

// readVerified copies the result in one allocation when it is small (what a token, a signed URL or an HMAC
// header gives): the struct, its items and its text together (every text field is a substring of that copy). A
// larger result is copied into a struct with room for more, and what still does not fit takes one allocation
// more per part.
func readVerified(cv *C.countermark_verified, buf *C.uint8_t, n int) *Verified {
	var v *Verified
	var items []Item
	var room []byte
	if cv.n_items <= 2 && n <= 48 {
		r := new(struct {
			v     Verified
			items [2]Item
			text  [48]byte
		})
		v, items, room = &r.v, r.items[:], r.text[:]
	} else {
		r := new(struct {
			v     Verified
			items [4]Item
			text  [128]byte
		})
		v, items, room = &r.v, r.items[:], r.text[:]
	}
	text := ""
	base := uintptr(unsafe.Pointer(buf))
	if n > 0 {
		src := unsafe.Slice((*byte)(unsafe.Pointer(buf)), n)
		if n <= len(room) {
			// The bytes are never written again: the string may view them.
			copy(room, src)
			text = unsafe.String(&room[0], n)
		} else {
			text = string(src)
		}
	}
	sub := func(s C.countermark_str) string {
		if s.len == 0 || s.data == nil {
			return ""
		}
		off := uintptr(unsafe.Pointer(s.data)) - base
		return text[off : off+uintptr(s.len)]
	}
	// Only what the result has is set (the rest stays zero): fewer writes on the hot paths.
	v.Scheme = Scheme(cv.scheme)
	v.Verified = bool(cv.verified)
	if cv.key_id.len > 0 {
		v.KeyID = sub(cv.key_id)
	}
	if cv.user.len > 0 {
		v.User = sub(cv.user)
	}
	if cv.algorithm.len > 0 {
		v.Algorithm = sub(cv.algorithm)
	}
	if cv.nonce.len > 0 {
		v.Nonce = sub(cv.nonce)
	}
	if cv.label.len > 0 {
		v.Label = sub(cv.label)
	}
	if cv.tag.len > 0 {
		v.Tag = sub(cv.tag)
	}
	if cv.token.len > 0 {
		v.Token = sub(cv.token)
	}
	v.Time = float64(cv.time)
	v.KeyIndex = int(cv.key_index)
	v.BodyChecked = bool(cv.body_checked)
	if cv.has_created {
		if v.Scheme == SchemeJWT {
			secs := int64(cv.created)
			v.Created = time.Unix(secs, int64((float64(cv.time)-float64(secs))*1e9))
		} else {
			v.Created = time.Unix(int64(cv.created), 0)
		}
	}
	if cv.has_expires {
		v.Expires = time.Unix(int64(cv.expires), 0)
	}
	if cv.n_items > 0 {
		pairs := unsafe.Slice(cv.items, int(cv.n_items))
		if len(pairs) <= len(items) {
			v.Items = items[:len(pairs):len(pairs)]
		} else {
			v.Items = make([]Item, len(pairs))
		}
		for i, it := range pairs {
			v.Items[i] = Item{Name: sub(it.name), Value: sub(it.value)}
		}
	}
	return v
}

// parts writes r as countermark_request_parts into C memory from the pool (the header text and body copied
// there), so that a verify reads the whole request with one call. The caller puts the block back.
func (r *Request) parts() (*C.countermark_request_parts, *cblock) {
	partsSize := unsafe.Sizeof(C.countermark_request_parts{})
	pairSize := unsafe.Sizeof(C.countermark_pair{})
	need := partsSize + uintptr(len(r.Headers))*pairSize + uintptr(len(r.Method)+len(r.Target)+len(r.Scheme)+
		len(r.Authority)+len(r.Body))
	for _, h := range r.Headers {
		need += uintptr(len(h[0]) + len(h[1]))
	}
	b := blocks.Get().(*cblock)
	if b.size < need {
		blocks.Put(b)
		b = newBlock(need)
	}
	p := (*C.countermark_request_parts)(b.p)
	pairs := unsafe.Slice((*C.countermark_pair)(unsafe.Add(b.p, partsSize)), len(r.Headers))
	text := unsafe.Slice((*byte)(unsafe.Add(b.p, partsSize+uintptr(len(r.Headers))*pairSize)),
		int(b.size-partsSize-uintptr(len(r.Headers))*pairSize))
	off := 0
	put := func(s string) C.countermark_str {
		if len(s) == 0 {
			return C.countermark_str{}
		}
		copy(text[off:], s)
		v := C.countermark_str{data: (*C.uint8_t)(unsafe.Pointer(&text[off])), len: C.size_t(len(s))}
		off += len(s)
		return v
	}
	p.method = put(r.Method)
	p.target = put(r.Target)
	p.scheme = put(r.Scheme)
	p.authority = put(r.Authority)
	for i, h := range r.Headers {
		pairs[i] = C.countermark_pair{name: put(h[0]), value: put(h[1])}
	}
	if len(r.Headers) > 0 {
		p.headers = &pairs[0]
	} else {
		p.headers = nil
	}
	p.n_headers = C.size_t(len(r.Headers))
	p.has_body = C.bool(r.Body != nil)
	p.body = C.countermark_str{}
	if len(r.Body) > 0 {
		copy(text[off:], r.Body)
		p.body = C.countermark_str{data: (*C.uint8_t)(unsafe.Pointer(&text[off])), len: C.size_t(len(r.Body))}
	}
	return p, b
}

// verifyParts runs a _verify_parts call on r: one cgo call for the request and the whole result.
func (r *Request) verifyParts(f func(p *C.countermark_request_parts, out *C.countermark_verified,
	buf *C.uint8_t, n C.size_t, outN *C.size_t) C.countermark_result) (*Verified, error) {
	p, pb := r.parts()
	defer blocks.Put(pb)
	return callVerified(func(out *C.countermark_verified, buf *C.uint8_t, n C.size_t, outN *C.size_t) C.countermark_result {
		return f(p, out, buf, n, outN)
	})
}

// parseCall runs a parse on the library's request built from r.
func (r *Request) parseCall(f func(*C.countermark_request, *C.countermark_verified, *C.uint8_t, C.size_t,
	*C.size_t) C.countermark_result) (*Verified, error) {
	creq, err := r.cRequest()
	if err != nil {
		return nil, err
	}
	defer C.countermark_request_free(creq)
	v, err := callVerified(func(out *C.countermark_verified, buf *C.uint8_t, n C.size_t, outN *C.size_t) C.countermark_result {
		return f(creq, out, buf, n, outN)
	})
	runtime.KeepAlive(r)
	return v, err
}

// noCredentials turns "no credentials of this scheme" into (nil, nil), the phase-one answer of every scheme.
func noCredentials(v *Verified, err error) (*Verified, error) {
	if e, ok := err.(*Error); ok && e.Code == Code(C.COUNTERMARK_RESULT_NO_CREDENTIALS) {
		return nil, nil
	}
	return v, err
}

// optSecs converts an optional duration into an optional C seconds value (nil stays nil: the core's default).
func optSecs(d *time.Duration) (*C.uint64_t, error) {
	if d == nil {
		return nil, nil
	}
	if *d < 0 {
		return nil, &Error{Code: Code(C.COUNTERMARK_RESULT_INVALID_VALUE), Message: "a negative duration"}
	}
	secs := C.uint64_t(*d / time.Second)
	return &secs, nil
}
