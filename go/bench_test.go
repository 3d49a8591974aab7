package countermark

import (
	"crypto/hmac"
	"crypto/sha256"
	"testing"
	"time"
)

func benchTokens(b *testing.B) (*Tokens, string) {
	key, _ := NewHMACKey("hmac-sha256", testSecret, "")
	ring, _ := NewKeyRing(key)
	tokens, _ := NewTokens(ring, TokensOptions{})
	token, _ := tokens.Create("alice", "42")
	return tokens, token
}

// BenchmarkTokenVerify: one handshake token verified through cgo.
func BenchmarkTokenVerify(b *testing.B) {
	tokens, token := benchTokens(b)
	maxAge := time.Hour
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := tokens.Verify(token, &maxAge); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGoHMACSHA256: Go's own crypto/hmac over the same message a token verify MACs (the floor).
func BenchmarkGoHMACSHA256(b *testing.B) {
	_, token := benchTokens(b)
	msg := []byte(token[:len(token)-65])
	mac := hmac.New(sha256.New, testSecret)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		mac.Reset()
		mac.Write(msg)
		_ = mac.Sum(nil)
	}
}

// BenchmarkCgoCall: the cheapest library call, the cost of crossing cgo itself.
func BenchmarkCgoCall(b *testing.B) {
	for i := 0; i < b.N; i++ {
		_ = Code(300).IsVerificationError()
	}
}

// BenchmarkSignedURLValidate: one ska signed URL validated.
func BenchmarkSignedURLValidate(b *testing.B) {
	key, _ := NewLegacyHMACKey("hmac-sha1", []byte("your-secret-key"), "")
	ring, _ := NewKeyRing(key)
	urls, _ := NewURLSigner(ring, nil, nil)
	hour := time.Hour
	url, _ := urls.SignURL("https://example.com/api/", "user", &SignOptions{Lifetime: &hour,
		Extra: map[string]any{"email": "john.doe@mail.example.com"}})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := urls.ValidateURL(url); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRFC9421Verify: hmac-sha256 over @method @authority @path content-digest, with the digest checked and
// no nonce store (so the same request verifies every time).
func BenchmarkRFC9421Verify(b *testing.B) {
	key, _ := NewHMACKey("hmac-sha256", testSecret, "k1")
	signer, _ := NewMessageSigner(key, "", MessageSignerOptions{
		Components: []string{"@method", "@authority", "@path", "content-digest"}})
	body := []byte(`{"hello": "world"}`)
	digest, _ := ContentDigest(body, "")
	req := &Request{Method: "POST", Target: "/foo?param=Value", Authority: "example.com",
		Headers: [][2]string{{"Content-Type", "application/json"}, {"Content-Digest", digest}}, Body: body}
	sig, _ := signer.Sign(req)
	req.AddHeader("Signature-Input", sig.Value("Signature-Input"))
	req.AddHeader("Signature", sig.Value("Signature"))
	mkey, _ := NewHMACMessageKey(key)
	policy, err := NewMessagePolicy(MessagePolicyOptions{CheckContentDigest: true})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := VerifyMessageSignature(req, mkey, policy); err != nil {
			b.Fatal(err)
		}
	}
}
