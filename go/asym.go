package countermark

// #include <stdlib.h>
// #include "countermark.h"
import "C"

import (
	"runtime"
	"time"
	"unsafe"
)

// ------------------------------------------------------------------------------------------------------ JWT

// SignJWT returns a JWT for "Authorization: JWT <token>" signed by key, claiming username, now and a random
// nonce (asymmetric-jwt-auth's format).
func SignJWT(key *SigningKey, username string, clock *Clock) (string, error) {
	var b C.countermark_bytes
	err := check(C.countermark_jwt_sign(key.p, strPtr(username), C.size_t(len(username)), clock.ptr(), &b))
	keepAlive(key, username, clock)
	if err != nil {
		return "", err
	}
	return string(takeBytes(&b)), nil
}

// SignJWTWith is SignJWT with the time and nonce given (reproducible tokens, tests only).
func SignJWTWith(key *SigningKey, username string, unixTime int64, nonce string) (string, error) {
	var b C.countermark_bytes
	err := check(C.countermark_jwt_sign_with(key.p, strPtr(username), C.size_t(len(username)), C.int64_t(unixTime),
		strPtr(nonce), C.size_t(len(nonce)), &b))
	keepAlive(key, username, nonce)
	if err != nil {
		return "", err
	}
	return string(takeBytes(&b)), nil
}

// JWTPolicy is how JWTs are checked: clock, clock skew, and the store of used nonces. Safe for concurrent use.
type JWTPolicy struct{ p *C.countermark_jwt_policy }

// JWTPolicyOptions are a JWT policy's settings; unset (nil) values keep the core's defaults.
type JWTPolicyOptions struct {
	Clock *Clock
	// ClockSkew is how far a token's time may be from the clock, either side (nil: DefaultJWTClockSkew).
	ClockSkew *time.Duration
	// NonceStore holds used nonces (nil: a memory store of the policy's own).
	NonceStore *NonceStore
}

// NewJWTPolicy builds a policy from o.
func NewJWTPolicy(o JWTPolicyOptions) (*JWTPolicy, error) {
	skew, err := optSecs(o.ClockSkew)
	if err != nil {
		return nil, err
	}
	var out *C.countermark_jwt_policy
	err = check(C.countermark_jwt_policy_new(o.Clock.ptr(), skew, o.NonceStore.ptr(), &out))
	keepAlive(o.Clock, o.NonceStore)
	if err != nil {
		return nil, err
	}
	p := &JWTPolicy{p: out}
	runtime.SetFinalizer(p, (*JWTPolicy).Close)
	return p, nil
}

// Close releases the policy.
func (p *JWTPolicy) Close() error {
	if p != nil && p.p != nil {
		C.countermark_jwt_policy_free(p.p)
		p.p = nil
	}
	return nil
}

// ParseJWT is phase one: User, Created/Time, Nonce, KeyID, Algorithm (untrusted).
func ParseJWT(token string) (*Verified, error) {
	v, err := callVerified(func(out *C.countermark_verified, buf *C.uint8_t, n C.size_t, outN *C.size_t) C.countermark_result {
		return C.countermark_jwt_parse(strPtr(token), C.size_t(len(token)), out, buf, n, outN)
	})
	runtime.KeepAlive(token)
	return v, err
}

// ParseJWTRequest is ParseJWT on the request's "Authorization: JWT <token>" header (Token holds it).
// (nil, nil) without such a header.
func ParseJWTRequest(req *Request) (*Verified, error) {
	return noCredentials(req.parseCall(func(r *C.countermark_request, out *C.countermark_verified, buf *C.uint8_t,
		n C.size_t, outN *C.size_t) C.countermark_result {
		return C.countermark_jwt_parse_request(r, out, buf, n, outN)
	}))
}

