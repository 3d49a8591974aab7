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

// JWTPolicy is how JWTs are checked: clock, tolerance (the reference's 20 s), and the store of used nonces
// (nil: a memory store of the policy's own). Safe for concurrent use.
type JWTPolicy struct{ p *C.countermark_jwt_policy }

// NewJWTPolicy builds a policy.
func NewJWTPolicy(clock *Clock, tolerance time.Duration, nonces *NonceStore) (*JWTPolicy, error) {
	var out *C.countermark_jwt_policy
	err := check(C.countermark_jwt_policy_new(clock.ptr(), C.uint64_t(tolerance/time.Second), nonces.ptr(), &out))
	keepAlive(clock, nonces)
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

// ParseJWT is phase one: username, time, nonce, kid, alg (untrusted).
func ParseJWT(token string) (Claims, error) {
	var h *C.countermark_claims
	err := check(C.countermark_jwt_parse(strPtr(token), C.size_t(len(token)), &h))
	runtime.KeepAlive(token)
	if err != nil {
		return nil, err
	}
	return takeClaims(h), nil
}

// ParseJWTRequest is ParseJWT on the request's "Authorization: JWT <token>" header (claim "token" holds it).
func ParseJWTRequest(req *Request) (Claims, error) {
	return req.claimsCall(func(r *C.countermark_request, h **C.countermark_claims) C.countermark_result {
		return C.countermark_jwt_parse_request(r, h)
	})
}

// VerifyJWT is phase two: verifies token with the first of keys that works (the one whose kid matches the
// header's first), then records its nonce. Claims: username, time, nonce, kid, alg, key_index.
func VerifyJWT(token string, keys []*VerifyingKey, policy *JWTPolicy) (Claims, error) {
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
	var h *C.countermark_claims
	err := check(C.countermark_jwt_verify(strPtr(token), C.size_t(len(token)), arr, C.size_t(len(keys)), policy.p, &h))
	keepAlive(token, keys, policy)
	if err != nil {
		return nil, err
	}
	return takeClaims(h), nil
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
	ExpiresIn    time.Duration
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
	if o.ExpiresIn > 0 {
		steps = append(steps, func() C.countermark_result {
			return C.countermark_message_signer_builder_set_expires_in(b, C.uint64_t(o.ExpiresIn/time.Second))
		})
	}
	if o.KeyID != "" {
		steps = append(steps, func() C.countermark_result {
			return C.countermark_message_signer_builder_set_keyid(b, strPtr(o.KeyID), C.size_t(len(o.KeyID)))
		})
	}
	if o.OmitKeyID {
		steps = append(steps, func() C.countermark_result { return C.countermark_message_signer_builder_omit_keyid(b) })
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
	MaxSkew            *time.Duration
	MaxAge             *time.Duration // negative: no maximum age
	RequireCreated     *bool
	RequireKeyID       *bool
	RequireNonce       *bool
	RequiredComponents []string
	AllowUnknownParams bool
	Label              string
	CheckContentDigest bool
	Nonces             *NonceStore
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
	if o.RememberSignatures {
		steps = append(steps, func() C.countermark_result {
			return C.countermark_message_policy_builder_remember_signatures(b, C.bool(true))
		})
	}
	if o.MaxSkew != nil {
		steps = append(steps, func() C.countermark_result {
			return C.countermark_message_policy_builder_set_max_skew(b, C.uint64_t(*o.MaxSkew/time.Second))
		})
	}
	if o.MaxAge != nil {
		steps = append(steps, func() C.countermark_result {
			secs := int64(-1)
			if *o.MaxAge >= 0 {
				secs = int64(*o.MaxAge / time.Second)
			}
			return C.countermark_message_policy_builder_set_max_age(b, C.int64_t(secs))
		})
	}
	if o.RequireCreated != nil {
		steps = append(steps, func() C.countermark_result {
			return C.countermark_message_policy_builder_require_created(b, C.bool(*o.RequireCreated))
		})
	}
	if o.RequireKeyID != nil {
		steps = append(steps, func() C.countermark_result {
			return C.countermark_message_policy_builder_require_keyid(b, C.bool(*o.RequireKeyID))
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
	if o.Nonces != nil {
		steps = append(steps, func() C.countermark_result {
			return C.countermark_message_policy_builder_set_nonce_store(b, o.Nonces.ptr())
		})
	}
	for _, step := range steps {
		if err := check(step()); err != nil {
			return nil, err
		}
	}
	var out *C.countermark_message_policy
	err := check(C.countermark_message_policy_builder_build(b, &out))
	keepAlive(o.Clock, o.Nonces, o.Label, o.RequiredComponents)
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

// ParseMessageSignature is phase one: the parameters of the signature label ("" for the first).
func ParseMessageSignature(req *Request, label string) (Claims, error) {
	c, err := req.claimsCall(func(r *C.countermark_request, h **C.countermark_claims) C.countermark_result {
		return C.countermark_message_signature_parse(r, strPtr(label), C.size_t(len(label)), h)
	})
	runtime.KeepAlive(label)
	return c, err
}

// VerifyMessageSignature is phase two: verifies req's signature with key under policy, then records its nonce.
func VerifyMessageSignature(req *Request, key *MessageVerifyingKey, policy *MessagePolicy) (Claims, error) {
	c, err := req.claimsCall(func(r *C.countermark_request, h **C.countermark_claims) C.countermark_result {
		return C.countermark_message_signature_verify(r, key.p, policy.p, h)
	})
	keepAlive(key, policy)
	return c, err
}

// VerifyResponseSignature verifies a response's signature.
func VerifyResponseSignature(resp *Response, key *MessageVerifyingKey, policy *MessagePolicy) (Claims, error) {
	cr, free, err := resp.cResponse()
	if err != nil {
		return nil, err
	}
	defer free()
	var h *C.countermark_claims
	err = check(C.countermark_message_signature_verify_response(cr, key.p, policy.p, &h))
	keepAlive(resp, key, policy)
	if err != nil {
		return nil, err
	}
	return takeClaims(h), nil
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
func ParseResponseSignature(resp *Response, label string) (Claims, error) {
	cr, free, err := resp.cResponse()
	if err != nil {
		return nil, err
	}
	defer free()
	var h *C.countermark_claims
	err = check(C.countermark_message_signature_parse_response(cr, strPtr(label), C.size_t(len(label)), &h))
	keepAlive(resp, label)
	if err != nil {
		return nil, err
	}
	return takeClaims(h), nil
}
