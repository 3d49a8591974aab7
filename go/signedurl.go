package countermark

// #include <stdlib.h>
// #include "countermark.h"
import "C"

import (
	"encoding/json"
	"runtime"
	"time"
	"unsafe"
)

// URLSigner signs and validates ska signatures (signed URLs and parameter sets). Immutable; safe for
// concurrent use.
type URLSigner struct{ p *C.countermark_url_signer }

// ParamNames renames ska's four parameters; "" keeps the default (signature, auth_user, valid_until, extra).
type ParamNames struct {
	Signature, AuthUser, ValidUntil, Extra string
}

// NewURLSigner signs with ring's primary key; names nil keeps ska's parameter names. The algorithm is the keys'
// own: "hmac-md5" keys (legacy, NewLegacyHMACKey("hmac-md5", ...)) validate links of ska's HMACMD5Signature. WithHelpers
// selects ska's JavaScript helpers.
func NewURLSigner(ring *KeyRing, clock *Clock, names *ParamNames) (*URLSigner, error) {
	var out *C.countermark_url_signer
	var err error
	if names == nil {
		err = check(C.countermark_url_signer_new(ring.p, clock.ptr(), nil, &out))
	} else {
		joined := names.Signature + names.AuthUser + names.ValidUntil + names.Extra
		block := C.CBytes([]byte(joined + "\x00"))
		defer C.free(block)
		n := (*C.countermark_ska_param_names)(C.malloc(C.size_t(unsafe.Sizeof(C.countermark_ska_param_names{}))))
		defer C.free(unsafe.Pointer(n))
		off := 0
		part := func(s string) C.countermark_str {
			v := C.countermark_str{}
			if s != "" {
				v = C.countermark_str{data: (*C.uint8_t)(unsafe.Add(block, off)), len: C.size_t(len(s))}
			}
			off += len(s)
			return v
		}
		n.signature = part(names.Signature)
		n.auth_user = part(names.AuthUser)
		n.valid_until = part(names.ValidUntil)
		n.extra = part(names.Extra)
		err = check(C.countermark_url_signer_new(ring.p, clock.ptr(), n, &out))
	}
	keepAlive(ring, clock)
	if err != nil {
		return nil, err
	}
	s := &URLSigner{p: out}
	runtime.SetFinalizer(s, (*URLSigner).Close)
	return s, nil
}

// WithHelpers returns a new signer like s (same keys, clock and parameter names) that uses ska's helpers named by
// valueDumper and quoter: "python" (ska's default_value_dumper / default_quoter) or "javascript"
// (javascript_value_dumper / javascript_quoter, what ska's JavaScript port signs with); "" keeps s's current
// one. The quoter matters when validating links, the value dumper when signing extra values that are not text.
// s is unchanged. Errors: ErrInvalidValue for an unknown name.
func (s *URLSigner) WithHelpers(valueDumper, quoter string) (*URLSigner, error) {
	var out *C.countermark_url_signer
	err := check(C.countermark_url_signer_with_helpers(s.p, strPtr(valueDumper), C.size_t(len(valueDumper)),
		strPtr(quoter), C.size_t(len(quoter)), &out))
	keepAlive(s, valueDumper, quoter)
	if err != nil {
		return nil, err
	}
	n := &URLSigner{p: out}
	runtime.SetFinalizer(n, (*URLSigner).Close)
	return n, nil
}

// SignOptions are the optional parts of a signature: Lifetime (nil: the core's default, DefaultSkaLifetime) or an
// explicit ValidUntil (Unix seconds as text), Extra data (JSON-encodable values), and for SignURL a Suffix put
// between the URL and the parameters (default: "?" or "&" as the URL needs).
type SignOptions struct {
	Lifetime   *time.Duration
	ValidUntil string
	Extra      map[string]any
	// ExtraJSON, when set, is used instead of Extra (a JSON object; its key order is kept).
	ExtraJSON string
	Suffix    string
}

// parts gives the optional lifetime (nil: not set) and the extra data as JSON.
func (o *SignOptions) parts() (lifetime *uint64, extra string, err error) {
	if o == nil {
		return nil, "", nil
	}
	if o.Lifetime != nil {
		if *o.Lifetime < 0 {
			return nil, "", &Error{Code: CodeInvalidValue, Message: "the lifetime is negative"}
		}
		secs := uint64(*o.Lifetime / time.Second)
		lifetime = &secs
	}
	extra = o.ExtraJSON
	if extra == "" && len(o.Extra) > 0 {
		b, e := json.Marshal(o.Extra)
		if e != nil {
			return nil, "", &Error{Code: CodeInvalidValue, Message: "extra data is not JSON-encodable: " + e.Error()}
		}
		extra = string(b)
	}
	return lifetime, extra, nil
}

