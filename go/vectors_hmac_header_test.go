package countermark

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// hhExpect maps an hmac_header `expect` to the error it stands for (nil: valid); any is set for "error" (any
// clean rejection); known is false for a value no hmac_header vector should have.
func hhExpect(expect string) (want error, any, known bool) {
	switch expect {
	case "valid":
		return nil, false, true
	case "error":
		return nil, true, true
	case "not_applicable":
		return ErrNoCredentials, false, true
	case "bad_signature":
		return ErrBadSignature, false, true
	case "expired":
		return ErrExpired, false, true
	case "not_yet_valid":
		return ErrNotYetValid, false, true
	case "malformed":
		return ErrMalformed, false, true
	case "unsupported_algorithm":
		return ErrUnsupportedAlgorithm, false, true
	case "unknown_key", "revoked_key", "expired_key": // key-store outcomes: see hhLookup
		return ErrUnknownKey, false, true
	}
	return nil, false, false
}

// hhExpectOutcome checks the server's outcome against an expect word.
func hhExpectOutcome(t *testing.T, expect string, got error) {
	t.Helper()
	want, anyErr, known := hhExpect(expect)
	if !known {
		t.Errorf("no hmac_header vector should expect %q", expect)
		return
	}
	if anyErr {
		var e *Error
		if got == nil || errors.Is(got, ErrNoCredentials) || (errors.As(got, &e) && e.Code < 100) {
			t.Errorf("expect error (any clean rejection), got %v", got)
		}
		return
	}
	expectErr(t, "server outcome", got, want)
}

// hhB64IsHex checks that base64 text decodes to exactly the bytes of hex text.
func hhB64IsHex(t *testing.T, what string, b64 string, okB64 bool, hexText string, okHex bool) {
	t.Helper()
	if !okB64 || !okHex {
		t.Errorf("%s: field missing", what)
		return
	}
	a, err := base64.StdEncoding.Strict().DecodeString(b64)
	if err != nil {
		t.Errorf("%s: %q is not base64: %v", what, b64, err)
		return
	}
	if b := unhex(t, hexText); !bytes.Equal(a, b) {
		t.Errorf("%s: base64 %q does not decode to %s", what, b64, hexText)
	}
}

// hhDecryptRecord decrypts the secret of a server key record (the reference's ApiHMACKey row).
func hhDecryptRecord(t *testing.T, record map[string]any) (*APISecret, error) {
	t.Helper()
	cipher, ok1 := vStr(record, "cipher_algorithm")
	password, ok2 := vStr(record, "kd_password")
	secretCol, ok3 := vStr(record, "secret_column_b64")
	saltCol, ok4 := vStr(record, "salt_column_b64")
	if !ok1 || !ok2 || !ok3 || !ok4 {
		t.Fatalf("server_key record lacks fields (cannot be driven)")
	}
	salt, err1 := base64.StdEncoding.DecodeString(saltCol)
	ct, err2 := base64.StdEncoding.DecodeString(secretCol)
	if err1 != nil || err2 != nil {
		t.Fatalf("server_key columns are not base64: %v %v", err1, err2)
	}
	return DecryptLegacyAPISecret(cipher, []byte(password), salt, ct)
}

