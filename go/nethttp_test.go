package countermark

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// signedHTTP returns an RFC 9421-signed POST (hmac-sha256 over @method @authority @path content-digest, key id
// "k1") as a server would receive it, its body, and the key and policy that verify it.
func signedHTTP(t testing.TB, body []byte) (*http.Request, *MessageVerifyingKey, *MessagePolicy) {
	t.Helper()
	key := must(NewHMACKey("hmac-sha256", testSecret, "k1"))(t)
	signer := must(NewMessageSigner(key, "", MessageSignerOptions{
		Components: []string{"@method", "@authority", "@path", "content-digest"}}))(t)
	digest := must(ContentDigest(body, ""))(t)
	req := &Request{Method: "POST", Target: "/orders?x=1", Scheme: "https", Authority: "api.example.com",
		Headers: [][2]string{{"Content-Type", "application/json"}, {"Content-Digest", digest}}, Body: body}
	sig := must(signer.Sign(req))(t)
	hr := httptest.NewRequest("POST", "https://api.example.com/orders?x=1", bytes.NewReader(body))
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Content-Digest", digest)
	hr.Header.Set("Signature-Input", sig.Value("Signature-Input"))
	hr.Header.Set("Signature", sig.Value("Signature"))
	mkey := must(NewHMACMessageKey(key))(t)
	policy := must(NewMessagePolicy(MessagePolicyOptions{CheckContentDigest: true}))(t)
	return hr, mkey, policy
}

func TestHTTPRequestConversion(t *testing.T) {
	body := []byte(`{"order": 42}`)
	hr, key, policy := signedHTTP(t, body)
	direct, err := VerifyHTTPMessageSignature(hr, body, key, policy)
	if err != nil {
		t.Fatalf("VerifyHTTPMessageSignature: %v", err)
	}
	converted, err := VerifyMessageSignature(RequestFromHTTP(hr, body), key, policy)
	if err != nil {
		t.Fatalf("VerifyMessageSignature(RequestFromHTTP): %v", err)
	}
	if direct.KeyID != "k1" || !direct.BodyChecked || direct.Algorithm != "hmac-sha256" ||
		strings.Join(direct.Components(), " ") != `"@method" "@authority" "@path" "content-digest"` {
		t.Errorf("verified: %+v", direct)
	}
	if direct.KeyID != converted.KeyID || !direct.Created.Equal(converted.Created) ||
		strings.Join(direct.Components(), " ") != strings.Join(converted.Components(), " ") {
		t.Errorf("the two conversions differ: %+v vs %+v", direct, converted)
	}
	// The received body counts: a changed one fails the digest.
	if _, err := VerifyHTTPMessageSignature(hr, []byte(`{"order": 43}`), key, policy); !errors.Is(err, ErrBadSignature) {
		t.Errorf("tampered body: %v, want ErrBadSignature", err)
	}
	// The conversion keeps what the server received: TLS gives https, Host the authority, RequestURI the target.
	if got := RequestFromHTTP(hr, body); got.Scheme != "https" || got.Authority != "api.example.com" ||
		got.Target != hr.RequestURI {
		t.Errorf("converted: %+v", got)
	}
	if v, err := ParseHTTPMessageSignature(httptest.NewRequest("GET", "/", nil), nil, ""); v != nil || err != nil {
		t.Errorf("no signature: (%v, %v), want (nil, nil)", v, err)
	}
}

func TestMessageSignatureMiddleware(t *testing.T) {
	body := []byte(`{"order": 42}`)
	hr, key, policy := signedHTTP(t, body)
	var seen *Verified
	var seenBody []byte
	m := &MessageSignatureMiddleware{
		Policy: policy,
		Key: func(keyID string) (*MessageVerifyingKey, error) {
			if keyID != "k1" {
				return nil, ErrUnknownKey
			}
			return key, nil
		},
		Next: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seen = VerifiedFromContext(r.Context())
			seenBody, _ = io.ReadAll(r.Body)
		}),
	}
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, hr)
	if rec.Code != http.StatusOK || seen == nil || seen.KeyID != "k1" || !bytes.Equal(seenBody, body) {
		t.Fatalf("signed request: %d, %+v, body %q", rec.Code, seen, seenBody)
	}
	refused := func(what string, r *http.Request, reason string) {
		t.Helper()
		seen = nil
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, r)
		if rec.Code != http.StatusUnauthorized || seen != nil || strings.TrimSpace(rec.Body.String()) != reason {
			t.Errorf("%s: %d %q, want 401 %s", what, rec.Code, rec.Body.String(), reason)
		}
	}
	tampered, _, _ := signedHTTP(t, body)
	tampered.Body = io.NopCloser(strings.NewReader(`{"order": 43}`))
	refused("tampered body", tampered, "bad_signature")
	refused("no signature", httptest.NewRequest("POST", "https://api.example.com/orders?x=1",
		bytes.NewReader(body)), "no_credentials")
	other, _, _ := signedHTTP(t, body)
	other.Header.Set("Signature-Input", strings.Replace(other.Header.Get("Signature-Input"), `keyid="k1"`,
		`keyid="k2"`, 1))
	refused("unknown key id", other, "unknown_key")
	m.MaxBodyBytes = 4
	big, _, _ := signedHTTP(t, body)
	refused("body over MaxBodyBytes", big, "too_large")
}

// The conversion of an *http.Request (headers, target, body into the library's memory) on top of the verify
// itself: BenchmarkHTTPRequestParts alone.
func BenchmarkHTTPRequestParts(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 1024)
	hr, _, _ := signedHTTP(b, body)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, pb := httpParts(hr, body)
		blocks.Put(pb)
	}
}

// BenchmarkRFC9421VerifyHTTP: an *http.Request with a 1 KiB JSON body verified (conversion + one cgo call).
func BenchmarkRFC9421VerifyHTTP(b *testing.B) {
	body := []byte(`{"data":"` + strings.Repeat("a", 1024-11) + `"}`)
	hr, key, policy := signedHTTP(b, body)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := VerifyHTTPMessageSignature(hr, body, key, policy); err != nil {
			b.Fatal(err)
		}
	}
}
