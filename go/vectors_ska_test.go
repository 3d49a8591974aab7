package countermark

import (
	"encoding/json"
	"errors"
	"testing"
)

var skaAlgorithms = map[string]string{
	"HMACSHA1Signature":   "hmac-sha1",
	"HMACSHA224Signature": "hmac-sha224",
	"HMACSHA256Signature": "hmac-sha256",
	"HMACSHA384Signature": "hmac-sha384",
	"HMACSHA512Signature": "hmac-sha512",
}

func skaSigner(t *testing.T, c map[string]json.RawMessage, now float64) *URLSigner {
	t.Helper()
	alg, ok := skaAlgorithms[text(c, "signature_class")]
	if !ok {
		t.Fatalf("cannot drive signature class %q", text(c, "signature_class"))
	}
	secret := []byte(text(c, "secret_key"))
	if text(c, "secret_key_type") != "str" {
		secret = unhex(t, text(c, "secret_key_hex"))
	}
	key, err := NewLegacyHMACKey(alg, secret, "")
	if err != nil {
		t.Fatal(err)
	}
	defer key.Close()
	ring, err := NewKeyRing(key)
	if err != nil {
		t.Fatal(err)
	}
	defer ring.Close()
	clock := fixedClock(t, now)
	defer clock.Close()
	var names *ParamNames
	if has(c, "param_names") {
		var p map[string]string
		if err := json.Unmarshal(c["param_names"], &p); err != nil {
			t.Fatal(err)
		}
		names = &ParamNames{Signature: p["signature_param"], AuthUser: p["auth_user_param"],
			ValidUntil: p["valid_until_param"], Extra: p["extra_param"]}
	}
	s, err := NewURLSigner(ring, clock, names)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func skaOptions(c map[string]json.RawMessage) *SignOptions {
	o := &SignOptions{ValidUntil: text(c, "valid_until"), Suffix: text(c, "suffix")}
	if has(c, "extra") {
		o.ExtraJSON = string(c["extra"])
	}
	return o
}

func TestVectorsSka(t *testing.T) {
	cases := rawCases(t, "ska.json")
	tally := newCaseTally("ska.json")
	for _, c := range cases {
		t.Run(text(c, "id"), func(t *testing.T) {
			now := 0.0
			if has(c, "now") {
				now = number(t, c, "now")
			}
			signer := skaSigner(t, c, now)
			defer signer.Close()
			op := text(c, "op")
			switch op {
			case "generate_signature":
				params, err := signer.SignParams(text(c, "auth_user"), skaOptions(c))
				if err != nil {
					t.Fatal(err)
				}
				if got := params[0].Value; got != text(c, "signature") {
					t.Errorf("signature %q, want %q", got, text(c, "signature"))
				}
			case "sign_url":
				url, err := signer.SignURL(text(c, "url"), text(c, "auth_user"), skaOptions(c))
				if err != nil || url != text(c, "signed_url") {
					t.Fatalf("signed URL %q (%v), want %q", url, err, text(c, "signed_url"))
				}
				if _, err := signer.ValidateURL(url); !errors.Is(err, ErrExpired) {
					// Signed in 2013 (or 2023), validated at the fixed clock: the point is that only the expiry
					// stops it, never the signature.
					if err != nil {
						t.Errorf("round trip: %v", err)
					}
				}
			case "signature_to_dict":
				params, err := signer.SignParams(text(c, "auth_user"), skaOptions(c))
				if err != nil {
					t.Fatal(err)
				}
				want := orderedPairs(t, c["signature_dict"])
				got := map[string]string{}
				for _, p := range params {
					got[p.Name] = p.Value
				}
				if len(got) != len(want) {
					t.Errorf("dict %v, want %v", got, want)
				}
				for _, kv := range want {
					if got[kv[0]] != kv[1] {
						t.Errorf("%s = %q, want %q", kv[0], got[kv[0]], kv[1])
					}
				}
			case "validate":
				data, err := signer.Validate(orderedPairs(t, c["data"]))
				expectOutcome(t, text(c, "expect"), err)
				if err == nil {
					pairs := orderedPairs(t, c["data"])
					for _, kv := range pairs {
						if kv[0] == "auth_user" && data.User != kv[1] {
							t.Errorf("auth_user %q, want %q", data.User, kv[1])
						}
					}
				}
			default:
				t.Fatalf("cannot drive op %q", op)
			}
			tally.done(op)
		})
	}
	tally.check(t, len(cases))
}
