// Package bench compares the Go binding's RFC 9421 verification with Go alternatives, in a module of its own so
// that the binding's module never depends on them.
//
// The comparison the issue asks for is against github.com/remitly-oss/httpsig-go and github.com/yaronf/httpsign.
// Neither could be fetched where these benchmarks were written (proxy.golang.org answered 403 for both, and
// there is no other route to them), so this module benchmarks the binding against the pure-Go floor of the same
// work instead: crypto/sha256 of the body checked against Content-Digest, then crypto/hmac (SHA-256) over the
// signature base, compared in constant time. A full RFC 9421 library does at least that much (it must also parse
// Signature-Input and Signature and build the base). To add the libraries, require them here and add one
// benchmark each verifying the same request with the same key.
package bench

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	countermark "github.com/countermark/countermark/go"
)

var secret = []byte("rfc9421-benchmark-secret-0123456789")

// A POST with a 1 KiB JSON body, signed with hmac-sha256 over @method @authority @path content-digest.
type fixture struct {
	body       []byte
	digest     string
	input      string
	signature  string
	params     string
	req        *countermark.Request
	hr         *http.Request
	key        *countermark.MessageVerifyingKey
	policy     *countermark.MessagePolicy
	authority  string
	path       string
	created    int64
	rawSig     []byte
	components []string
}

func newFixture(b testing.TB) *fixture {
	b.Helper()
	f := &fixture{authority: "api.example.com", path: "/orders"}
	f.body = []byte(`{"data":"` + strings.Repeat("a", 1024-11) + `"}`)
	f.components = []string{"@method", "@authority", "@path", "content-digest"}
	key, err := countermark.NewHMACKey("hmac-sha256", secret, "client-1")
	if err != nil {
		b.Fatal(err)
	}
	signer, err := countermark.NewMessageSigner(key, "", countermark.MessageSignerOptions{Components: f.components})
	if err != nil {
		b.Fatal(err)
	}
	if f.digest, err = countermark.ContentDigest(f.body, ""); err != nil {
		b.Fatal(err)
	}
	f.req = &countermark.Request{Method: "POST", Target: f.path, Scheme: "https", Authority: f.authority,
		Headers: [][2]string{{"Content-Type", "application/json"}, {"Content-Digest", f.digest}}, Body: f.body}
	sig, err := signer.Sign(f.req)
	if err != nil {
		b.Fatal(err)
	}
	f.input, f.signature = sig.Value("Signature-Input"), sig.Value("Signature")
	f.params = strings.TrimPrefix(f.input, "sig1=")
	f.req.AddHeader("Signature-Input", f.input)
	f.req.AddHeader("Signature", f.signature)
	f.rawSig, err = base64.StdEncoding.DecodeString(strings.TrimSuffix(strings.TrimPrefix(f.signature, "sig1=:"), ":"))
	if err != nil {
		b.Fatal(err)
	}
	f.hr = httptest.NewRequest("POST", "https://"+f.authority+f.path, bytes.NewReader(f.body))
	f.hr.RequestURI = f.path
	for _, h := range f.req.Headers {
		f.hr.Header.Add(h[0], h[1])
	}
	if f.key, err = countermark.NewHMACMessageKey(key); err != nil {
		b.Fatal(err)
	}
	// The policy checks the digest; no nonce store is involved (the signature has no nonce), so the same
	// request verifies on every iteration; the clock stays within the signature's window.
	if f.policy, err = countermark.NewMessagePolicy(countermark.MessagePolicyOptions{CheckContentDigest: true,
		RequiredComponents: f.components}); err != nil {
		b.Fatal(err)
	}
	return f
}

// BenchmarkBindingRFC9421Verify: the binding, from a countermark.Request (one cgo call).
func BenchmarkBindingRFC9421Verify(b *testing.B) {
	f := newFixture(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := countermark.VerifyMessageSignature(f.req, f.key, f.policy); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBindingRFC9421VerifyHTTP: the binding, from the server's *http.Request (conversion + one cgo call).
func BenchmarkBindingRFC9421VerifyHTTP(b *testing.B) {
	f := newFixture(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := countermark.VerifyHTTPMessageSignature(f.hr, f.body, f.key, f.policy); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGoFloorRFC9421: the least any Go verifier does: the body's SHA-256 against Content-Digest, then
// HMAC-SHA256 over the signature base (built from the request), compared in constant time. No header parsing.
func BenchmarkGoFloorRFC9421(b *testing.B) {
	f := newFixture(b)
	wantDigest := []byte(f.digest)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sum := sha256.Sum256(f.body)
		got := make([]byte, 0, 64)
		got = append(got, "sha-256=:"...)
		got = base64.StdEncoding.AppendEncode(got, sum[:])
		got = append(got, ':')
		if !hmac.Equal(got, wantDigest) {
			b.Fatal("digest")
		}
		var base strings.Builder
		base.Grow(256)
		base.WriteString(`"@method": POST` + "\n" + `"@authority": `)
		base.WriteString(f.hr.Host)
		base.WriteString("\n" + `"@path": `)
		base.WriteString(f.hr.URL.Path)
		base.WriteString("\n" + `"content-digest": `)
		base.WriteString(f.hr.Header.Get("Content-Digest"))
		base.WriteString("\n" + `"@signature-params": `)
		base.WriteString(f.params)
		mac := hmac.New(sha256.New, secret)
		mac.Write([]byte(base.String()))
		if !hmac.Equal(mac.Sum(nil), f.rawSig) {
			b.Fatal("signature")
		}
	}
}

// The floor computes what the binding verifies: a check that it is not measuring a wrong base.
func TestFloorMatchesBinding(t *testing.T) {
	f := newFixture(t)
	if _, err := countermark.VerifyMessageSignature(f.req, f.key, f.policy); err != nil {
		t.Fatal(err)
	}
	base := `"@method": POST` + "\n" + `"@authority": ` + f.authority + "\n" + `"@path": ` + f.path + "\n" +
		`"content-digest": ` + f.digest + "\n" + `"@signature-params": ` + f.params
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(base))
	if !hmac.Equal(mac.Sum(nil), f.rawSig) {
		t.Fatalf("the floor's signature base differs from the binding's:\n%s", base)
	}
}
