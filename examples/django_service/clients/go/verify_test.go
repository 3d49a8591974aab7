package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	countermark "github.com/countermark/countermark/go"
)

// signed is one request as a server sees it, with the header lines a signer printed.
type signed struct {
	scheme, method, url, contentType, keyID, user, secretText string
	body, pem                                                 []byte
	output                                                    string
}

// serverRequest builds the request as a server does: the origin-form target, the scheme and authority from
// its own configuration, Content-Type, the body and the signer's header lines.
func (s signed) serverRequest() (*countermark.Request, error) {
	scheme, rest, ok := strings.Cut(s.url, "://")
	if !ok {
		return nil, fmt.Errorf("not an absolute URL: %q", s.url)
	}
	rest, _, _ = strings.Cut(rest, "#")
	cut := strings.IndexAny(rest, "/?")
	authority, target := rest, "/"
	if cut >= 0 {
		authority, target = rest[:cut], rest[cut:]
		if strings.HasPrefix(target, "?") {
			target = "/" + target
		}
	}
	req := &countermark.Request{Method: s.method, Target: target, Scheme: scheme, Authority: authority, Body: s.body}
	if s.contentType != "" {
		req.AddHeader("Content-Type", s.contentType)
	}
	if s.output == "" || !strings.HasSuffix(s.output, "\n") {
		return nil, fmt.Errorf("the output must be header lines, each ending in a newline: %q", s.output)
	}
	for _, line := range strings.Split(strings.TrimSuffix(s.output, "\n"), "\n") {
		name, value, ok := strings.Cut(line, ": ")
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, fmt.Errorf("not a `Name: value` line: %q", line)
		}
		req.AddHeader(name, value)
	}
	return req, nil
}

// verify checks the signature with the library's verifiers, under their default policies.
func (s signed) verify() error {
	req, err := s.serverRequest()
	if err != nil {
		return err
	}
	expect := func(name, got, want string) error {
		if got != want {
			return fmt.Errorf("verified %s is %q, want %q", name, got, want)
		}
		return nil
	}
	// Phase one answers (nil, nil) for a request without credentials of the scheme.
	parsedOK := func(v *countermark.Verified, err error) error {
		if err != nil {
			return fmt.Errorf("parse: %w", err)
		}
		if v == nil {
			return fmt.Errorf("parse: no credentials of the scheme")
		}
		return nil
	}
	switch s.scheme {
	case "hmac":
		if err := parsedOK(countermark.ParseHMACHeader(req)); err != nil {
			return err
		}
		secret, err := countermark.APISecretFromBase64(s.secretText)
		if err != nil {
			return err
		}
		policy, err := countermark.NewHMACHeaderPolicy(countermark.HMACHeaderPolicyOptions{})
		if err != nil {
			return err
		}
		v, err := countermark.VerifyHMACHeader(req, secret, policy)
		if err != nil {
			return err
		}
		return expect("key id", v.KeyID, s.keyID)
	case "fost":
		if err := parsedOK(countermark.ParseFost(req)); err != nil {
			return err
		}
		key, err := countermark.NewHMACKey("hmac-sha1", []byte(s.secretText), "")
		if err != nil {
			return err
		}
		policy, err := countermark.NewFostPolicy(countermark.FostPolicyOptions{})
		if err != nil {
			return err
		}
		v, err := countermark.VerifyFost(req, key, policy)
		if err != nil {
			return err
		}
		if s.contentType != "" {
			ct, _ := v.Item("Content-Type")
			if err := expect("signed Content-Type", ct, s.contentType); err != nil {
				return err
			}
		}
		return expect("key id", v.KeyID, s.keyID)
	case "rfc9421":
		parsed, err := countermark.ParseMessageSignature(req, "sig1")
		if err := parsedOK(parsed, err); err != nil {
			return err
		}
		if err := expect("claimed key id", parsed.KeyID, s.keyID); err != nil {
			return err
		}
		raw, err := base64.StdEncoding.DecodeString(s.secretText)
		if err != nil {
			return err
		}
		key, err := countermark.NewHMACKey("hmac-sha256", raw, "")
		if err != nil {
			return err
		}
		vk, err := countermark.NewHMACMessageKey(key)
		if err != nil {
			return err
		}
		required := []string{"@method", "@authority", "@path"}
		if hasQuery(s.url) {
			required = append(required, "@query")
		}
		if len(s.body) > 0 {
			required = append(required, "content-digest")
		}
		// A policy that checks Content-Digest requires the signature to cover it: only for requests with a body.
		yes := true
		policy, err := countermark.NewMessagePolicy(countermark.MessagePolicyOptions{
			Label: "sig1", RequiredComponents: required, CheckContentDigest: len(s.body) > 0, RequireKeyID: &yes, RequireNonce: &yes,
		})
		if err != nil {
			return err
		}
		v, err := countermark.VerifyMessageSignature(req, vk, policy)
		if err != nil {
			return err
		}
		want := `"` + strings.Join(required, `" "`) + `"`
		if got := strings.Join(v.Components(), " "); got != want {
			return fmt.Errorf("covered components are %s, want %s", got, want)
		}
		if err := expect("algorithm", v.Algorithm, "hmac-sha256"); err != nil {
			return err
		}
		if len(s.body) > 0 && !v.BodyChecked {
			return fmt.Errorf("the body was not checked")
		}
		return expect("key id", v.KeyID, s.keyID)
	case "jwt":
		parsed, err := countermark.ParseJWTRequest(req)
		if err := parsedOK(parsed, err); err != nil {
			return err
		}
		key, err := countermark.SigningKeyFromPEM(s.pem)
		if err != nil {
			return err
		}
		public, err := key.VerifyingKey()
		if err != nil {
			return err
		}
		policy, err := countermark.NewJWTPolicy(countermark.JWTPolicyOptions{})
		if err != nil {
			return err
		}
		v, err := countermark.VerifyJWT(parsed.Token, []*countermark.VerifyingKey{public}, policy)
		if err != nil {
			return err
		}
		return expect("user", v.User, s.user)
	}
	return fmt.Errorf("unknown scheme %q", s.scheme)
}