// hhNumber is a JSON number as float64.
func hhNumber(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

// hhLookup is the caller's key store with at most the case's one record: the secret of apiKey at now, or
// ErrUnknownKey when there is no such key, it is revoked, or it is past its expires_at.
func hhLookup(t *testing.T, storeKey string, record map[string]any, apiKey string, now float64) (*APISecret, error) {
	t.Helper()
	if record == nil || storeKey != apiKey {
		return nil, ErrUnknownKey
	}
	revoked, ok := record["revoked"].(bool)
	if !ok {
		t.Fatalf("server_key.revoked is not a boolean (cannot be driven)")
	}
	if revoked {
		return nil, ErrUnknownKey
	}
	if exp, ok := hhNumber(record["expires_at"]); ok && exp <= now {
		return nil, ErrUnknownKey
	}
	return hhDecryptRecord(t, record)
}

// hhCheckServerKey checks the stored secret of a record decrypts to the one the case says the server holds.
func hhCheckServerKey(t *testing.T, record map[string]any, apiSecretB64 string) {
	t.Helper()
	if record == nil {
		return
	}
	stored, err := hhDecryptRecord(t, record)
	if err != nil {
		t.Errorf("DecryptLegacyAPISecret(server_key): %v", err)
		return
	}
	defer stored.Close()
	b64, err := stored.Base64()
	if err != nil {
		t.Errorf("APISecret.Base64(server_key): %v", err)
	} else if b64 != apiSecretB64 {
		t.Errorf("decrypted server secret %q, want %q", b64, apiSecretB64)
	}
}

// hhAPISecret is the client's secret from api_secret_b64, checked against secret_hex and its base64 round trip.
func hhAPISecret(t *testing.T, c map[string]any) *APISecret {
	t.Helper()
	b64 := vMustStr(t, c, "api_secret_b64")
	hexText := vMustStr(t, c, "secret_hex")
	hhB64IsHex(t, "api_secret_b64 is the secret_hex bytes", b64, true, hexText, true)
	secret, err := APISecretFromBase64(b64)
	if err != nil {
		t.Fatalf("APISecretFromBase64: %v", err)
	}
	back, err := secret.Base64()
	if err != nil {
		t.Errorf("APISecret.Base64: %v", err)
	} else {
		if back != b64 {
			t.Errorf("api secret base64 round trip: %q, want %q", back, b64)
		}
		if enc := base64.StdEncoding.EncodeToString(unhex(t, hexText)); back != enc {
			t.Errorf("secret bytes are not secret_hex: %q, want %q", back, enc)
		}
	}
	return secret
}

// hhServerRequest is the request the server receives; authorization "" for none.
func hhServerRequest(t *testing.T, m map[string]any, authorization string) *Request {
	t.Helper()
	req := &Request{Method: vMustStr(t, m, "http_method"), Target: vMustStr(t, m, "path")}
	if ct, ok := vStr(m, "content_type"); ok {
		req.AddHeader("Content-Type", ct)
	}
	if body, ok := vStr(m, "request_body"); ok {
		req.Body = []byte(body)
		if req.Body == nil {
			req.Body = []byte{}
		}
	}
	if authorization != "" {
		req.AddHeader("Authorization", authorization)
	}
	return req
}

// hhServer is the server: parse, check the time window, look the key up, verify (the reference's order). The
// binding checks the time window inside VerifyHMACHeader, before the signature; so when the lookup fails, verify
// runs with a throwaway secret first, and a time-window (or format) refusal takes precedence over the lookup.
func hhServer(t *testing.T, req *Request, record map[string]any, storeKey string, now, timeout any) error {
	t.Helper()
	nowF, ok := hhNumber(now)
	if !ok {
		t.Fatalf("now is not a number (cannot be driven)")
	}
	var maxAge *time.Duration // nil: the core's default
	if timeout != nil {
		f, ok := hhNumber(timeout)
		if !ok || f < 0 || math.Floor(f) != f {
			t.Fatalf("timeout_seconds %v is not whole seconds: the policy takes integer seconds", timeout)
		}
		maxAge = dur(time.Duration(f) * time.Second)
	}
	clock := vClock(t, now)
	defer clock.Close()
	policy, err := NewHMACHeaderPolicy(HMACHeaderPolicyOptions{Clock: clock, MaxAge: maxAge})
	if err != nil {
		t.Fatalf("NewHMACHeaderPolicy: %v", err)
	}
	defer policy.Close()

	parsed, outcome := ParseHMACHeader(req)
	if outcome != nil && parsed != nil {
		t.Errorf("ParseHMACHeader returns a result only on success: %v, err %v", parsed, outcome)
	}
	if outcome == nil && parsed == nil {
		// Phase one's "not this scheme" is (nil, nil); phase two says ErrNoCredentials.
		outcome = ErrNoCredentials
	}
	if outcome != nil {
		// Phase two refuses the same way without a secret lookup (the secret is never used).
		anySecret, err := GenerateAPISecret()
		if err != nil {
			t.Fatalf("GenerateAPISecret: %v", err)
		}
		defer anySecret.Close()
		_, err = VerifyHMACHeader(req, anySecret, policy)
		expectErr(t, "VerifyHMACHeader after a failed parse", err, outcome)
		return outcome
	}
	apiKey, ok := parsed.KeyID, parsed.KeyID != ""
	if !ok {
		t.Errorf("parse: KeyID missing")
	}
	if parsed.Verified || parsed.Scheme != SchemeHMACHeader {
		t.Errorf("parse: a claimed HMAC-header result, got %+v", parsed)
	}
	if parsed.Algorithm == "" {
		t.Errorf("parse: Algorithm missing")
	}
	if parsed.Created.IsZero() {
		t.Errorf("parse: Created missing")
	}
	var secret *APISecret
	var lerr error = ErrUnknownKey
	if ok {
		secret, lerr = hhLookup(t, storeKey, record, apiKey, nowF)
	}
	if lerr != nil {
		// The time window comes before the lookup: ask verify with a throwaway secret.
		anySecret, err := GenerateAPISecret()
		if err != nil {
			t.Fatalf("GenerateAPISecret: %v", err)
		}
		defer anySecret.Close()
		_, rt := VerifyHMACHeader(req, anySecret, policy)
		if errors.Is(rt, ErrExpired) || errors.Is(rt, ErrNotYetValid) || errors.Is(rt, ErrMalformed) {
			return rt
		}
		return lerr
	}
	defer secret.Close()
	verified, outcome := VerifyHMACHeader(req, secret, policy)
	if (outcome == nil) != (verified != nil) {
		t.Errorf("VerifyHMACHeader returns a result only on success: %v, err %v", verified, outcome)
	}
	if outcome == nil {
		expectField(t, verified, "key_id", apiKey)
		expectField(t, verified, "algorithm", parsed.Algorithm)
		if !verified.Verified || !verified.Created.Equal(parsed.Created) {
			t.Errorf("verify: Verified %v, Created %v (parsed %v)", verified.Verified, verified.Created, parsed.Created)
		}
	}
	return outcome
}

// hhRecord is the server_key record (nil for JSON null); the field must be present.
func hhRecord(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	v, ok := m["server_key"]
	if !ok {
		t.Fatalf("server_key missing (cannot be driven)")
	}
	if v == nil {
		return nil
	}
	r, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("server_key is neither an object nor null")
	}
	return r
}

