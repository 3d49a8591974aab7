package countermark

// #include "countermark.h"
import "C"

import (
	"runtime"
	"time"
)

// ---------------------------------------------------------------------------------------------------- FOST

// FostSigner signs requests with the FOST scheme (HMAC-SHA1) as key id keyID. Safe for concurrent use.
type FostSigner struct{ p *C.countermark_fost_signer }

// NewFostSigner needs an HMAC-SHA1 key (NewLegacyHMACKey("hmac-sha1", ...) for short secrets).
func NewFostSigner(keyID string, key *HMACKey, clock *Clock) (*FostSigner, error) {
	var out *C.countermark_fost_signer
	err := check(C.countermark_fost_signer_new(strPtr(keyID), C.size_t(len(keyID)), key.p, clock.ptr(), &out))
	keepAlive(keyID, key, clock)
	if err != nil {
		return nil, err
	}
	s := &FostSigner{p: out}
	runtime.SetFinalizer(s, (*FostSigner).Close)
	return s, nil
}

// Sign signs req covering the named headers; timestamp "" means now. The claims hold the header lines to add
// (Authorization, X-FOST-Timestamp, X-FOST-Headers), then signature and document.
func (s *FostSigner) Sign(req *Request, headers []string, timestamp string) (Claims, error) {
	arr, free := cstrs(headers)
	defer free()
	c, err := req.claimsCall(func(r *C.countermark_request, h **C.countermark_claims) C.countermark_result {
		return C.countermark_fost_signer_sign(s.p, r, arr, C.size_t(len(headers)), strPtr(timestamp),
			C.size_t(len(timestamp)), h)
	})
	keepAlive(s, timestamp)
	return c, err
}

// Close releases the signer.
func (s *FostSigner) Close() error {
	if s != nil && s.p != nil {
		C.countermark_fost_signer_free(s.p)
		s.p = nil
	}
	return nil
}

// FostPolicy is how FOST requests and URLs are checked: the clock, the clock skew, and optionally a nonce store
// that makes each signature single-use.
type FostPolicy struct{ p *C.countermark_fost_policy }

// FostPolicyOptions are a FOST policy's settings; unset (nil) values keep the core's defaults.
type FostPolicyOptions struct {
	Clock *Clock
	// ClockSkew is how far a timestamp may be from the clock, either side (nil: DefaultFostClockSkew).
	ClockSkew *time.Duration
	// NonceStore makes each signature single-use (nil: a valid request is accepted as often as it comes).
	NonceStore *NonceStore
}

// NewFostPolicy builds a policy from o.
func NewFostPolicy(o FostPolicyOptions) (*FostPolicy, error) {
	skew, err := optSecs(o.ClockSkew)
	if err != nil {
		return nil, err
	}
	var out *C.countermark_fost_policy
	err = check(C.countermark_fost_policy_new(o.Clock.ptr(), skew, o.NonceStore.ptr(), &out))
	keepAlive(o.Clock, o.NonceStore)
	if err != nil {
		return nil, err
	}
	p := &FostPolicy{p: out}
	runtime.SetFinalizer(p, (*FostPolicy).Close)
	return p, nil
}

// Close releases the policy.
func (p *FostPolicy) Close() error {
	if p != nil && p.p != nil {
		C.countermark_fost_policy_free(p.p)
		p.p = nil
	}
	return nil
}

// ParseFost is phase one: the claimed KeyID, User, Created and signed headers (untrusted). (nil, nil) without
// a FOST Authorization header; ErrMalformed for a broken one.
func ParseFost(req *Request) (*Verified, error) {
	return noCredentials(req.parseCall(func(r *C.countermark_request, out *C.countermark_verified, buf *C.uint8_t,
		n C.size_t, outN *C.size_t) C.countermark_result {
		return C.countermark_fost_parse(r, out, buf, n, outN)
	}))
}

// VerifyFost is phase two: verifies with key (the secret of the claimed key id) under policy (one cgo call).
func VerifyFost(req *Request, key *HMACKey, policy *FostPolicy) (*Verified, error) {
	v, err := req.verifyParts(func(p *C.countermark_request_parts, out *C.countermark_verified, buf *C.uint8_t,
		n C.size_t, outN *C.size_t) C.countermark_result {
		return C.countermark_fost_verify_parts(p, key.p, policy.p, out, buf, n, outN)
	})
	keepAlive(key, policy)
	return v, err
}

// FostURLSigner signs URLs with FOST's _k/_e/_s parameters.
type FostURLSigner struct {
	p *C.countermark_fost_url_signer
}