// VerifyJWT is phase two: verifies token with the first of keys that works (the one whose key id matches the
// header's first), then records its nonce. KeyIndex is the index of the key that verified.
func VerifyJWT(token string, keys []*VerifyingKey, policy *JWTPolicy) (*Verified, error) {
	var arr **C.countermark_verifying_key
	if len(keys) > 0 {
		block := C.malloc(C.size_t(len(keys)) * C.size_t(unsafe.Sizeof(uintptr(0))))
		defer C.free(block)
		ptrs := unsafe.Slice((**C.countermark_verifying_key)(block), len(keys))
		for i, k := range keys {
			ptrs[i] = k.p
		}
		arr = (**C.countermark_verifying_key)(block)
	}
	v, err := callVerified(func(out *C.countermark_verified, buf *C.uint8_t, n C.size_t, outN *C.size_t) C.countermark_result {
		return C.countermark_jwt_verify(strPtr(token), C.size_t(len(token)), arr, C.size_t(len(keys)), policy.p, out,
			buf, n, outN)
	})
	keepAlive(token, keys, policy)
	return v, err
}

// ------------------------------------------------------------------------------------------------- RFC 9421

// MessageSignerOptions are the optional settings of an RFC 9421 signer (zero values keep the defaults: label
// sig1, no components, created now, no expiry, the key's kid, no nonce, no tag, no alg parameter).
type MessageSignerOptions struct {
	Label        string
	Components   []string
	Created      *int64
	OmitCreated  bool
	Expires      *int64
	ExpiresIn    *time.Duration // nil: no expires parameter
	KeyID        string
	OmitKeyID    bool
	Nonce        string
	RandomNonces bool
	Tag          string
	IncludeAlg   bool
	Clock        *Clock
}

// MessageSigner signs requests and responses with RFC 9421. Safe for concurrent use.
type MessageSigner struct{ p *C.countermark_message_signer }

// NewMessageSigner builds a signer with an *HMACKey (hmac-sha256) or a *SigningKey with alg ("ed25519",
// "rsa-v1_5-sha256", "rsa-pss-sha512", "ecdsa-p256-sha256").
func NewMessageSigner(key any, alg string, o MessageSignerOptions) (*MessageSigner, error) {
	var b *C.countermark_message_signer_builder
	var err error
	switch k := key.(type) {
	case *HMACKey:
		err = check(C.countermark_message_signer_builder_new_hmac(k.p, &b))
	case *SigningKey:
		err = check(C.countermark_message_signer_builder_new_asymmetric(k.p, strPtr(alg), C.size_t(len(alg)), &b))
	default:
		return nil, &Error{Code: CodeInvalidParameter, Message: "key must be an *HMACKey or a *SigningKey"}
	}
	runtime.KeepAlive(key)
	if err != nil {
		return nil, err
	}
	defer C.countermark_message_signer_builder_free(b)
	steps := []func() C.countermark_result{}
	if o.Label != "" {
		steps = append(steps, func() C.countermark_result {
			return C.countermark_message_signer_builder_set_label(b, strPtr(o.Label), C.size_t(len(o.Label)))
		})
	}
	if len(o.Components) > 0 {
		steps = append(steps, func() C.countermark_result {
			arr, free := cstrs(o.Components)
			defer free()
			return C.countermark_message_signer_builder_set_components(b, arr, C.size_t(len(o.Components)))
		})
	}
	if o.Created != nil {
		steps = append(steps, func() C.countermark_result {
			return C.countermark_message_signer_builder_set_created(b, C.int64_t(*o.Created))
		})
	}
	if o.OmitCreated {
		steps = append(steps, func() C.countermark_result { return C.countermark_message_signer_builder_omit_created(b) })
	}
	if o.Expires != nil {
		steps = append(steps, func() C.countermark_result {
			return C.countermark_message_signer_builder_set_expires(b, C.int64_t(*o.Expires))
		})
	}
	if o.ExpiresIn != nil {
		if *o.ExpiresIn < 0 {
			return nil, &Error{Code: CodeInvalidValue, Message: "ExpiresIn is negative"}
		}
		steps = append(steps, func() C.countermark_result {
			return C.countermark_message_signer_builder_set_expires_in(b, C.uint64_t(*o.ExpiresIn/time.Second))
		})
	}
	if o.KeyID != "" {
		steps = append(steps, func() C.countermark_result {
			return C.countermark_message_signer_builder_set_key_id(b, strPtr(o.KeyID), C.size_t(len(o.KeyID)))
		})
	}
	if o.OmitKeyID {
		steps = append(steps, func() C.countermark_result { return C.countermark_message_signer_builder_omit_key_id(b) })
	}
	if o.Nonce != "" {
		steps = append(steps, func() C.countermark_result {
			return C.countermark_message_signer_builder_set_nonce(b, strPtr(o.Nonce), C.size_t(len(o.Nonce)))
		})
	}
	if o.RandomNonces {
		steps = append(steps, func() C.countermark_result { return C.countermark_message_signer_builder_random_nonces(b) })
	}
	if o.Tag != "" {
		steps = append(steps, func() C.countermark_result {
			return C.countermark_message_signer_builder_set_tag(b, strPtr(o.Tag), C.size_t(len(o.Tag)))
		})
	}
	if o.IncludeAlg {
		steps = append(steps, func() C.countermark_result { return C.countermark_message_signer_builder_include_alg(b, true) })
	}
	if o.Clock != nil {
		steps = append(steps, func() C.countermark_result {
			return C.countermark_message_signer_builder_set_clock(b, o.Clock.ptr())
		})
	}
	for _, step := range steps {
		if err := check(step()); err != nil {
			return nil, err
		}
	}
	var out *C.countermark_message_signer
	err = check(C.countermark_message_signer_builder_build(b, &out))
	keepAlive(o.Label, o.Components, o.KeyID, o.Nonce, o.Tag, o.Clock)
	if err != nil {
		return nil, err
	}
	s := &MessageSigner{p: out}
	runtime.SetFinalizer(s, (*MessageSigner).Close)
	return s, nil
}

