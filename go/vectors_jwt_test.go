package countermark

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"testing"
)

// jwtKeyPair is one entry of asym_jwt.json's `keys`.
type jwtKeyPair struct {
	sk *SigningKey
	pk *VerifyingKey
}

// jwtLoadKeys loads the file's keys: each private key, its public key from its own PEM, and checks their key ids.
// (The binding wraps neither countermark_verifying_key_fingerprint nor countermark_verifying_key_to_pem, so the
// PEM round trips of the C test are checked through the key ids instead.)
func jwtLoadKeys(t *testing.T, root map[string]any) map[string]*jwtKeyPair {
	t.Helper()
	keys, ok := root["keys"].(map[string]any)
	if !ok {
		t.Fatalf("asym_jwt.json has no keys object")
	}
	names := make([]string, 0, len(keys))
	for name := range keys {
		names = append(names, name)
	}
	sort.Strings(names)
	out := map[string]*jwtKeyPair{}
	for _, name := range names {
		k, _ := keys[name].(map[string]any)
		priv, ok1 := vStr(k, "private_pem")
		pub, ok2 := vStr(k, "public_pem")
		kid, ok3 := vStr(k, "kid")
		if !ok1 || !ok2 || !ok3 {
			t.Errorf("key %s lacks private_pem / public_pem / kid", name)
			continue
		}
		kp := &jwtKeyPair{}
		var err error
		if kp.sk, err = SigningKeyFromPEM([]byte(priv)); err != nil {
			t.Errorf("key %s: SigningKeyFromPEM: %v", name, err)
		}
		if kp.pk, err = VerifyingKeyFromPEM([]byte(pub)); err != nil {
			t.Errorf("key %s: VerifyingKeyFromPEM: %v", name, err)
		}
		out[name] = kp
		if kp.sk == nil || kp.pk == nil {
			continue
		}
		if got, err := kp.pk.KeyID(); err != nil || got != kid {
			t.Errorf("key %s: verifying key kid %q (%v), want %q", name, got, err, kid)
		}
		if got, err := kp.sk.KeyID(); err != nil || got != kid {
			t.Errorf("key %s: signing key kid %q (%v), want %q", name, got, err, kid)
		}
		// The public half of the private key is the same key.
		if half, err := kp.sk.VerifyingKey(); err != nil {
			t.Errorf("key %s: SigningKey.VerifyingKey: %v", name, err)
		} else {
			if got, err := half.KeyID(); err != nil || got != kid {
				t.Errorf("key %s: public half kid %q (%v), want %q", name, got, err, kid)
			}
			half.Close()
		}
		if jwk, ok := k["jwk"].(map[string]any); ok {
			// The same key as a JWK (public members only).
			text, err := json.Marshal(jwk)
			if err != nil {
				t.Fatal(err)
			}
			fromJWK, err := VerifyingKeyFromJWK(text)
			if err != nil {
				t.Errorf("key %s: VerifyingKeyFromJWK: %v", name, err)
			} else {
				want, _ := vStr(jwk, "kid")
				if got, err := fromJWK.KeyID(); err != nil || got != want {
					t.Errorf("key %s: JWK kid %q (%v), want %q", name, got, err, want)
				}
				fromJWK.Close()
			}
		}
	}
	return out
}

func jwtFindKey(t *testing.T, keys map[string]*jwtKeyPair, c map[string]any, field string) *jwtKeyPair {
	t.Helper()
	name, _ := vStr(c, field)
	kp := keys[name]
	if kp == nil || kp.pk == nil || kp.sk == nil {
		t.Fatalf("case names an unknown key in %s: %q (cannot be driven)", field, name)
	}
	return kp
}

// jwtPolicy is a policy at now with the core's default clock skew and store (nil: a store of the policy's own).
func jwtPolicy(t *testing.T, now any, store *NonceStore) *JWTPolicy {
	t.Helper()
	clock := vClock(t, now)
	defer clock.Close()
	p, err := NewJWTPolicy(JWTPolicyOptions{Clock: clock, NonceStore: store})
	if err != nil {
		t.Fatalf("NewJWTPolicy: %v", err)
	}
	return p
}

