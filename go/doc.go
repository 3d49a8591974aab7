// Package countermark is the Go binding of countermark, one Rust implementation of service-to-service API
// authentication: handshake-format tokens, ska signed URLs, FOST and HMAC-header request signing, RFC 9421
// HTTP Message Signatures with RFC 9530 Content-Digest, asymmetric JWTs and replay protection.
//
// It calls the C ABI (build/include/countermark.h) through cgo and links the static library of the platform,
// build/<platform>/libcountermark.a, inside the module: a release of the module carries them (no Rust toolchain
// needed); in the repository, `make ffi` builds the library and links both there.
//
//	key, _ := countermark.NewHMACKey("hmac-sha256", secret, "k1")
//	defer key.Close()
//	ring, _ := countermark.NewKeyRing(key)
//	defer ring.Close()
//	tokens, _ := countermark.NewTokens(ring, countermark.TokensOptions{}) // the system clock, default randomness
//	defer tokens.Close()
//	token, _ := tokens.Create("alice", "42")
//	maxAge := 5 * time.Minute
//	v, err := tokens.Verify(token, &maxAge) // nil: any age
//	fmt.Println(v.Fields(), v.Created)
//	if errors.Is(err, countermark.ErrExpired) { ... }
//
// Ownership: every type that wraps a library handle has Close, which releases it (later calls are no-ops); a
// finalizer does the same as a safety net, but Close early to free secrets promptly. Objects keep their own
// references to what they were built from, so a key may be closed once the objects using it exist. Keys, rings,
// signers, policies, verifying keys and nonce stores are immutable and safe for concurrent use; do not call Close
// while another goroutine uses the object. Request and Response are plain Go values converted on each call.
//
// Errors are *Error values carrying the library's Code and message (never a secret); compare them with
// errors.Is against the sentinels (ErrBadSignature, ErrExpired, ...). Every parse and verify returns a typed
// *Verified (Scheme, KeyID, User, Algorithm, Created, Expires, Nonce, Items, ...), read with one cgo call; a
// phase-one parse answers (nil, nil) for a request without credentials of its scheme. Policies take option
// structs whose unset (nil) fields keep the core's defaults. Signers return the header lines to add as Claims.
package countermark
