package countermark

// #include "countermark.h"
import "C"

import (
	"runtime"
	"time"
)

// Clock is a time source for signers and policies. A nil *Clock everywhere means the system clock.
// Immutable; safe for concurrent use.
type Clock struct{ p *C.countermark_clock }

// FixedClock is a clock stopped at t (for tests and for verifying recorded traffic).
func FixedClock(t time.Time) (*Clock, error) {
	var out *C.countermark_clock
	if err := check(C.countermark_clock_new_fixed(C.int64_t(t.Unix()), C.uint32_t(t.Nanosecond()), &out)); err != nil {
		return nil, err
	}
	c := &Clock{p: out}
	runtime.SetFinalizer(c, (*Clock).Close)
	return c, nil
}

// Now is the clock's time in whole Unix seconds.
func (c *Clock) Now() int64 {
	defer runtime.KeepAlive(c)
	return int64(C.countermark_clock_now(c.ptr()))
}

func (c *Clock) ptr() *C.countermark_clock {
	if c == nil {
		return nil
	}
	return c.p
}

// Close releases the clock; later calls are no-ops.
func (c *Clock) Close() error {
	if c != nil && c.p != nil {
		C.countermark_clock_free(c.p)
		c.p = nil
	}
	return nil
}

// HMACKey is an HMAC key bound to one algorithm, in the one spelling ("hmac-sha256", "hmac-sha1", "hmac-sha224",
// "hmac-sha384", "hmac-sha512", "hmac-blake2s", "hmac-blake2b", or "hmac-md5": legacy, only for links of ska's
// HMACMD5Signature, never a default). The library keeps its own copy of the secret and wipes it when the last user goes.
// Immutable; safe for concurrent use.
type HMACKey struct{ p *C.countermark_hmac_key }

func newHMACKey(legacy bool, alg string, secret []byte, kid string) (*HMACKey, error) {
	var out *C.countermark_hmac_key
	var rc C.countermark_result
	if legacy {
		rc = C.countermark_hmac_key_new_legacy(strPtr(alg), C.size_t(len(alg)), ptrOf(secret), C.size_t(len(secret)),
			strPtr(kid), C.size_t(len(kid)), &out)
	} else {
		rc = C.countermark_hmac_key_new(strPtr(alg), C.size_t(len(alg)), ptrOf(secret), C.size_t(len(secret)),
			strPtr(kid), C.size_t(len(kid)), &out)
	}
	runtime.KeepAlive(secret)
	if err := check(rc); err != nil {
		return nil, err
	}
	k := &HMACKey{p: out}
	runtime.SetFinalizer(k, (*HMACKey).Close)
	return k, nil
}

// NewHMACKey builds a key from a secret of 16 to 1024 bytes; keyID ("" for none) names it in key rings.
func NewHMACKey(algorithm string, secret []byte, keyID string) (*HMACKey, error) {
	return newHMACKey(false, algorithm, secret, keyID)
}

// NewLegacyHMACKey also accepts the 1 to 15 byte secrets of existing ska, FOST and handshake deployments.
func NewLegacyHMACKey(alg string, secret []byte, kid string) (*HMACKey, error) {
	return newHMACKey(true, alg, secret, kid)
}

// Sign returns the MAC of msg.
func (k *HMACKey) Sign(msg []byte) ([]byte, error) {
	var tag [C.COUNTERMARK_MAX_TAG_LEN]byte
	var n C.size_t
	err := check(C.countermark_hmac_key_sign(k.p, ptrOf(msg), C.size_t(len(msg)), ptrOf(tag[:]), C.size_t(len(tag)), &n))
	keepAlive(k, msg)
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), tag[:n]...), nil
}

// Verify checks in constant time that tag is the MAC of msg (ErrBadSignature otherwise).
func (k *HMACKey) Verify(msg, tag []byte) error {
	err := check(C.countermark_hmac_key_verify(k.p, ptrOf(msg), C.size_t(len(msg)), ptrOf(tag), C.size_t(len(tag))))
	keepAlive(k, msg, tag)
	return err
}

