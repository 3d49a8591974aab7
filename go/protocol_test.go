package countermark

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

const protocolSecret = "cxqqF0m2Uel79+jSpBNQnMX/JjEjEpqdc0b4dypszaU="

func TestAPISecretFromBase64Strict(t *testing.T) {
	s := must(APISecretFromBase64Strict(protocolSecret))(t)
	if got := must(s.Base64())(t); got != protocolSecret {
		t.Fatalf("Base64() = %q, want the text read", got)
	}
	// The lenient reader takes a trailing newline; the strict one refuses it, and every other non-canonical text.
	lenient := must(APISecretFromBase64(protocolSecret + "\n"))(t)
	_ = lenient
	for _, text := range []string{protocolSecret + "\n", " " + protocolSecret, strings.TrimRight(protocolSecret, "="),
		strings.Replace(protocolSecret, "aU=", "aV=", 1), "c2hvcnQ=", ""} {
		if _, err := APISecretFromBase64Strict(text); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("APISecretFromBase64Strict(%q) = %v, want ErrInvalidKey", text, err)
		}
	}
}

func TestAPISecretDerivedKeys(t *testing.T) {
	s := must(APISecretFromBase64Strict(protocolSecret))(t)
	raw, _ := base64.StdEncoding.DecodeString(protocolSecret)
	fost := must(s.FostKey())(t)
	byText := must(NewHMACKey("hmac-sha1", []byte(protocolSecret), ""))(t)
	rfc := must(s.MessageSignatureKey())(t)
	byBytes := must(NewHMACKey("hmac-sha256", raw, ""))(t)
	tag := func(k *HMACKey) []byte { return must(k.Sign([]byte("msg")))(t) }
	if !bytes.Equal(tag(fost), tag(byText)) {
		t.Error("FostKey is not HMAC-SHA1 keyed with the base64 text")
	}
	if !bytes.Equal(tag(rfc), tag(byBytes)) {
		t.Error("MessageSignatureKey is not HMAC-SHA256 keyed with the decoded bytes")
	}
	if bytes.Equal(tag(rfc), tag(must(NewHMACKey("hmac-sha256", []byte(protocolSecret), ""))(t))) {
		t.Error("MessageSignatureKey must not be keyed with the text")
	}
}

func TestSignWithDefaultCoverage(t *testing.T) {
	s := must(APISecretFromBase64Strict(protocolSecret))(t)
	key := must(s.MessageSignatureKey())(t)
	signer := must(NewMessageSigner(key, "", MessageSignerOptions{KeyID: "k1", Components: []string{"@method"}}))(t)
	vk := must(NewHMACMessageKey(key))(t)
	cases := []struct {
		target, body, components string
		digest                   bool
	}{
		{"https://e.com/a", "", `sig1=("@method" "@authority" "@path");`, false},
		{"https://e.com/a?b=c", "", `sig1=("@method" "@authority" "@path" "@query");`, false},
		{"https://e.com/a?b", `{"id": 42}`, `sig1=("@method" "@authority" "@path" "@query" "content-digest");`, true},
	}
	for _, c := range cases {
		req := &Request{Method: "POST", Target: c.target}
		if c.body != "" {
			req.Body = []byte(c.body)
		}
		claims := must(signer.SignWithDefaultCoverage(req))(t)
		if len(req.Headers) != 0 {
			t.Fatalf("%s: the request was changed", c.target)
		}
		if got := claims.Value("Signature-Input"); !strings.HasPrefix(got, c.components) {
			t.Errorf("%s: Signature-Input %q, want prefix %q", c.target, got, c.components)
		}
		digest := claims.Value("Content-Digest")
		if (digest != "") != c.digest {
			t.Errorf("%s: Content-Digest %q, want one: %v", c.target, digest, c.digest)
		}
		if digest != "" {
			req.AddHeader("Content-Digest", digest)
		}
		req.AddHeader("Signature-Input", claims.Value("Signature-Input"))
		req.AddHeader("Signature", claims.Value("Signature"))
		policy := must(NewMessagePolicy(MessagePolicyOptions{CheckContentDigest: c.digest}))(t)
		if _, err := VerifyMessageSignature(req, vk, policy); err != nil {
			t.Errorf("%s: verify: %v", c.target, err)
		}
		if c.digest {
			req.Body = []byte(`{"id": 43}`)
			if _, err := VerifyMessageSignature(req, vk, policy); !errors.Is(err, ErrBadSignature) {
				t.Errorf("%s: tampered body: %v, want ErrBadSignature", c.target, err)
			}
		}
	}
}

func TestDecoyAndDefaultPublicMessageKey(t *testing.T) {
	for _, kt := range []string{"ed25519", "ecdsa-p256"} {
		d := must(DecoyVerifyingKey(kt))(t)
		must(NewDefaultPublicMessageKey(d))(t)
	}
	if _, err := DecoyVerifyingKey("rsa"); !errors.Is(err, ErrUnsupportedAlgorithm) {
		t.Errorf("DecoyVerifyingKey(rsa) = %v, want ErrUnsupportedAlgorithm", err)
	}
	if _, err := DecoyVerifyingKey("p256"); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("DecoyVerifyingKey(p256) = %v, want ErrInvalidValue", err)
	}
	// A signature by a real Ed25519 key verifies under its default algorithm, and never under a decoy's.
	sk := must(SigningKeyFromPEM([]byte(tamperEd25519PEM)))(t)
	signer := must(NewMessageSigner(sk, "ed25519", MessageSignerOptions{}))(t)
	req := &Request{Method: "GET", Target: "https://e.com/a"}
	claims := must(signer.SignWithDefaultCoverage(req))(t)
	req.AddHeader("Signature-Input", claims.Value("Signature-Input"))
	req.AddHeader("Signature", claims.Value("Signature"))
	policy := must(NewMessagePolicy(MessagePolicyOptions{}))(t)
	vk := must(NewDefaultPublicMessageKey(must(sk.VerifyingKey())(t)))(t)
	if _, err := VerifyMessageSignature(req, vk, policy); err != nil {
		t.Errorf("verify under the default algorithm: %v", err)
	}
	decoy := must(NewDefaultPublicMessageKey(must(DecoyVerifyingKey("ed25519"))(t)))(t)
	if _, err := VerifyMessageSignature(req, decoy, policy); !errors.Is(err, ErrBadSignature) {
		t.Errorf("verify under a decoy: %v, want ErrBadSignature", err)
	}
}