func hhSign(t *testing.T, c map[string]any) {
	method := vMustStr(t, c, "method")
	apiKey := vMustStr(t, c, "api_key")
	utc := vMustStr(t, c, "utc_8601")
	sts := vMustStr(t, c, "string_to_sign")
	check := vObj(c, "server_check")
	if check == nil {
		t.Fatalf("sign case lacks server_check")
	}
	if e, _ := vStr(c, "expect"); e != "valid" {
		t.Fatalf("sign case with an expect other than valid: %q", e)
	}
	secret := hhAPISecret(t, c)
	defer secret.Close()
	// The vector records the wire's method word (HMAC-SHA256); the binding takes the one spelling.
	signer, err := NewHMACHeaderSigner(apiKey, secret, strings.ToLower(method), nil)
	if err != nil {
		t.Fatalf("NewHMACHeaderSigner: %v", err)
	}
	defer signer.Close()
	claims, err := signer.Sign(hhServerRequest(t, check, ""), utc)
	if err != nil {
		t.Fatalf("HMACHeaderSigner.Sign: %v", err)
	}
	if len(claims) != 3 {
		t.Errorf("sign: %d claims, want 3: %v", len(claims), claims)
	}
	expectClaim(t, claims, "string_to_sign", sts)
	expectClaim(t, claims, "signature", vMustStr(t, c, "signature"))
	expectClaim(t, claims, "Authorization", vMustStr(t, c, "authorization"))
	// The body hash is what precedes ';' in string_to_sign (nothing without a body).
	bodyHash, haveHash := vStr(c, "body_hash_b64")
	if want := bodyHash + ";" + utc; want != sts {
		t.Errorf("string_to_sign %q is not body_hash_b64 ';' utc_8601 (%q)", sts, want)
	}
	bc, present := c["body_canonical"]
	if haveHash == (present && bc == nil) {
		t.Errorf("body hash present (%v) not exactly when body_canonical is (%v)", haveHash, bc)
	}
	record := hhRecord(t, check)
	hhCheckServerKey(t, record, vMustStr(t, c, "api_secret_b64"))
	authorization, ok := claims.Get("Authorization")
	if !ok {
		t.Fatalf("no Authorization to check on the server")
	}
	req := hhServerRequest(t, check, authorization)
	got := hhServer(t, req, record, apiKey, check["now"], check["timeout_seconds"])
	hhExpectOutcome(t, vMustStr(t, check, "expect"), got)
}

func hhVerify(t *testing.T, c map[string]any) {
	authorization := vMustStr(t, c, "authorization")
	apiKey := vMustStr(t, c, "api_key")
	record := hhRecord(t, c)
	secret := hhAPISecret(t, c)
	secret.Close()
	hhCheckServerKey(t, record, vMustStr(t, c, "api_secret_b64"))
	req := hhServerRequest(t, c, authorization)
	got := hhServer(t, req, record, apiKey, c["now"], c["timeout_seconds"])
	hhExpectOutcome(t, vMustStr(t, c, "expect"), got)
}