// Sign signs req. Claims: Signature-Input and Signature (the header values to add), label, signature_params,
// signature_base.
func (s *MessageSigner) Sign(req *Request) (Claims, error) {
	c, err := req.claimsCall(func(r *C.countermark_request, h **C.countermark_claims) C.countermark_result {
		return C.countermark_message_signer_sign_request(s.p, r, h)
	})
	runtime.KeepAlive(s)
	return c, err
}

// SignResponse signs resp (components with ;req read resp.Request).
func (s *MessageSigner) SignResponse(resp *Response) (Claims, error) {
	cr, free, err := resp.cResponse()
	if err != nil {
		return nil, err
	}
	defer free()
	var h *C.countermark_claims
	err = check(C.countermark_message_signer_sign_response(s.p, cr, &h))
	keepAlive(s, resp)
	if err != nil {
		return nil, err
	}
	return takeClaims(h), nil
}

// Close releases the signer.
func (s *MessageSigner) Close() error {
	if s != nil && s.p != nil {
		C.countermark_message_signer_free(s.p)
		s.p = nil
	}
	return nil
}

// MessageVerifyingKey verifies RFC 9421 signatures.
type MessageVerifyingKey struct {
	p *C.countermark_message_verifying_key
}

func wrapMessageKey(out *C.countermark_message_verifying_key, err error) (*MessageVerifyingKey, error) {
	if err != nil {
		return nil, err
	}
	k := &MessageVerifyingKey{p: out}
	runtime.SetFinalizer(k, (*MessageVerifyingKey).Close)
	return k, nil
}

// NewHMACMessageKey verifies hmac-sha256 signatures with key.
func NewHMACMessageKey(key *HMACKey) (*MessageVerifyingKey, error) {
	var out *C.countermark_message_verifying_key
	err := check(C.countermark_message_verifying_key_new_hmac(key.p, &out))
	runtime.KeepAlive(key)
	return wrapMessageKey(out, err)
}

// NewPublicMessageKey verifies alg signatures with a public key.
func NewPublicMessageKey(key *VerifyingKey, alg string) (*MessageVerifyingKey, error) {
	var out *C.countermark_message_verifying_key
	err := check(C.countermark_message_verifying_key_new_public(key.p, strPtr(alg), C.size_t(len(alg)), &out))
	keepAlive(key, alg)
	return wrapMessageKey(out, err)
}

// Close releases the key.
func (k *MessageVerifyingKey) Close() error {
	if k != nil && k.p != nil {
		C.countermark_message_verifying_key_free(k.p)
		k.p = nil
	}
	return nil
}