// jwtVerifyToken parses token (phase one), then verifies it; a token phase one refuses gets the same answer from
// phase two.
func jwtVerifyToken(t *testing.T, token string, keys []*VerifyingKey, policy *JWTPolicy) (*Verified, error) {
	t.Helper()
	parsed, perr := ParseJWT(token)
	if (perr == nil) != (parsed != nil) {
		t.Errorf("ParseJWT returns a result only on success: %v, err %v", parsed, perr)
	}
	verified, verr := VerifyJWT(token, keys, policy)
	if (verr == nil) != (verified != nil) {
		t.Errorf("VerifyJWT returns a result only on success: %v, err %v", verified, verr)
	}
	if perr != nil {
		expectErr(t, "VerifyJWT after a failed ParseJWT", verr, perr)
		return nil, perr
	}
	return verified, verr
}

// jwtIntText is a JSON integer's text.
func jwtIntText(t *testing.T, v any) string {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("%v is not a number", v)
	}
	if _, err := n.Int64(); err != nil {
		t.Fatalf("%v is not an integer", v)
	}
	return n.String()
}

// jwtCheckOutcome checks a verification outcome against expect.
func jwtCheckOutcome(t *testing.T, c map[string]any, expect string, got error, v *Verified) {
	t.Helper()
	if expect == "valid" {
		expectErr(t, "verification", got, nil)
		if got != nil {
			return
		}
		switch want := c["reference_result"].(type) {
		case string:
			expectField(t, v, "username", want)
		case map[string]any:
			if _, ok := want["time"].(json.Number); !ok {
				t.Errorf("reference_result is neither a user name nor {username, time}")
				break
			}
			u, _ := vStr(want, "username")
			expectField(t, v, "username", u)
			expectField(t, v, "time", jwtIntText(t, want["time"]))
		default:
			t.Errorf("reference_result is neither a user name nor {username, time}")
		}
		for _, name := range []string{"nonce", "alg", "key_index"} {
			if s, ok := field(v, name); !ok || s == "" {
				t.Errorf("field %s missing or empty", name)
			}
		}
		return
	}
	// Absent counts as null.
	if ref, ok := c["reference_result"]; ok && ref != nil {
		t.Errorf("the reference did not refuse it: reference_result %v", ref)
	}
	if expect == "rejected" || expect == "error" {
		var e *Error
		if !errors.As(got, &e) || !e.Code.IsVerificationError() {
			t.Errorf("expect %s: got %v, want a verification error", expect, got)
		}
		return
	}
	var want error
	switch expect {
	case "bad_signature":
		want = ErrBadSignature
	case "expired":
		want = ErrExpired
	case "not_yet_valid":
		want = ErrNotYetValid
	case "unsupported_algorithm":
		want = ErrUnsupportedAlgorithm
	case "malformed":
		want = ErrMalformed
	case "replayed":
		want = ErrReplayed
	default:
		t.Errorf("unknown expect value %q", expect)
		return
	}
	expectErr(t, "verification", got, want)
}

// jwtB64 is unpadded base64url.
func jwtB64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// jwtAuthRequest is a request carrying Authorization: authorization.
func jwtAuthRequest(authorization string) *Request {
	return &Request{Method: "GET", Target: "/api/", Headers: [][2]string{{"Authorization", authorization}}}
}

