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

// NewFostSigner needs an HMAC-SHA1 key (NewLegacyHMACKey("sha1", ...) for short secrets).
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

// FostPolicy is how FOST requests and URLs are checked: the clock, the allowed skew (the reference's 300 s),
// and optionally a store that makes each signature single-use.
type FostPolicy struct{ p *C.countermark_fost_policy }

// NewFostPolicy builds a policy; seen nil accepts a valid request as often as it comes within the skew.
func NewFostPolicy(clock *Clock, maxSkew time.Duration, seen *NonceStore) (*FostPolicy, error) {
	var out *C.countermark_fost_policy
	err := check(C.countermark_fost_policy_new(clock.ptr(), C.uint64_t(maxSkew/time.Second), seen.ptr(), &out))
	keepAlive(clock, seen)
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

// ParseFost is phase one: the claimed key, user and timestamp (untrusted). ErrNoCredentials without a FOST
// header.
func ParseFost(req *Request) (Claims, error) {
	return req.claimsCall(func(r *C.countermark_request, h **C.countermark_claims) C.countermark_result {
		return C.countermark_fost_parse(r, h)
	})
}

// VerifyFost is phase two: verifies with key (the secret of the claimed key id) under policy.
func VerifyFost(req *Request, key *HMACKey, policy *FostPolicy) (Claims, error) {
	c, err := req.claimsCall(func(r *C.countermark_request, h **C.countermark_claims) C.countermark_result {
		return C.countermark_fost_verify(r, key.p, policy.p, h)
	})
	keepAlive(key, policy)
	return c, err
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

// ParseFostURL is phase one for a FOST-signed URL (the request's target): the claimed key and expiry.
func ParseFostURL(req *Request) (Claims, error) {
	return req.claimsCall(func(r *C.countermark_request, h **C.countermark_claims) C.countermark_result {
		return C.countermark_fost_url_parse(r, h)
	})
}

// VerifyFostURL is phase two for a FOST-signed URL.
func VerifyFostURL(req *Request, key *HMACKey, policy *FostPolicy) (Claims, error) {
	c, err := req.claimsCall(func(r *C.countermark_request, h **C.countermark_claims) C.countermark_result {
		return C.countermark_fost_url_verify(r, key.p, policy.p, h)
	})
	keepAlive(key, policy)
	return c, err
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

// HMACHeaderSigner signs requests with "HMAC-SHA256 api_key;signature;utc" (alg sha256, sha384 or sha512).
type HMACHeaderSigner struct {
	p *C.countermark_hmac_header_signer
}

// NewHMACHeaderSigner builds a signer for apiKey.
func NewHMACHeaderSigner(apiKey string, secret *APISecret, alg string, clock *Clock) (*HMACHeaderSigner, error) {
	var out *C.countermark_hmac_header_signer
	err := check(C.countermark_hmac_header_signer_new(strPtr(apiKey), C.size_t(len(apiKey)), secret.p, strPtr(alg),
		C.size_t(len(alg)), clock.ptr(), &out))
	keepAlive(apiKey, secret, alg, clock)
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

// HMACHeaderPolicy is how HMAC-header requests are checked (timeout: the reference's 5 s).
type HMACHeaderPolicy struct {
	p *C.countermark_hmac_header_policy
}

// NewHMACHeaderPolicy builds a policy; seen nil accepts a request as often as it comes within the timeout.
func NewHMACHeaderPolicy(clock *Clock, timeout time.Duration, seen *NonceStore) (*HMACHeaderPolicy, error) {
	var out *C.countermark_hmac_header_policy
	err := check(C.countermark_hmac_header_policy_new(clock.ptr(), C.uint64_t(timeout/time.Second), seen.ptr(), &out))
	keepAlive(clock, seen)
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

// ParseHMACHeader is phase one: api_key, algorithm, timestamp (untrusted).
func ParseHMACHeader(req *Request) (Claims, error) {
	return req.claimsCall(func(r *C.countermark_request, h **C.countermark_claims) C.countermark_result {
		return C.countermark_hmac_header_parse(r, h)
	})
}

// VerifyHMACHeader is phase two, with the claimed API key's secret.
func VerifyHMACHeader(req *Request, secret *APISecret, policy *HMACHeaderPolicy) (Claims, error) {
	c, err := req.claimsCall(func(r *C.countermark_request, h **C.countermark_claims) C.countermark_result {
		return C.countermark_hmac_header_verify(r, secret.p, policy.p, h)
	})
	keepAlive(secret, policy)
	return c, err
}
