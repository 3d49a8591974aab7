package countermark

import (
	"errors"
	"testing"
	"time"
)

// The FOST user name in UTF-7 reaches Go for free: the signer's claims carry the X-FOST-User line to send (its
// UTF-7 text), and the verified user is the decoded name (issue 15, item 8).
func TestFostUTF7UserBothWays(t *testing.T) {
	key, err := NewLegacyHMACKey("hmac-sha1", []byte("secret-value"), "")
	if err != nil {
		t.Fatal(err)
	}
	defer key.Close()
	clock, err := FixedClock(time.Unix(1_303_874_807, 0))
	if err != nil {
		t.Fatal(err)
	}
	signer, err := NewFostSigner("key-value", key, clock)
	if err != nil {
		t.Fatal(err)
	}
	defer signer.Close()
	req := &Request{Method: "GET", Target: "/", Headers: [][2]string{{"X-FOST-User", "J\u00fcrgen"}}}
	claims, err := signer.Sign(req, []string{"X-FOST-User"}, "2011-04-27 03:26:37")
	if err != nil {
		t.Fatal(err)
	}
	// django-fost-authn 0.3.8's own signer gives this signature for the UTF-7 text 'J+APw-rgen' (Python 2.7.18).
	expectClaim(t, claims, "Authorization", "FOST key-value:OyIkPjA5Lnb9Nmue4snCWhyboxQ=")
	expectClaim(t, claims, "X-FOST-User", "J+APw-rgen")
	sent := &Request{Method: "GET", Target: "/"}
	for _, name := range []string{"Authorization", "X-FOST-Timestamp", "X-FOST-Headers", "X-FOST-User"} {
		sent.AddHeader(name, claims.Value(name))
	}
	policy, err := NewFostPolicy(FostPolicyOptions{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer policy.Close()
	verified, err := VerifyFost(sent, key, policy)
	if err != nil {
		t.Fatal(err)
	}
	expectField(t, verified, "user", "J\u00fcrgen")

	// A second Host line makes the request malformed.
	twoHosts := &Request{Method: "GET", Target: "/", Headers: [][2]string{{"Host", "a.example"}, {"Host", "b.example"}}}
	if _, err := ParseFost(twoHosts); !errors.Is(err, ErrMalformed) {
		t.Fatalf("two Host lines: %v, want ErrMalformed", err)
	}
}