func jwtSign(t *testing.T, keys map[string]*jwtKeyPair, c map[string]any) {
	kp := jwtFindKey(t, keys, c, "key")
	vk := jwtFindKey(t, keys, c, "verify_key")
	username := vMustStr(t, c, "username")
	nonce := vMustStr(t, c, "nonce")
	kid := vMustStr(t, c, "kid")
	alg := vMustStr(t, c, "alg")
	wantJWT := vMustStr(t, c, "jwt")
	authorization := vMustStr(t, c, "authorization")
	headerJSON := vMustStr(t, c, "header_json")
	payloadJSON := vMustStr(t, c, "payload_json")
	signingInput := vMustStr(t, c, "signing_input")
	signature := vMustStr(t, c, "signature_b64url")
	ts, ok := vInt(c, "timestamp")
	if !ok {
		t.Fatalf("timestamp is not an integer (cannot be driven)")
	}
	tsText := jwtIntText(t, c["timestamp"])
	if got, err := kp.sk.KeyID(); err != nil || got != kid {
		t.Errorf("signing key kid %q (%v), want %q", got, err, kid)
	}
	token, err := SignJWTWith(kp.sk, username, ts, nonce)
	if err != nil {
		t.Errorf("SignJWTWith: %v", err)
	} else {
		if token != wantJWT {
			t.Errorf("token:\n  got  %q\n  want %q", token, wantJWT)
		}
		dot1 := strings.IndexByte(token, '.')
		dot2 := strings.LastIndexByte(token, '.')
		if dot1 >= 0 && dot2 > dot1 {
			input := jwtB64(headerJSON) + "." + jwtB64(payloadJSON)
			if token[:dot2] != signingInput {
				t.Errorf("signing input %q, want %q", token[:dot2], signingInput)
			}
			if token[:dot2] != input {
				t.Errorf("signing input %q is not b64url(header_json).b64url(payload_json) %q", token[:dot2], input)
			}
			if token[:dot1] != jwtB64(headerJSON) {
				t.Errorf("header segment %q, want %q", token[:dot1], jwtB64(headerJSON))
			}
			if token[dot2+1:] != signature {
				t.Errorf("signature segment %q, want %q", token[dot2+1:], signature)
			}
		} else {
			t.Errorf("token %q does not have three segments", token)
		}
		if "JWT "+token != authorization {
			t.Errorf("authorization is not 'JWT ' + token")
		}
	}
	// The reference verified each signed token at the signing time.
	parsed, err := ParseJWTRequest(jwtAuthRequest(authorization))
	if err != nil {
		t.Fatalf("ParseJWTRequest: %v", err)
	}
	if parsed == nil {
		t.Fatalf("ParseJWTRequest: no JWT credentials")
	}
	expectField(t, parsed, "username", username)
	expectField(t, parsed, "nonce", nonce)
	expectField(t, parsed, "kid", kid)
	expectField(t, parsed, "alg", jwsAlgorithm(alg))
	expectField(t, parsed, "time", tsText)
	expectField(t, parsed, "token", wantJWT)
	tok, ok := field(parsed, "token")
	if !ok {
		t.Fatalf("ParseJWTRequest: Token missing")
	}
	policy := jwtPolicy(t, c["now"], nil)
	defer policy.Close()
	verified, got := jwtVerifyToken(t, tok, []*VerifyingKey{vk.pk}, policy)
	jwtCheckOutcome(t, c, vMustStr(t, c, "expect"), got, verified)
	if got == nil {
		expectField(t, verified, "kid", kid)
		expectField(t, verified, "alg", jwsAlgorithm(alg))
		expectField(t, verified, "nonce", nonce)
		expectField(t, verified, "key_index", "0")
	}
}

func jwtVerify(t *testing.T, keys map[string]*jwtKeyPair, c map[string]any) {
	vk := jwtFindKey(t, keys, c, "verify_key")
	token := vMustStr(t, c, "jwt")
	if _, ok := c["now"].(json.Number); !ok {
		t.Fatalf("verify case lacks now (cannot be driven)")
	}
	policy := jwtPolicy(t, c["now"], nil)
	defer policy.Close()
	verified, err := jwtVerifyToken(t, token, []*VerifyingKey{vk.pk}, policy)
	jwtCheckOutcome(t, c, vMustStr(t, c, "expect"), err, verified)
}

func jwtReplay(t *testing.T, keys map[string]*jwtKeyPair, c map[string]any) {
	vk := jwtFindKey(t, keys, c, "verify_key")
	token := vMustStr(t, c, "jwt")
	first := vObj(c, "first_result")
	if first == nil {
		t.Fatalf("replay case lacks first_result (cannot be driven)")
	}
	if _, ok := c["second_now"].(json.Number); !ok {
		t.Fatalf("replay case lacks second_now (cannot be driven)")
	}
	if e, _ := vStr(c, "expect"); e != "replayed" {
		t.Errorf("expect %q, want replayed", e)
	}
	if sr, ok := c["second_result"]; !ok || sr != nil {
		t.Errorf("second_result is not null: %v", sr)
	}
	// Both policies share one nonce store.
	store, err := NewMemoryNonceStore(0)
	if err != nil {
		t.Fatalf("NewMemoryNonceStore: %v", err)
	}
	firstPolicy := jwtPolicy(t, c["now"], store)
	defer firstPolicy.Close()
	secondPolicy := jwtPolicy(t, c["second_now"], store)
	defer secondPolicy.Close()
	// The policies keep their own references.
	store.Close()
	v, err := jwtVerifyToken(t, token, []*VerifyingKey{vk.pk}, firstPolicy)
	expectErr(t, "first verification", err, nil)
	if err == nil {
		u, _ := vStr(first, "username")
		expectField(t, v, "username", u)
		expectField(t, v, "time", jwtIntText(t, first["time"]))
	}
	// Parsed again from the text, as a second request would be.
	again, err := jwtVerifyToken(t, token, []*VerifyingKey{vk.pk}, secondPolicy)
	jwtCheckOutcome(t, c, "replayed", err, again)
}

