package countermark

// #include "countermark.h"
import "C"

import (
	"runtime"
	"time"
)

// Tokens creates and verifies handshake tokens (field:...:timestamp:random:hmac) with a key ring.
// Immutable; safe for concurrent use.
type Tokens struct{ p *C.countermark_tokens }

// TokensOptions are the settings of a token maker/verifier; unset (nil) values keep the core's defaults.
type TokensOptions struct {
	// Clock is the time source (nil: the system clock).
	Clock *Clock
	// RandomLen is the number of random bytes hashed into each token (nil: handshake's default).
	RandomLen *int
}

// NewTokens uses ring's primary key to sign and any of its keys to verify.
func NewTokens(ring *KeyRing, o TokensOptions) (*Tokens, error) {
	randomLen := 0 // the C ABI's "not set"
	if o.RandomLen != nil {
		if *o.RandomLen <= 0 {
			return nil, &Error{Code: CodeInvalidValue, Message: "the random length must be positive"}
		}
		randomLen = *o.RandomLen
	}
	var out *C.countermark_tokens
	err := check(C.countermark_tokens_new(ring.p, o.Clock.ptr(), C.size_t(randomLen), &out))
	keepAlive(ring, o.Clock)
	if err != nil {
		return nil, err
	}
	t := &Tokens{p: out}
	runtime.SetFinalizer(t, (*Tokens).Close)
	return t, nil
}

// Create returns a token carrying fields (each of a-z A-Z 0-9 _ -).
func (t *Tokens) Create(fields ...string) (string, error) {
	arr, free := cstrs(fields)
	defer free()
	var b C.countermark_bytes
	err := check(C.countermark_tokens_create(t.p, arr, C.size_t(len(fields)), &b))
	runtime.KeepAlive(t)
	if err != nil {
		return "", err
	}
	return string(takeBytes(&b)), nil
}

// CreateWithRandom is Create with the random bytes given: for reproducing recorded tokens only.
func (t *Tokens) CreateWithRandom(random []byte, fields ...string) (string, error) {
	arr, free := cstrs(fields)
	defer free()
	var b C.countermark_bytes
	err := check(C.countermark_tokens_create_with_random(t.p, arr, C.size_t(len(fields)), ptrOf(random),
		C.size_t(len(random)), &b))
	keepAlive(t, random)
	if err != nil {
		return "", err
	}
	return string(takeBytes(&b)), nil
}

// Verify checks token and returns its fields (Items, Fields()) and its time (Created). maxAge nil accepts any
// age (the core's default); otherwise only tokens created within *maxAge of now, either side. Errors:
// ErrMalformed, ErrTooLarge, ErrBadSignature, ErrExpired, ErrNotYetValid.
func (t *Tokens) Verify(token string, maxAge *time.Duration) (*Verified, error) {
	var secs uint64
	var p *uint64
	if maxAge != nil {
		if *maxAge < 0 {
			return nil, &Error{Code: Code(C.COUNTERMARK_RESULT_INVALID_VALUE), Message: "max age is negative"}
		}
		secs = uint64(*maxAge / time.Second)
		p = &secs
	}
	// One cgo call into a pooled C block (no closure between here and C); a result too large for the block goes
	// the general way, which retries with a block of the size needed.
	b := blocks.Get().(*cblock)
	h := b.head()
	var opt *C.uint64_t
	if p != nil {
		h.opt = C.uint64_t(secs)
		opt = &h.opt
	}
	buf, n := b.buf()
	rc := C.countermark_tokens_verify(t.p, strPtr(token), C.size_t(len(token)), opt, b.out(), buf, n, &h.n)
	runtime.KeepAlive(t)
	runtime.KeepAlive(token)
	if rc == C.COUNTERMARK_RESULT_INSUFFICIENT_SIZE {
		blocks.Put(b)
		v, err := callVerifiedOpt(p, func(opt *C.uint64_t, out *C.countermark_verified, buf *C.uint8_t, n C.size_t,
			outN *C.size_t) C.countermark_result {
			return C.countermark_tokens_verify(t.p, strPtr(token), C.size_t(len(token)), opt, out, buf, n, outN)
		})
		keepAlive(t, token)
		return v, err
	}
	if rc != C.COUNTERMARK_RESULT_OK {
		blocks.Put(b)
		return nil, check(rc)
	}
	v := readVerified(b.out(), buf, int(h.n))
	blocks.Put(b)
	return v, nil
}

// Close releases the object.
func (t *Tokens) Close() error {
	if t != nil && t.p != nil {
		C.countermark_tokens_free(t.p)
		t.p = nil
	}
	return nil
}