// Close releases this reference to the key.
func (k *HMACKey) Close() error {
	if k != nil && k.p != nil {
		C.countermark_hmac_key_free(k.p)
		k.p = nil
	}
	return nil
}

// KeyRing holds the primary key that signs and older keys that still verify. Immutable; safe for concurrent use.
type KeyRing struct{ p *C.countermark_key_ring }

// NewKeyRing builds a ring: primary signs; verifyOnly keys (with distinct kids) still verify.
func NewKeyRing(primary *HMACKey, verifyOnly ...*HMACKey) (*KeyRing, error) {
	var b *C.countermark_key_ring_builder
	if err := check(C.countermark_key_ring_builder_new(primary.p, &b)); err != nil {
		return nil, err
	}
	defer C.countermark_key_ring_builder_free(b)
	for _, k := range verifyOnly {
		if err := check(C.countermark_key_ring_builder_add_verify_only(b, k.p)); err != nil {
			return nil, err
		}
	}
	var out *C.countermark_key_ring
	err := check(C.countermark_key_ring_builder_build(b, &out))
	keepAlive(primary, verifyOnly)
	if err != nil {
		return nil, err
	}
	r := &KeyRing{p: out}
	runtime.SetFinalizer(r, (*KeyRing).Close)
	return r, nil
}

// Close releases the ring.
func (r *KeyRing) Close() error {
	if r != nil && r.p != nil {
		C.countermark_key_ring_free(r.p)
		r.p = nil
	}
	return nil
}

// SigningKey is a private key (Ed25519, RSA, ECDSA P-256). Immutable; safe for concurrent use.
type SigningKey struct{ p *C.countermark_signing_key }

// SigningKeyFromPEM reads a PKCS#8 (or PKCS#1 RSA) PEM private key.
func SigningKeyFromPEM(pem []byte) (*SigningKey, error) {
	var out *C.countermark_signing_key
	err := check(C.countermark_signing_key_from_pem(ptrOf(pem), C.size_t(len(pem)), &out))
	runtime.KeepAlive(pem)
	if err != nil {
		return nil, err
	}
	k := &SigningKey{p: out}
	runtime.SetFinalizer(k, (*SigningKey).Close)
	return k, nil
}

// VerifyingKey returns the matching public key.
func (k *SigningKey) VerifyingKey() (*VerifyingKey, error) {
	var out *C.countermark_verifying_key
	err := check(C.countermark_signing_key_verifying_key(k.p, &out))
	runtime.KeepAlive(k)
	return wrapVerifyingKey(out, err)
}

// KeyID is the key id (asymmetric-jwt-auth's fingerprint of the public key).
func (k *SigningKey) KeyID() (string, error) {
	var b C.countermark_bytes
	err := check(C.countermark_signing_key_key_id(k.p, &b))
	runtime.KeepAlive(k)
	if err != nil {
		return "", err
	}
	return string(takeBytes(&b)), nil
}

// Close releases the key (its bytes are wiped when the last user goes).
func (k *SigningKey) Close() error {
	if k != nil && k.p != nil {
		C.countermark_signing_key_free(k.p)
		k.p = nil
	}
	return nil
}

// VerifyingKey is a public key with the algorithms allowed for it and its key id. Immutable; safe for
// concurrent use.
type VerifyingKey struct{ p *C.countermark_verifying_key }

func wrapVerifyingKey(out *C.countermark_verifying_key, err error) (*VerifyingKey, error) {
	if err != nil {
		return nil, err
	}
	k := &VerifyingKey{p: out}
	runtime.SetFinalizer(k, (*VerifyingKey).Close)
	return k, nil
}

// VerifyingKeyFromPEM reads an SPKI (or PKCS#1 RSA) PEM public key, or an OpenSSH public key line
// ("ssh-ed25519 AAAA... comment", "ssh-rsa ...", "ecdsa-sha2-nistp256 ..."), as asymmetric-jwt-auth accepts.
// Weak keys are refused (ErrInvalidKey).
func VerifyingKeyFromPEM(pem []byte) (*VerifyingKey, error) {
	var out *C.countermark_verifying_key
	err := check(C.countermark_verifying_key_from_pem(ptrOf(pem), C.size_t(len(pem)), &out))
	runtime.KeepAlive(pem)
	return wrapVerifyingKey(out, err)
}