// MessagePolicyOptions are the settings of an RFC 9421 policy; nil pointers, false and empty values keep the
// core's defaults (PolicyDefaults and MessagePolicy.Describe show them: a bounded skew and maximum age, created
// and keyid required, nonce optional, unknown parameters refused, the first signature, Content-Digest not
// checked, nonces single-use in a memory store of its own). Only what is set here reaches the core.
type MessagePolicyOptions struct {
	Clock              *Clock
	ClockSkew          *time.Duration
	MaxAge             *time.Duration
	NoMaxAge           bool // only expires bounds a signature's age
	RequireCreated     *bool
	RequireKeyID       *bool
	RequireNonce       *bool
	RequiredComponents []string
	AllowUnknownParams bool
	Label              string
	CheckContentDigest bool
	// RequireBodyDigest: a non-empty body must be covered (content-digest) and match its Content-Digest.
	RequireBodyDigest  bool
	NonceStore         *NonceStore
	RememberSignatures bool
}

// MessagePolicy is how RFC 9421 signatures are checked. Safe for concurrent use.
type MessagePolicy struct{ p *C.countermark_message_policy }

// NewMessagePolicy builds a policy.
func NewMessagePolicy(o MessagePolicyOptions) (*MessagePolicy, error) {
	var b *C.countermark_message_policy_builder
	if err := check(C.countermark_message_policy_builder_new(&b)); err != nil {
		return nil, err
	}
	defer C.countermark_message_policy_builder_free(b)
	steps := []func() C.countermark_result{
		func() C.countermark_result { return C.countermark_message_policy_builder_set_clock(b, o.Clock.ptr()) },
	}
	if o.AllowUnknownParams {
		steps = append(steps, func() C.countermark_result {
			return C.countermark_message_policy_builder_allow_unknown_params(b, C.bool(true))
		})
	}
	if o.CheckContentDigest {
		steps = append(steps, func() C.countermark_result {
			return C.countermark_message_policy_builder_check_content_digest(b, C.bool(true))
		})
	}
	if o.RequireBodyDigest {
		steps = append(steps, func() C.countermark_result {
			return C.countermark_message_policy_builder_require_body_digest(b, C.bool(true))
		})
	}
	if o.RememberSignatures {
		steps = append(steps, func() C.countermark_result {
			return C.countermark_message_policy_builder_remember_signatures(b, C.bool(true))
		})
	}
	skew, err := optSecs(o.ClockSkew)
	if err != nil {
		return nil, err
	}
	maxAge, err := optSecs(o.MaxAge)
	if err != nil {
		return nil, err
	}
	if skew != nil {
		steps = append(steps, func() C.countermark_result {
			return C.countermark_message_policy_builder_set_clock_skew(b, *skew)
		})
	}
	if maxAge != nil {
		steps = append(steps, func() C.countermark_result {
			return C.countermark_message_policy_builder_set_max_age(b, *maxAge)
		})
	}
	if o.NoMaxAge {
		steps = append(steps, func() C.countermark_result {
			return C.countermark_message_policy_builder_set_no_max_age(b)
		})
	}
	if o.RequireCreated != nil {
		steps = append(steps, func() C.countermark_result {
			return C.countermark_message_policy_builder_require_created(b, C.bool(*o.RequireCreated))
		})
	}
	if o.RequireKeyID != nil {
		steps = append(steps, func() C.countermark_result {
			return C.countermark_message_policy_builder_require_key_id(b, C.bool(*o.RequireKeyID))
		})
	}
	if o.RequireNonce != nil {
		steps = append(steps, func() C.countermark_result {
			return C.countermark_message_policy_builder_require_nonce(b, C.bool(*o.RequireNonce))
		})
	}
	if len(o.RequiredComponents) > 0 {
		steps = append(steps, func() C.countermark_result {
			arr, free := cstrs(o.RequiredComponents)
			defer free()
			return C.countermark_message_policy_builder_set_required_components(b, arr, C.size_t(len(o.RequiredComponents)))
		})
	}
	if o.Label != "" {
		steps = append(steps, func() C.countermark_result {
			return C.countermark_message_policy_builder_set_label(b, strPtr(o.Label), C.size_t(len(o.Label)))
		})
	}
	if o.NonceStore != nil {
		steps = append(steps, func() C.countermark_result {
			return C.countermark_message_policy_builder_set_nonce_store(b, o.NonceStore.ptr())
		})
	}
	for _, step := range steps {
		if err := check(step()); err != nil {
			return nil, err
		}
	}
	var out *C.countermark_message_policy
	err = check(C.countermark_message_policy_builder_build(b, &out))
	keepAlive(o.Clock, o.NonceStore, o.Label, o.RequiredComponents)
	if err != nil {
		return nil, err
	}
	p := &MessagePolicy{p: out}
	runtime.SetFinalizer(p, (*MessagePolicy).Close)
	return p, nil
}