// NewFostURLSigner needs an HMAC-SHA1 key.
func NewFostURLSigner(keyID string, key *HMACKey) (*FostURLSigner, error) {
	var out *C.countermark_fost_url_signer
	err := check(C.countermark_fost_url_signer_new(strPtr(keyID), C.size_t(len(keyID)), key.p, &out))
	keepAlive(keyID, key)
	if err != nil {
		return nil, err
	}
	s := &FostURLSigner{p: out}
	runtime.SetFinalizer(s, (*FostURLSigner).Close)
	return s, nil
}

// Sign signs url, expiring at expires (Unix seconds) unless it is nil. Claims: url, document, signature.
func (s *FostURLSigner) Sign(url string, expires *int64) (Claims, error) {
	var has C.bool
	var at int64
	if expires != nil {
		has, at = true, *expires
	}
	var h *C.countermark_claims
	err := check(C.countermark_fost_url_signer_sign(s.p, strPtr(url), C.size_t(len(url)), has, C.int64_t(at), &h))
	keepAlive(s, url)
	if err != nil {
		return nil, err
	}
	return takeClaims(h), nil
}

// Close releases the signer.
func (s *FostURLSigner) Close() error {
	if s != nil && s.p != nil {
		C.countermark_fost_url_signer_free(s.p)
		s.p = nil
	}
	return nil
}

// ParseFostURL is phase one for a FOST-signed URL (the request's target): the claimed KeyID and Expires.
// (nil, nil) when the URL is not FOST-signed.
func ParseFostURL(req *Request) (*Verified, error) {
	return noCredentials(req.parseCall(func(r *C.countermark_request, out *C.countermark_verified, buf *C.uint8_t,
		n C.size_t, outN *C.size_t) C.countermark_result {
		return C.countermark_fost_url_parse(r, out, buf, n, outN)
	}))
}

// VerifyFostURL is phase two for a FOST-signed URL.
func VerifyFostURL(req *Request, key *HMACKey, policy *FostPolicy) (*Verified, error) {
	v, err := req.verifyParts(func(p *C.countermark_request_parts, out *C.countermark_verified, buf *C.uint8_t,
		n C.size_t, outN *C.size_t) C.countermark_result {
		return C.countermark_fost_url_verify_parts(p, key.p, policy.p, out, buf, n, outN)
	})
	keepAlive(key, policy)
	return v, err
}

// ---------------------------------------------------------------------------------------------- HMAC header

// APISecret is the secret of an HMAC-header API key. Safe for concurrent use.
type APISecret struct{ p *C.countermark_api_secret }

func wrapSecret(out *C.countermark_api_secret, err error) (*APISecret, error) {
	if err != nil {
		return nil, err
	}
	s := &APISecret{p: out}
	runtime.SetFinalizer(s, (*APISecret).Close)
	return s, nil
}

// APISecretFromBase64 reads a secret as django-hmac-authentication hands it to clients.
func APISecretFromBase64(b64 string) (*APISecret, error) {
	var out *C.countermark_api_secret
	err := check(C.countermark_api_secret_new_base64(strPtr(b64), C.size_t(len(b64)), &out))
	runtime.KeepAlive(b64)
	return wrapSecret(out, err)
}

// GenerateAPISecret makes a fresh random secret.
func GenerateAPISecret() (*APISecret, error) {
	var out *C.countermark_api_secret
	return wrapSecret(out, check(C.countermark_api_secret_generate(&out)))
}

// DecryptLegacyAPISecret decrypts a secret stored by django-hmac-authentication.
func DecryptLegacyAPISecret(cipher string, password, salt, ciphertext []byte) (*APISecret, error) {
	var out *C.countermark_api_secret
	err := check(C.countermark_api_secret_decrypt_legacy(strPtr(cipher), C.size_t(len(cipher)), ptrOf(password),
		C.size_t(len(password)), ptrOf(salt), C.size_t(len(salt)), ptrOf(ciphertext), C.size_t(len(ciphertext)), &out))
	keepAlive(cipher, password, salt, ciphertext)
	return wrapSecret(out, err)
}

// Base64 returns the secret as base64 text (to show it once to its owner).
func (s *APISecret) Base64() (string, error) {
	var b C.countermark_bytes
	err := check(C.countermark_api_secret_to_base64(s.p, &b))
	runtime.KeepAlive(s)
	if err != nil {
		return "", err
	}
	return string(takeBytes(&b)), nil
}