// VerifyingKeyFromJWK reads a public key from a JWK (JSON).
func VerifyingKeyFromJWK(jwk []byte) (*VerifyingKey, error) {
	var out *C.countermark_verifying_key
	err := check(C.countermark_verifying_key_from_jwk(ptrOf(jwk), C.size_t(len(jwk)), &out))
	runtime.KeepAlive(jwk)
	return wrapVerifyingKey(out, err)
}

// KeyID is the key id.
func (k *VerifyingKey) KeyID() (string, error) {
	var b C.countermark_bytes
	err := check(C.countermark_verifying_key_key_id(k.p, &b))
	runtime.KeepAlive(k)
	if err != nil {
		return "", err
	}
	return string(takeBytes(&b)), nil
}

// Close releases the key.
func (k *VerifyingKey) Close() error {
	if k != nil && k.p != nil {
		C.countermark_verifying_key_free(k.p)
		k.p = nil
	}
	return nil
}

// NonceStore remembers single-use values (nonces, signatures) until they expire. Safe for concurrent use.
type NonceStore struct{ p *C.countermark_nonce_store }

func wrapStore(out *C.countermark_nonce_store, err error) (*NonceStore, error) {
	if err != nil {
		return nil, err
	}
	s := &NonceStore{p: out}
	runtime.SetFinalizer(s, (*NonceStore).Close)
	return s, nil
}

// NewMemoryNonceStore keeps at most capacity live values in this process; when full it refuses new ones
// (ErrUnavailable) rather than forgetting live ones.
func NewMemoryNonceStore(capacity int) (*NonceStore, error) {
	var out *C.countermark_nonce_store
	return wrapStore(out, check(C.countermark_nonce_store_new_memory(C.size_t(capacity), &out)))
}

// NewRedisNonceStore keeps them in Redis at url, keys prefixed by prefix: one server
// ("redis://[user:password@]host:port/db"), a Redis Cluster ("redis+cluster://host:port,host:port,...") or the
// master Sentinels name ("redis+sentinel://host:port,.../service/db"); "?connect_timeout_ms=&response_timeout_ms=
// &max_connections=" change the core's defaults. A failing server refuses (ErrUnavailable), never accepts.
func NewRedisNonceStore(url, prefix string) (*NonceStore, error) {
	var out *C.countermark_nonce_store
	err := check(C.countermark_nonce_store_new_redis(strPtr(url), C.size_t(len(url)), strPtr(prefix),
		C.size_t(len(prefix)), &out))
	keepAlive(url, prefix)
	return wrapStore(out, err)
}

// CheckAndInsert records value as used for ttl; ErrReplayed if it already is.
func (s *NonceStore) CheckAndInsert(value []byte, ttl time.Duration, clock *Clock) error {
	err := check(C.countermark_nonce_store_check_and_insert(s.ptr(), ptrOf(value), C.size_t(len(value)),
		C.uint64_t(ttl/time.Second), clock.ptr()))
	keepAlive(s, value, clock)
	return err
}

func (s *NonceStore) ptr() *C.countermark_nonce_store {
	if s == nil {
		return nil
	}
	return s.p
}

// Close releases the store.
func (s *NonceStore) Close() error {
	if s != nil && s.p != nil {
		C.countermark_nonce_store_free(s.p)
		s.p = nil
	}
	return nil
}

// Fingerprint is asymmetric-jwt-auth's fingerprint of the key: hex SHA-256 of its PEM text.
func (k *VerifyingKey) Fingerprint() (string, error) {
	var b C.countermark_bytes
	err := check(C.countermark_verifying_key_fingerprint(k.p, &b))
	runtime.KeepAlive(k)
	if err != nil {
		return "", err
	}
	return string(takeBytes(&b)), nil
}

// PEM is the key as SPKI PEM text.
func (k *VerifyingKey) PEM() (string, error) {
	var b C.countermark_bytes
	err := check(C.countermark_verifying_key_to_pem(k.p, &b))
	runtime.KeepAlive(k)
	if err != nil {
		return "", err
	}
	return string(takeBytes(&b)), nil
}
