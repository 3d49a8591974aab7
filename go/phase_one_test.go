package countermark

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// Phase one answers "no credentials of this scheme" as (nil, nil) for every request scheme, and phase two then
// refuses with ErrNoCredentials.
func TestPhaseOneNotThisScheme(t *testing.T) {
	plain := func() *Request {
		return &Request{Method: "GET", Target: "/a?b=1", Scheme: "https", Authority: "example.com",
			Headers: [][2]string{{"Host", "example.com"}, {"Authorization", "Bearer abc"}}}
	}
	parses := map[string]func(*Request) (*Verified, error){
		"fost":     ParseFost,
		"fost_url": ParseFostURL,
		"hmac":     ParseHMACHeader,
		"jwt":      ParseJWTRequest,
		"rfc9421":  func(r *Request) (*Verified, error) { return ParseMessageSignature(r, "") },
		"rfc9421 response": func(r *Request) (*Verified, error) {
			return ParseResponseSignature(&Response{Status: 200, Headers: r.Headers}, "")
		},
	}
	for name, parse := range parses {
		v, err := parse(plain())
		if v != nil || err != nil {
			t.Errorf("%s: (%v, %v), want (nil, nil)", name, v, err)
		}
	}
	key := must(NewLegacyHMACKey("hmac-sha1", []byte("fost-secret-value"), ""))(t)
	fost := must(NewFostPolicy(FostPolicyOptions{}))(t)
	if _, err := VerifyFost(plain(), key, fost); !errors.Is(err, ErrNoCredentials) {
		t.Errorf("VerifyFost: %v, want ErrNoCredentials", err)
	}
	if _, err := VerifyFostURL(plain(), key, fost); !errors.Is(err, ErrNoCredentials) {
		t.Errorf("VerifyFostURL: %v, want ErrNoCredentials", err)
	}
	secret := must(GenerateAPISecret())(t)
	hmac := must(NewHMACHeaderPolicy(HMACHeaderPolicyOptions{}))(t)
	if _, err := VerifyHMACHeader(plain(), secret, hmac); !errors.Is(err, ErrNoCredentials) {
		t.Errorf("VerifyHMACHeader: %v, want ErrNoCredentials", err)
	}
	mkey := must(NewHMACMessageKey(must(NewHMACKey("hmac-sha256", testSecret, "k1"))(t)))(t)
	msg := must(NewMessagePolicy(MessagePolicyOptions{}))(t)
	if _, err := VerifyMessageSignature(plain(), mkey, msg); !errors.Is(err, ErrNoCredentials) {
		t.Errorf("VerifyMessageSignature: %v, want ErrNoCredentials", err)
	}
}

// A header of the scheme that is present but broken gets the core's verdict, the same from phase one and phase
// two: what phase one calls "not this scheme" phase two refuses with ErrNoCredentials, and what it refuses phase
// two refuses with the same error. (FOST `k:` and HMAC `k;;time` are the cases named in the issue.)
func TestBrokenHeaderFollowsTheCore(t *testing.T) {
	key := must(NewLegacyHMACKey("hmac-sha1", []byte("fost-secret-value"), ""))(t)
	fost := must(NewFostPolicy(FostPolicyOptions{}))(t)
	secret := must(GenerateAPISecret())(t)
	hmac := must(NewHMACHeaderPolicy(HMACHeaderPolicyOptions{}))(t)
	cases := []struct {
		name   string
		auth   string
		parse  func(*Request) (*Verified, error)
		verify func(*Request) (*Verified, error)
	}{
		{"FOST empty signature", "FOST k:", ParseFost,
			func(r *Request) (*Verified, error) { return VerifyFost(r, key, fost) }},
		{"FOST without a colon", "FOST k", ParseFost,
			func(r *Request) (*Verified, error) { return VerifyFost(r, key, fost) }},
		{"HMAC empty signature", "HMAC-SHA256 k;;2024-01-02T03:04:05Z", ParseHMACHeader,
			func(r *Request) (*Verified, error) { return VerifyHMACHeader(r, secret, hmac) }},
		{"HMAC bad date", "HMAC-SHA256 k;c2ln;not-a-date", ParseHMACHeader,
			func(r *Request) (*Verified, error) { return VerifyHMACHeader(r, secret, hmac) }},
		{"HMAC unknown method", "hmac-sha256 k;c2ln;2024-01-02T03:04:05Z", ParseHMACHeader,
			func(r *Request) (*Verified, error) { return VerifyHMACHeader(r, secret, hmac) }},
	}
	for _, c := range cases {
		req := func() *Request {
			return &Request{Method: "GET", Target: "/", Headers: [][2]string{
				{"Authorization", c.auth}, {"X-FOST-Timestamp", "2024-01-02 03:04:05"},
				{"X-FOST-Headers", "X-FOST-Headers"}}}
		}
		pv, perr := c.parse(req())
		vv, verr := c.verify(req())
		if pv != nil || vv != nil {
			t.Errorf("%s: a result for a broken header (%v, %v)", c.name, pv, vv)
			continue
		}
		switch {
		case perr == nil:
			if !errors.Is(verr, ErrNoCredentials) {
				t.Errorf("%s: phase one says not this scheme, phase two %v", c.name, verr)
			}
		case !errors.Is(verr, perr):
			t.Errorf("%s: phase one %v, phase two %v", c.name, perr, verr)
		}
	}
	// Where the core refuses, the refusal is the exact kind: a bad date is malformed, an unknown method unsupported.
	bad := &Request{Method: "GET", Target: "/", Headers: [][2]string{{"Authorization", cases[3].auth}}}
	if _, err := ParseHMACHeader(bad); !errors.Is(err, ErrMalformed) {
		t.Errorf("bad date: %v, want ErrMalformed", err)
	}
	upper := &Request{Method: "GET", Target: "/", Headers: [][2]string{{"Authorization", cases[4].auth}}}
	if _, err := ParseHMACHeader(upper); !errors.Is(err, ErrUnsupportedAlgorithm) {
		t.Errorf("lower-case method: %v, want ErrUnsupportedAlgorithm", err)
	}
}

