package countermark

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef")

// One key, ring, token object, URL signer and RFC 9421 verifier shared by 8 goroutines (run under -race).
func TestConcurrentVerify(t *testing.T) {
	key, err := NewHMACKey("hmac-sha256", testSecret, "k1")
	if err != nil {
		t.Fatal(err)
	}
	defer key.Close()
	ring, _ := NewKeyRing(key)
	defer ring.Close()
	tokens, _ := NewTokens(ring, TokensOptions{})
	defer tokens.Close()
	urls, _ := NewURLSigner(ring, nil, nil)
	defer urls.Close()
	signer, err := NewMessageSigner(key, "", MessageSignerOptions{
		Components: []string{"@method", "@authority", "@path", "content-digest"}, RandomNonces: true})
	if err != nil {
		t.Fatal(err)
	}
	defer signer.Close()
	mkey, _ := NewHMACMessageKey(key)
	defer mkey.Close()
	require := true
	policy, err := NewMessagePolicy(MessagePolicyOptions{RequireNonce: &require, CheckContentDigest: true})
	if err != nil {
		t.Fatal(err)
	}
	defer policy.Close()

	token, _ := tokens.Create("alice", "42")
	url, _ := urls.SignURL("https://example.com/file", "alice", nil)
	var failures atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 250; i++ {
				if v, err := tokens.Verify(token, dur(time.Minute)); err != nil || v.Items[0].Value != "alice" {
					failures.Add(1)
				}
				if _, err := urls.ValidateURL(url); err != nil {
					failures.Add(1)
				}
				body := []byte(fmt.Sprintf(`{"g":%d,"i":%d}`, g, i))
				digest, _ := ContentDigest(body, "")
				req := &Request{Method: "POST", Target: fmt.Sprintf("/items/%d/%d", g, i), Authority: "example.com",
					Headers: [][2]string{{"Content-Digest", digest}}, Body: body}
				sig, err := signer.Sign(req)
				if err != nil {
					failures.Add(1)
					continue
				}
				req.AddHeader("Signature-Input", sig.Value("Signature-Input"))
				req.AddHeader("Signature", sig.Value("Signature"))
				if _, err := VerifyMessageSignature(req, mkey, policy); err != nil {
					failures.Add(1)
				}
				if _, err := VerifyMessageSignature(req, mkey, policy); !errors.Is(err, ErrReplayed) {
					failures.Add(1)
				}
			}
		}(g)
	}
	wg.Wait()
	if n := failures.Load(); n != 0 {
		t.Fatalf("%d unexpected results", n)
	}
}

// Of 16 goroutines offering the same nonce, exactly one wins.
func TestConcurrentNonce(t *testing.T) {
	store, _ := NewMemoryNonceStore(1000)
	defer store.Close()
	for round := 0; round < 50; round++ {
		var wins atomic.Int64
		var wg sync.WaitGroup
		for g := 0; g < 16; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				switch err := store.CheckAndInsert([]byte(fmt.Sprint("n", round)), time.Minute, nil); {
				case err == nil:
					wins.Add(1)
				case !errors.Is(err, ErrReplayed):
					t.Errorf("unexpected %v", err)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("round %d: %d winners", round, wins.Load())
		}
	}
}

// Thousands of handles dropped without Close: the finalizers free them (the GOGC=1 run makes this bite).
func TestFinalizers(t *testing.T) {
	for i := 0; i < 2000; i++ {
		key, err := NewHMACKey("hmac-sha256", testSecret, "")
		if err != nil {
			t.Fatal(err)
		}
		ring, _ := NewKeyRing(key)
		tokens, _ := NewTokens(ring, TokensOptions{})
		if _, err := tokens.Create("x"); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.GC()
}

// Close is idempotent, and a closed object gives an error instead of crashing.
func TestCloseTwiceAndUseAfterClose(t *testing.T) {
	key, _ := NewHMACKey("hmac-sha256", testSecret, "")
	ring, _ := NewKeyRing(key)
	tokens, _ := NewTokens(ring, TokensOptions{})
	tokens.Close()
	tokens.Close()
	if _, err := tokens.Create("x"); !errors.Is(err, ErrNullParameter) {
		t.Fatalf("use after Close: %v", err)
	}
	key.Close()
	ring.Close()
}

func TestErrors(t *testing.T) {
	key, _ := NewHMACKey("hmac-sha256", testSecret, "")
	defer key.Close()
	err := key.Verify([]byte("m"), []byte("not the tag"))
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeBadSignature || !errors.Is(err, ErrBadSignature) || errors.Is(err, ErrExpired) {
		t.Fatalf("got %#v", err)
	}
	if e.Message == "" || e.Code.Name() != "bad_signature" || !e.Code.IsVerificationError() {
		t.Fatalf("message %q name %q", e.Message, e.Code.Name())
	}
	if _, err := NewHMACKey("md4", testSecret, ""); !errors.Is(err, ErrUnsupportedAlgorithm) {
		t.Fatalf("md4: %v", err)
	}
	if _, err := NewHMACKey("hmac-sha256", []byte("short"), ""); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("short: %v", err)
	}
	if Version() == "" || abiVersion != 1 {
		t.Fatal("version")
	}
}