// TestVerifyHeaders verifies the output of any of the three signers (check-signers.sh runs it once per
// signature, right after signing): CHECK_SCHEME, CHECK_METHOD, CHECK_URL, CHECK_BODY_FILE, CHECK_CONTENT_TYPE,
// CHECK_KEY_ID, CHECK_USER, CHECK_PEM (file), CHECK_HEADERS (file: the signer's stdout) and COUNTERMARK_SECRET.
func TestVerifyHeaders(t *testing.T) {
	headersFile := os.Getenv("CHECK_HEADERS")
	if headersFile == "" {
		t.Skip("CHECK_HEADERS not set: run by check-signers.sh")
	}
	read := func(env string) []byte {
		if os.Getenv(env) == "" {
			return nil
		}
		b, err := os.ReadFile(os.Getenv(env))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	s := signed{
		scheme: os.Getenv("CHECK_SCHEME"), method: os.Getenv("CHECK_METHOD"), url: os.Getenv("CHECK_URL"),
		contentType: os.Getenv("CHECK_CONTENT_TYPE"), keyID: os.Getenv("CHECK_KEY_ID"), user: os.Getenv("CHECK_USER"),
		secretText: os.Getenv(secretEnv), body: read("CHECK_BODY_FILE"), pem: read("CHECK_PEM"),
		output: string(read("CHECK_HEADERS")),
	}
	if err := s.verify(); err != nil {
		t.Fatalf("%s %s %s: %v\noutput:\n%s", s.scheme, s.method, s.url, err, s.output)
	}
}

// TestSignThenVerify signs in-process with every scheme, a POST with a JSON body and a GET with a query, and
// verifies; then checks that a changed body or method is refused where the scheme signs it, and that usage
// errors exit 2.
func TestSignThenVerify(t *testing.T) {
	dir := t.TempDir()
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		t.Fatal(err)
	}
	secret := base64.StdEncoding.EncodeToString(raw)
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	pemFile := filepath.Join(dir, "key.pem")
	bodyFile := filepath.Join(dir, "body.json")
	body := []byte(`{"amount": 12, "items": ["a", "b"]}`)
	for name, b := range map[string][]byte{pemFile: pemBytes, bodyFile: body} {
		if err := os.WriteFile(name, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv(secretEnv, secret)

	for _, scheme := range []string{"hmac", "fost", "rfc9421", "jwt"} {
		for _, post := range []bool{true, false} {
			s := signed{scheme: scheme, keyID: "client-1", user: "alice", secretText: secret, pem: pemBytes}
			argv := []string{scheme, "--key-id", s.keyID, "--user", s.user, "--private-key-file", pemFile}
			if post {
				s.method, s.url, s.contentType, s.body = "POST", "https://api.example.com:8443/v1/orders/", "application/json", body
				argv = append(argv, "--body-file", bodyFile, "--content-type", s.contentType)
			} else {
				s.method, s.url = "GET", "https://api.example.com/v1/orders/?page=2&q=a%20b"
			}
			argv = append(argv, "--method", s.method, "--url="+s.url)
			var out, errOut bytes.Buffer
			if code := run(argv, &out, &errOut); code != 0 {
				t.Fatalf("%s %s: exit %d: %s", scheme, s.method, code, errOut.String())
			}
			s.output = out.String()
			if err := s.verify(); err != nil {
				t.Fatalf("%s %s: %v\n%s", scheme, s.method, err, s.output)
			}
			if post && scheme != "jwt" {
				tampered := s
				tampered.body = []byte(`{"amount": 13, "items": ["a", "b"]}`)
				if err := tampered.verify(); err == nil {
					t.Errorf("%s: a changed body was accepted", scheme)
				}
			}
			if scheme == "fost" || scheme == "rfc9421" {
				tampered := s
				tampered.method = "DELETE"
				if err := tampered.verify(); err == nil {
					t.Errorf("%s: a changed method was accepted", scheme)
				}
			}
		}
	}

	for _, argv := range [][]string{
		{},
		{"nope", "--key-id", "k", "--method", "GET", "--url", "https://e.com/"},
		{"hmac", "--method", "GET", "--url", "https://e.com/"},
		{"hmac", "--key-id", "k", "--method", "GET", "--url", "/relative"},
		{"hmac", "--key-id", "k", "--key-id", "k", "--method", "GET", "--url", "https://e.com/"},
		{"jwt", "--user", "alice", "--method", "GET", "--url", "https://e.com/"},
		{"fost", "--key-id", "k", "--method", "GET", "--url", "https://e.com/", "--bogus", "x"},
	} {
		var out, errOut bytes.Buffer
		if code := run(argv, &out, &errOut); code != exitUsage || out.Len() != 0 || errOut.Len() == 0 {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2, a message and no output", argv, code, out.String(), errOut.String())
		}
	}
	t.Setenv(secretEnv, secret+"\n")
	var out, errOut bytes.Buffer
	if code := run([]string{"fost", "--key-id", "k", "--method", "GET", "--url", "https://e.com/"}, &out, &errOut); code != exitUsage {
		t.Errorf("a secret with a newline: exit %d, want 2", code)
	}
	t.Setenv(secretEnv, secret)
	out.Reset()
	errOut.Reset()
	notJSON := filepath.Join(dir, "body.txt")
	if err := os.WriteFile(notJSON, []byte("plain text"), 0o600); err != nil {
		t.Fatal(err)
	}
	argv := []string{"hmac", "--key-id", "k", "--method", "POST", "--url", "https://e.com/", "--body-file", notJSON,
		"--content-type", "text/plain"}
	if code := run(argv, &out, &errOut); code != exitSigning || out.Len() != 0 {
		t.Errorf("hmac with a text body: exit %d, stdout %q; want exit 1 and no output", code, out.String())
	}
}

// hasQuery reports whether the URL has a query (a '?' before any fragment): the test's own reading of the
// default coverage, independent of the library's.
func hasQuery(url string) bool {
	url, _, _ = strings.Cut(url, "#")
	return strings.Contains(url, "?")
}