// Tokens.Verify with a nil max age accepts any age; a zero max age is "created within 0 s", not "no limit".
func TestTokenMaxAgeHasNoZeroValueTrap(t *testing.T) {
	key := must(NewHMACKey("hmac-sha256", testSecret, ""))(t)
	ring := must(NewKeyRing(key))(t)
	old := must(FixedClock(time.Unix(1_700_000_000, 0)))(t)
	now := must(FixedClock(time.Unix(1_700_000_100, 0)))(t)
	token := must(must(NewTokens(ring, TokensOptions{Clock: old}))(t).Create("alice"))(t)
	later := must(NewTokens(ring, TokensOptions{Clock: now}))(t)
	v, err := later.Verify(token, nil)
	if err != nil || v.Fields()[0] != "alice" || v.Created.Unix() != 1_700_000_000 || !v.Verified ||
		v.Scheme != SchemeToken {
		t.Fatalf("nil max age: %+v, %v", v, err)
	}
	zero := time.Duration(0)
	if _, err := later.Verify(token, &zero); !errors.Is(err, ErrExpired) {
		t.Errorf("max age 0 on a 100 s old token: %v, want ErrExpired", err)
	}
	minute := time.Minute
	if _, err := later.Verify(token, &minute); !errors.Is(err, ErrExpired) {
		t.Errorf("max age 1 min on a 100 s old token: %v, want ErrExpired", err)
	}
	hour := time.Hour
	if _, err := later.Verify(token, &hour); err != nil {
		t.Errorf("max age 1 h: %v", err)
	}
	negative := -time.Second
	if _, err := later.Verify(token, &negative); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("negative max age: %v, want ErrInvalidValue", err)
	}
}

// A result larger than the pooled buffer (a 9 KiB signed header) comes back whole: the call is repeated once
// with a buffer of the size the library reported.
func TestLargeResultIsRetried(t *testing.T) {
	key := must(NewLegacyHMACKey("hmac-sha1", []byte("fost-secret-value"), ""))(t)
	clock := must(FixedClock(time.Unix(1_700_000_000, 0)))(t)
	signer := must(NewFostSigner("fost-key", key, clock))(t)
	policy := must(NewFostPolicy(FostPolicyOptions{Clock: clock}))(t)
	big := strings.Repeat("v", 9*1024)
	req := &Request{Method: "POST", Target: "/items", Headers: [][2]string{{"X-Big", big}}, Body: []byte("{}")}
	signed := must(signer.Sign(req, []string{"X-Big"}, ""))(t)
	for _, c := range signed {
		if strings.HasPrefix(c.Name, "X-FOST-") || c.Name == "Authorization" {
			req.AddHeader(c.Name, c.Value)
		}
	}
	v, err := VerifyFost(req, key, policy)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := v.Item("X-Big"); got != big || v.KeyID != "fost-key" || v.User != "fost-key" {
		t.Errorf("large result: item of %d bytes, key id %q, user %q", len(got), v.KeyID, v.User)
	}
}

// A signed URL without a lifetime gets the core's default lifetime (DefaultSkaLifetime), not zero.
func TestSkaDefaultLifetime(t *testing.T) {
	key := must(NewHMACKey("hmac-sha256", testSecret, ""))(t)
	ring := must(NewKeyRing(key))(t)
	at := func(secs int64) *URLSigner {
		return must(NewURLSigner(ring, must(FixedClock(time.Unix(secs, 0)))(t), nil))(t)
	}
	url := must(at(1_700_000_000).SignURL("https://example.com/a", "alice", nil))(t)
	life := int64(DefaultSkaLifetime / time.Second)
	v, err := at(1_700_000_000 + life - 1).ValidateURL(url)
	if err != nil || v.User != "alice" || v.Expires.Unix() != 1_700_000_000+life || v.Scheme != SchemeSka {
		t.Fatalf("within the default lifetime: %+v, %v", v, err)
	}
	if _, err := at(1_700_000_000 + life + 1).ValidateURL(url); !errors.Is(err, ErrExpired) {
		t.Errorf("after the default lifetime: %v, want ErrExpired", err)
	}
	negative := -time.Second
	if _, err := at(1_700_000_000).SignURL("https://example.com/a", "alice", &SignOptions{Lifetime: &negative}); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("negative lifetime: %v, want ErrInvalidValue", err)
	}
}
