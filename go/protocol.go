package countermark

// #include "countermark.h"
import "C"

import "runtime"

// Decisions the core makes once for every front door: the key each scheme derives from one API secret, strict
// reading of a client's secret, the default RFC 9421 coverage and algorithm, decoy keys.

// APISecretFromBase64Strict reads a client's copy of an API secret strictly: standard base64, padded,
// canonical, nothing around it (no whitespace or line break), 16 to 1024 bytes once decoded; ErrInvalidKey
// otherwise. (APISecretFromBase64 is the server's lenient reader, which trims surrounding whitespace.)
func APISecretFromBase64Strict(b64 string) (*APISecret, error) {
	var out *C.countermark_api_secret
	err := check(C.countermark_api_secret_new_base64_strict(strPtr(b64), C.size_t(len(b64)), &out))
	runtime.KeepAlive(b64)
	return wrapSecret(out, err)
}

func wrapHMACKey(out *C.countermark_hmac_key, err error) (*HMACKey, error) {
	if err != nil {
		return nil, err
	}
	k := &HMACKey{p: out}
	runtime.SetFinalizer(k, (*HMACKey).Close)
	return k, nil
}

// FostKey is the HMAC-SHA1 key FOST signs and verifies with for this secret: keyed with its base64 text, as
// django-fost-authn deployments store it.
func (s *APISecret) FostKey() (*HMACKey, error) {
	var out *C.countermark_hmac_key
	err := check(C.countermark_api_secret_fost_key(s.p, &out))
	runtime.KeepAlive(s)
	return wrapHMACKey(out, err)
}

// MessageSignatureKey is the hmac-sha256 key RFC 9421 message signatures use for this secret: its decoded bytes.
func (s *APISecret) MessageSignatureKey() (*HMACKey, error) {
	var out *C.countermark_hmac_key
	err := check(C.countermark_api_secret_message_signature_key(s.p, &out))
	runtime.KeepAlive(s)
	return wrapHMACKey(out, err)
}

// SignWithDefaultCoverage signs req over its default coverage, replacing the signer's components: @method
// @authority @path, @query when the target has a "?", and content-digest when the body is not empty, with the
// Content-Digest (sha-256) of the body, replacing any req has (the core's rule). Claims: Content-Digest (for a
// non-empty body: send req with it in place of any it had), then those of Sign. req itself is not changed.
func (s *MessageSigner) SignWithDefaultCoverage(req *Request) (Claims, error) {
	c, err := req.claimsCall(func(r *C.countermark_request, h **C.countermark_claims) C.countermark_result {
		return C.countermark_message_signer_sign_request_default_coverage(s.p, r, h)
	})
	runtime.KeepAlive(s)
	return c, err
}

// NewDefaultPublicMessageKey verifies signatures with a public key under its default RFC 9421 algorithm:
// ed25519 for Ed25519, rsa-pss-sha512 for RSA, ecdsa-p256-sha256 for P-256 (the first of these the key
// allows; ErrUnsupportedAlgorithm when it allows none).
func NewDefaultPublicMessageKey(key *VerifyingKey) (*MessageVerifyingKey, error) {
	var out *C.countermark_message_verifying_key
	err := check(C.countermark_message_verifying_key_new_public_default(key.p, &out))
	runtime.KeepAlive(key)
	return wrapMessageKey(out, err)
}

// DecoyVerifyingKey is a fresh public key of keyType ("ed25519" or "ecdsa-p256") whose private half was thrown
// away: verify against it when a credential names an unknown key id or user, so the refusal costs what a
// known key's does. ErrUnsupportedAlgorithm for "rsa", ErrInvalidValue for an unknown type.
func DecoyVerifyingKey(keyType string) (*VerifyingKey, error) {
	var out *C.countermark_verifying_key
	err := check(C.countermark_verifying_key_decoy(strPtr(keyType), C.size_t(len(keyType)), &out))
	runtime.KeepAlive(keyType)
	return wrapVerifyingKey(out, err)
}