func jwtMiddleware(t *testing.T, keys map[string]*jwtKeyPair, c map[string]any) {
	authorization := vMustStr(t, c, "authorization")
	expect := vMustStr(t, c, "expect")
	users := vObj(c, "users")
	if users == nil {
		t.Fatalf("middleware case lacks users (cannot be driven)")
	}
	parsed, err := ParseJWTRequest(jwtAuthRequest(authorization))
	if err != nil && parsed != nil {
		t.Errorf("ParseJWTRequest returns a result only on success: %v, err %v", parsed, err)
	}
	switch {
	case err == nil && parsed == nil:
		// Not this scheme: left to another authentication method.
		if expect != "not_applicable" {
			t.Errorf("ErrNoCredentials only for expect not_applicable (expect %q)", expect)
		}
		if ref, ok := c["reference_result"]; !ok || ref != nil {
			t.Errorf("the reference did not leave it anonymous: %v", ref)
		}
	case err != nil:
		if expect != "rejected" && expect != "malformed" && expect != "error" {
			t.Errorf("ParseJWTRequest: %v, but expect %q", err, expect)
		}
		if expect == "malformed" {
			expectErr(t, "ParseJWTRequest", err, ErrMalformed)
		}
	default:
		// The user repository: the claimed username picks the user, whose every key is tried.
		if expect == "not_applicable" {
			t.Errorf("a JWT header is this scheme, but expect not_applicable")
		}
		username, token := parsed.User, parsed.Token
		if username == "" || token == "" {
			t.Fatalf("ParseJWTRequest: Token / User missing")
		}
		var vks []*VerifyingKey
		names, _ := users[username].([]any)
		for _, n := range names {
			s, _ := n.(string)
			kp := keys[s]
			if kp == nil || kp.pk == nil {
				t.Errorf("users names an unknown key %v", n)
				continue
			}
			vks = append(vks, kp.pk)
		}
		policy := jwtPolicy(t, c["now"], nil)
		defer policy.Close()
		verified, got := VerifyJWT(token, vks, policy)
		if (got == nil) != (verified != nil) {
			t.Errorf("VerifyJWT returns a result only on success: %v, err %v", verified, got)
		}
		jwtCheckOutcome(t, c, expect, got, verified)
	}
}

func TestVectorsJWT(t *testing.T) {
	root, cases := loadVectors(t, "asym_jwt.json")
	keys := jwtLoadKeys(t, root)
	defer func() {
		for _, kp := range keys {
			kp.sk.Close()
			kp.pk.Close()
		}
	}()
	tally := newCaseTally("asym_jwt.json")
	for i, c := range cases {
		id := caseID(c, i)
		t.Run(id, func(t *testing.T) {
			op, _ := vStr(c, "op")
			switch op {
			case "sign":
				jwtSign(t, keys, c)
			case "verify":
				jwtVerify(t, keys, c)
			case "replay":
				jwtReplay(t, keys, c)
			case "middleware":
				jwtMiddleware(t, keys, c)
			default:
				t.Fatalf("%s: cannot drive op %q", id, op)
			}
			tally.done(op)
		})
	}
	tally.check(t, len(cases))
}

// jwsAlgorithm is the one spelling of a JWS alg name (the vectors record the wire's EdDSA, RS256, ...).
func jwsAlgorithm(jws string) string {
	switch jws {
	case "EdDSA":
		return "ed25519"
	case "RS256":
		return "rsa-v1_5-sha256"
	case "RS384":
		return "rsa-v1_5-sha384"
	case "RS512":
		return "rsa-v1_5-sha512"
	}
	return jws
}