// Close releases the secret (wiped when the last user goes).
func (s *APISecret) Close() error {
	if s != nil && s.p != nil {
		C.countermark_api_secret_free(s.p)
		s.p = nil
	}
	return nil
}

// HMACHeaderSigner signs requests with "HMAC-SHA256 key_id;signature;utc" (algorithm hmac-sha256, hmac-sha384
// or hmac-sha512).
type HMACHeaderSigner struct {
	p *C.countermark_hmac_header_signer
}

// NewHMACHeaderSigner builds a signer for the API key keyID.
func NewHMACHeaderSigner(keyID string, secret *APISecret, algorithm string, clock *Clock) (*HMACHeaderSigner, error) {
	var out *C.countermark_hmac_header_signer
	err := check(C.countermark_hmac_header_signer_new(strPtr(keyID), C.size_t(len(keyID)), secret.p,
		strPtr(algorithm), C.size_t(len(algorithm)), clock.ptr(), &out))
	keepAlive(keyID, secret, algorithm, clock)
	if err != nil {
		return nil, err
	}
	s := &HMACHeaderSigner{p: out}
	runtime.SetFinalizer(s, (*HMACHeaderSigner).Close)
	return s, nil
}

// Sign signs req's body; timestamp "" means now. Claims: Authorization, signature, string_to_sign.
func (s *HMACHeaderSigner) Sign(req *Request, timestamp string) (Claims, error) {
	c, err := req.claimsCall(func(r *C.countermark_request, h **C.countermark_claims) C.countermark_result {
		return C.countermark_hmac_header_signer_sign(s.p, r, strPtr(timestamp), C.size_t(len(timestamp)), h)
	})
	keepAlive(s, timestamp)
	return c, err
}

// Close releases the signer.
func (s *HMACHeaderSigner) Close() error {
	if s != nil && s.p != nil {
		C.countermark_hmac_header_signer_free(s.p)
		s.p = nil
	}
	return nil
}

// HMACHeaderPolicy is how HMAC-header requests are checked.
type HMACHeaderPolicy struct {
	p *C.countermark_hmac_header_policy
}

// HMACHeaderPolicyOptions are an HMAC-header policy's settings; unset (nil) values keep the core's defaults.
type HMACHeaderPolicyOptions struct {
	Clock *Clock
	// MaxAge is how old a request may be (nil: DefaultHMACHeaderMaxAge).
	MaxAge *time.Duration
	// NonceStore makes each signature single-use (nil: a valid request is accepted as often as it comes).
	NonceStore *NonceStore
}

// NewHMACHeaderPolicy builds a policy from o.
func NewHMACHeaderPolicy(o HMACHeaderPolicyOptions) (*HMACHeaderPolicy, error) {
	maxAge, err := optSecs(o.MaxAge)
	if err != nil {
		return nil, err
	}
	var out *C.countermark_hmac_header_policy
	err = check(C.countermark_hmac_header_policy_new(o.Clock.ptr(), maxAge, o.NonceStore.ptr(), &out))
	keepAlive(o.Clock, o.NonceStore)
	if err != nil {
		return nil, err
	}
	p := &HMACHeaderPolicy{p: out}
	runtime.SetFinalizer(p, (*HMACHeaderPolicy).Close)
	return p, nil
}

// Close releases the policy.
func (p *HMACHeaderPolicy) Close() error {
	if p != nil && p.p != nil {
		C.countermark_hmac_header_policy_free(p.p)
		p.p = nil
	}
	return nil
}

// ParseHMACHeader is phase one: KeyID, Algorithm, Created (untrusted). (nil, nil) without an HMAC-SHA*
// Authorization header; ErrMalformed for a broken one.
func ParseHMACHeader(req *Request) (*Verified, error) {
	return noCredentials(req.parseCall(func(r *C.countermark_request, out *C.countermark_verified, buf *C.uint8_t,
		n C.size_t, outN *C.size_t) C.countermark_result {
		return C.countermark_hmac_header_parse(r, out, buf, n, outN)
	}))
}

// VerifyHMACHeader is phase two, with the claimed key id's secret.
func VerifyHMACHeader(req *Request, secret *APISecret, policy *HMACHeaderPolicy) (*Verified, error) {
	v, err := req.verifyParts(func(p *C.countermark_request_parts, out *C.countermark_verified, buf *C.uint8_t,
		n C.size_t, outN *C.size_t) C.countermark_result {
		return C.countermark_hmac_header_verify_parts(p, secret.p, policy.p, out, buf, n, outN)
	})
	keepAlive(secret, policy)
	return v, err
}