// Close releases the policy.
func (p *MessagePolicy) Close() error {
	if p != nil && p.p != nil {
		C.countermark_message_policy_free(p.p)
		p.p = nil
	}
	return nil
}

// ParseMessageSignature is phase one: the parameters of the signature label ("" for the first) and its covered
// components (Items). (nil, nil) without Signature-Input and Signature headers.
func ParseMessageSignature(req *Request, label string) (*Verified, error) {
	v, err := noCredentials(req.parseCall(func(r *C.countermark_request, out *C.countermark_verified,
		buf *C.uint8_t, n C.size_t, outN *C.size_t) C.countermark_result {
		return C.countermark_message_signature_parse(r, strPtr(label), C.size_t(len(label)), out, buf, n, outN)
	}))
	runtime.KeepAlive(label)
	return v, err
}

// VerifyMessageSignature is phase two: verifies req's signature with key under policy, then records its nonce.
// One cgo call reads the request and returns the whole result.
func VerifyMessageSignature(req *Request, key *MessageVerifyingKey, policy *MessagePolicy) (*Verified, error) {
	v, err := req.verifyParts(func(p *C.countermark_request_parts, out *C.countermark_verified, buf *C.uint8_t,
		n C.size_t, outN *C.size_t) C.countermark_result {
		return C.countermark_message_signature_verify_parts(p, key.p, policy.p, out, buf, n, outN)
	})
	keepAlive(key, policy)
	return v, err
}

// VerifyResponseSignature verifies a response's signature.
func VerifyResponseSignature(resp *Response, key *MessageVerifyingKey, policy *MessagePolicy) (*Verified, error) {
	cr, free, err := resp.cResponse()
	if err != nil {
		return nil, err
	}
	defer free()
	v, err := callVerified(func(out *C.countermark_verified, buf *C.uint8_t, n C.size_t, outN *C.size_t) C.countermark_result {
		return C.countermark_message_signature_verify_response(cr, key.p, policy.p, out, buf, n, outN)
	})
	keepAlive(resp, key, policy)
	return v, err
}

// ContentDigest is the RFC 9530 Content-Digest value of body; algs "" means "sha-256" (else a
// comma-separated list of sha-256, sha-512).
func ContentDigest(body []byte, algs string) (string, error) {
	var b C.countermark_bytes
	err := check(C.countermark_content_digest(ptrOf(body), C.size_t(len(body)), strPtr(algs), C.size_t(len(algs)), &b))
	keepAlive(body, algs)
	if err != nil {
		return "", err
	}
	return string(takeBytes(&b)), nil
}

// VerifyContentDigest checks a Content-Digest value against body (ErrBadSignature on a mismatch).
func VerifyContentDigest(value string, body []byte) error {
	err := check(C.countermark_content_digest_verify(strPtr(value), C.size_t(len(value)), ptrOf(body), C.size_t(len(body))))
	keepAlive(value, body)
	return err
}

// ParseResponseSignature is ParseMessageSignature for a response.
func ParseResponseSignature(resp *Response, label string) (*Verified, error) {
	cr, free, err := resp.cResponse()
	if err != nil {
		return nil, err
	}
	defer free()
	v, err := noCredentials(callVerified(func(out *C.countermark_verified, buf *C.uint8_t, n C.size_t,
		outN *C.size_t) C.countermark_result {
		return C.countermark_message_signature_parse_response(cr, strPtr(label), C.size_t(len(label)), out, buf, n,
			outN)
	}))
	keepAlive(resp, label)
	return v, err
}