// SignURL returns url with the signature parameters for user added.
func (s *URLSigner) SignURL(url, user string, opts *SignOptions) (string, error) {
	lifetime, extra, err := opts.parts()
	if err != nil {
		return "", err
	}
	var validUntil, suffix string
	if opts != nil {
		validUntil, suffix = opts.ValidUntil, opts.Suffix
	}
	var b C.countermark_bytes
	err = check(C.countermark_url_signer_sign_url(s.p, strPtr(url), C.size_t(len(url)), strPtr(user),
		C.size_t(len(user)), (*C.uint64_t)(unsafe.Pointer(lifetime)), strPtr(validUntil), C.size_t(len(validUntil)), strPtr(extra),
		C.size_t(len(extra)), strPtr(suffix), C.size_t(len(suffix)), &b))
	keepAlive(s, url, user, validUntil, extra, suffix)
	if err != nil {
		return "", err
	}
	return string(takeBytes(&b)), nil
}

// SignParams returns the signature parameters (name, value) in ska's order.
func (s *URLSigner) SignParams(user string, opts *SignOptions) (Claims, error) {
	lifetime, extra, err := opts.parts()
	if err != nil {
		return nil, err
	}
	var validUntil string
	if opts != nil {
		validUntil = opts.ValidUntil
	}
	var h *C.countermark_claims
	err = check(C.countermark_url_signer_sign_params(s.p, strPtr(user), C.size_t(len(user)), (*C.uint64_t)(unsafe.Pointer(lifetime)),
		strPtr(validUntil), C.size_t(len(validUntil)), strPtr(extra), C.size_t(len(extra)), &h))
	keepAlive(s, user, validUntil, extra)
	if err != nil {
		return nil, err
	}
	return takeClaims(h), nil
}

// ValidateURL validates a signed URL: User (auth_user), Expires (valid_until) and the signed extra data (Items,
// sorted by key). Errors: ErrBadSignature, ErrExpired, ErrMalformed.
func (s *URLSigner) ValidateURL(url string) (*Verified, error) {
	v, err := callVerified(func(out *C.countermark_verified, buf *C.uint8_t, n C.size_t, outN *C.size_t) C.countermark_result {
		return C.countermark_url_signer_validate_url(s.p, strPtr(url), C.size_t(len(url)), out, buf, n, outN)
	})
	keepAlive(s, url)
	return v, err
}

// Validate validates signature parameters given as (name, value) pairs, in request order.
func (s *URLSigner) Validate(params [][2]string) (*Verified, error) {
	n := len(params)
	size := C.size_t(n) * C.size_t(unsafe.Sizeof(C.countermark_pair{}))
	var text []byte
	for _, p := range params {
		text = append(text, p[0]...)
		text = append(text, p[1]...)
	}
	block := C.malloc(size + C.size_t(len(text)) + 1)
	defer C.free(block)
	textC := unsafe.Add(block, size)
	copy(unsafe.Slice((*byte)(textC), len(text)), text)
	pairs := unsafe.Slice((*C.countermark_pair)(block), n)
	off := 0
	str := func(s string) C.countermark_str {
		v := C.countermark_str{}
		if s != "" {
			v = C.countermark_str{data: (*C.uint8_t)(unsafe.Add(textC, off)), len: C.size_t(len(s))}
		}
		off += len(s)
		return v
	}
	for i, p := range params {
		pairs[i].name = str(p[0])
		pairs[i].value = str(p[1])
	}
	var arr *C.countermark_pair
	if n > 0 {
		arr = (*C.countermark_pair)(block)
	}
	v, err := callVerified(func(out *C.countermark_verified, buf *C.uint8_t, cn C.size_t, outN *C.size_t) C.countermark_result {
		return C.countermark_url_signer_validate(s.p, arr, C.size_t(n), out, buf, cn, outN)
	})
	runtime.KeepAlive(s)
	return v, err
}

// Close releases the signer.
func (s *URLSigner) Close() error {
	if s != nil && s.p != nil {
		C.countermark_url_signer_free(s.p)
		s.p = nil
	}
	return nil
}