func hhSecretAtRest(t *testing.T, c map[string]any) {
	cipher := vMustStr(t, c, "cipher_algorithm")
	password := vMustStr(t, c, "kd_password")
	passwordHex := vMustStr(t, c, "kd_password_hex")
	saltHex := vMustStr(t, c, "salt_hex")
	ivHex := vMustStr(t, c, "iv_hex")
	ctHex := vMustStr(t, c, "ciphertext_hex")
	apiB64 := vMustStr(t, c, "api_secret_b64")
	secretHex := vMustStr(t, c, "secret_hex")
	if e, _ := vStr(c, "expect"); e != "valid" {
		t.Fatalf("secret_at_rest case with an expect other than valid: %q", e)
	}
	if m, _ := vStr(c, "cipher_mode"); m != "CBC" {
		t.Errorf("cipher_mode %q, want CBC", m)
	}
	if k, _ := vStr(c, "kdf"); k != "PBKDF2-HMAC-SHA256" {
		t.Errorf("kdf %q, want PBKDF2-HMAC-SHA256", k)
	}
	if n, _ := vInt(c, "kdf_iterations"); n != 1000 {
		t.Errorf("kdf_iterations %d, want 1000", n)
	}
	pw := unhex(t, passwordHex)
	salt := unhex(t, saltHex)
	iv := unhex(t, ivHex)
	ct := unhex(t, ctHex)
	if string(pw) != password {
		t.Errorf("kd_password_hex is not kd_password")
	}
	if len(salt) != 24 {
		t.Errorf("salt is %d bytes, want 24", len(salt))
	}
	if len(iv) != 16 || len(salt) < 16 || !bytes.Equal(salt[len(salt)-16:], iv) {
		t.Errorf("iv is not the last 16 salt bytes")
	}
	s, ok := vStr(c, "salt_b64")
	hhB64IsHex(t, "salt_b64", s, ok, saltHex, true)
	s, ok = vStr(c, "salt_column_b64")
	hhB64IsHex(t, "salt_column_b64", s, ok, saltHex, true)
	s, ok = vStr(c, "secret_column_b64")
	hhB64IsHex(t, "secret_column_b64", s, ok, ctHex, true)
	hhB64IsHex(t, "api_secret_b64", apiB64, true, secretHex, true)

	secret, err := DecryptLegacyAPISecret(cipher, pw, salt, ct)
	if err != nil {
		t.Errorf("DecryptLegacyAPISecret: %v", err)
	} else {
		defer secret.Close()
		b64, err := secret.Base64()
		if err != nil {
			t.Errorf("APISecret.Base64: %v", err)
		} else if b64 != apiB64 {
			t.Errorf("decrypted secret (base64) %q, want %q", b64, apiB64)
		}
	}
	// A wrong password fails cleanly (padding), or yields other bytes, never the secret.
	wrong, err := DecryptLegacyAPISecret(cipher, []byte("wrong password"), salt, ct)
	if err == nil {
		defer wrong.Close()
		b64, err := wrong.Base64()
		if err != nil {
			t.Errorf("APISecret.Base64(wrong): %v", err)
		} else if b64 == apiB64 {
			t.Errorf("a wrong password yielded the secret")
		}
	} else {
		expectErr(t, "DecryptLegacyAPISecret(wrong password)", err, ErrInvalidKey)
		if wrong != nil {
			t.Errorf("output on failure")
		}
	}
	// The cipher name is the column value: anything else is refused.
	other, err := DecryptLegacyAPISecret("DES", pw, salt, ct)
	expectErr(t, "DecryptLegacyAPISecret(DES)", err, ErrUnsupportedAlgorithm)
	if other != nil {
		other.Close()
	}
}

func TestVectorsHMACHeader(t *testing.T) {
	_, cases := loadVectors(t, "hmac_header.json")
	tally := newCaseTally("hmac_header.json")
	for i, c := range cases {
		id := caseID(c, i)
		t.Run(id, func(t *testing.T) {
			op, _ := vStr(c, "op")
			switch op {
			case "sign":
				hhSign(t, c)
			case "verify":
				hhVerify(t, c)
			case "secret_at_rest":
				hhSecretAtRest(t, c)
			default:
				t.Fatalf("%s: cannot drive op %q", id, op)
			}
			tally.done(op)
		})
	}
	tally.check(t, len(cases))
}
