package countermark

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Every scheme refuses a tampered signature with its exact error code, and accepts the same credential
// untampered, in the same test: handshake tokens, ska signed parameters, FOST requests, FOST URLs, the HMAC
// header, RFC 9421 and JWT.
//
// Each scheme makes a credential at a fixed time; only its signature is then replaced, by the empty string, by
// the signature truncated by one encoded group (one byte of hex; the last group of base64, so it still decodes
// and the comparison itself must refuse it) and by the signature with one byte changed (its first character
// replaced by the next one of its alphabet). The refused attempts go first; the untampered credential is then
// accepted by the same verifier and policy (so the attempts did not use up its nonce).

const (
	tamperNow = 1700000000
	hexChars  = "0123456789abcdef"
	b64Chars  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	b64URL    = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	// The Ed25519 test key of asymmetric-jwt-auth's vectors (published: tests only).
	tamperEd25519PEM = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIPgz7Ekv7cWzMyO1kHf/rqYkgkxqBaoPyOEzBlkIfGTO\n" +
		"-----END PRIVATE KEY-----\n"
)

// tamperScheme is a valid signature, its alphabet, and a verifier of the credential carrying a given signature.
type tamperScheme struct {
	sig      string
	alphabet string
	verify   func(sig string) error
}

// must(f())(t) is f's value, closed when t ends; f's error fails t.
func must[T any](v T, err error) func(t testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if c, ok := any(v).(interface{ Close() error }); ok {
			t.Cleanup(func() { c.Close() })
		}
		return v
	}
}

func tamperClock(t *testing.T, secs int64) *Clock {
	return must(FixedClock(time.Unix(secs, 0)))(t)
}

// tamperRequest is POST /items?page=2 to api.example.com with a JSON body, plus extra header lines.
func tamperRequest(extra ...[2]string) *Request {
	return &Request{Method: "POST", Target: "/items?page=2", Scheme: "https", Authority: "api.example.com",
		Headers: append([][2]string{{"Host", "api.example.com"}, {"Content-Type", "application/json"}}, extra...),
		Body:    []byte(`{"n": 1}`)}
}

// headerLines are the claims before `stop` as header lines; the one named carrier holds the signature, which
// with(sig) replaces.
func headerLines(t *testing.T, c Claims, stop, carrier, sig string) func(sig string) [][2]string {
	t.Helper()
	var lines [][2]string
	at := -1
	for _, cl := range c {
		if cl.Name == stop {
			break
		}
		if cl.Name == carrier {
			at = len(lines)
		}
		lines = append(lines, [2]string{cl.Name, cl.Value})
	}
	if at < 0 || !strings.Contains(lines[at][1], sig) {
		t.Fatalf("no %s line carrying the signature in %v", carrier, c)
	}
	return func(s string) [][2]string {
		out := append([][2]string(nil), lines...)
		out[at][1] = strings.Replace(lines[at][1], sig, s, 1)
		return out
	}
}

func tamperHandshake(t *testing.T) tamperScheme {
	key := must(NewHMACKey("hmac-sha256", []byte("handshake-secret-0123456789abcdef"), ""))(t)
	tokens := must(NewTokens(must(NewKeyRing(key))(t), TokensOptions{Clock: tamperClock(t, tamperNow)}))(t)
	token := must(tokens.Create("alice", "42"))(t)
	i := strings.LastIndexByte(token, ':')
	return tamperScheme{token[i+1:], hexChars, func(s string) error {
		_, err := tokens.Verify(token[:i+1]+s, dur(300*time.Second))
		return err
	}}
}

func tamperSka(t *testing.T) tamperScheme {
	key := must(NewHMACKey("hmac-sha256", []byte("ska-secret-0123456789abcdef"), ""))(t)
	signer := must(NewURLSigner(must(NewKeyRing(key))(t), tamperClock(t, tamperNow), nil))(t)
	params := must(signer.SignParams("alice", &SignOptions{Lifetime: dur(600 * time.Second),
		ExtraJSON: `{"scope": "read"}`}))(t)
	return tamperScheme{params.Value("signature"), b64Chars, func(s string) error {
		var pairs [][2]string
		for _, p := range params {
			if p.Name == "signature" {
				p.Value = s
			}
			pairs = append(pairs, [2]string{p.Name, p.Value})
		}
		_, err := signer.Validate(pairs)
		return err
	}}
}

func tamperFostRequest(t *testing.T) tamperScheme {
	key := must(NewLegacyHMACKey("hmac-sha1", []byte("fost-secret-value"), ""))(t)
	signer := must(NewFostSigner("fost-key", key, tamperClock(t, tamperNow)))(t)
	policy := must(NewFostPolicy(FostPolicyOptions{Clock: tamperClock(t, tamperNow)}))(t)
	signed := must(signer.Sign(tamperRequest(), nil, ""))(t)
	sig := signed.Value("signature")
	with := headerLines(t, signed, "signature", "Authorization", sig)
	return tamperScheme{sig, b64Chars, func(s string) error {
		_, err := VerifyFost(tamperRequest(with(s)...), key, policy)
		return err
	}}
}

func tamperFostURL(t *testing.T) tamperScheme {
	key := must(NewLegacyHMACKey("hmac-sha1", []byte("fost-secret-value"), ""))(t)
	signer := must(NewFostURLSigner("fost-key", key))(t)
	policy := must(NewFostPolicy(FostPolicyOptions{Clock: tamperClock(t, tamperNow)}))(t)
	expires := int64(tamperNow + 600)
	signed := must(signer.Sign("https://api.example.com/file?a=1", &expires))(t)
	head, _, ok := strings.Cut(strings.TrimPrefix(signed.Value("url"), "https://api.example.com"), "&_s=")
	if !ok {
		t.Fatalf("no _s in %q", signed.Value("url"))
	}
	return tamperScheme{signed.Value("signature"), b64Chars, func(s string) error {
		_, err := VerifyFostURL(&Request{Method: "GET", Target: head + "&_s=" + url.QueryEscape(s), Scheme: "https",
			Authority: "api.example.com", Headers: [][2]string{{"Host", "api.example.com"}}}, key, policy)
		return err
	}}
}

func tamperHMACHeader(t *testing.T) tamperScheme {
	secret := must(APISecretFromBase64("aG1hYy1oZWFkZXItc2VjcmV0LTAxMjM0NTY3ODlhYmNkZWY="))(t)
	signer := must(NewHMACHeaderSigner("api-key", secret, "hmac-sha256", tamperClock(t, tamperNow)))(t)
	// Stamped at now is "in the future" (the reference's rule): verify a second later.
	policy := must(NewHMACHeaderPolicy(HMACHeaderPolicyOptions{Clock: tamperClock(t, tamperNow+1)}))(t)
	signed := must(signer.Sign(tamperRequest(), ""))(t)
	sig := signed.Value("signature")
	with := headerLines(t, signed, "signature", "Authorization", sig)
	return tamperScheme{sig, b64Chars, func(s string) error {
		_, err := VerifyHMACHeader(tamperRequest(with(s)...), secret, policy)
		return err
	}}
}

func tamperRFC9421(t *testing.T) tamperScheme {
	key := must(NewHMACKey("hmac-sha256", []byte("rfc9421-shared-secret-0123456789"), "client-1"))(t)
	signer := must(NewMessageSigner(key, "", MessageSignerOptions{Clock: tamperClock(t, tamperNow),
		Components: []string{`"@method"`, `"@authority"`, `"@path"`, `"@query"`}, RandomNonces: true}))(t)
	require := true
	policy := must(NewMessagePolicy(MessagePolicyOptions{Clock: tamperClock(t, tamperNow), RequireNonce: &require}))(t)
	vkey := must(NewHMACMessageKey(key))(t)
	signed := must(signer.Sign(tamperRequest()))(t)
	value := signed.Value("Signature")
	if !strings.HasPrefix(value, "sig1=:") || !strings.HasSuffix(value, ":") || len(value) < 8 {
		t.Fatalf("Signature %q", value)
	}
	sig := value[len("sig1=:") : len(value)-1]
	with := headerLines(t, signed, "label", "Signature", sig)
	return tamperScheme{sig, b64Chars, func(s string) error {
		_, err := VerifyMessageSignature(tamperRequest(with(s)...), vkey, policy)
		return err
	}}
}

func tamperJWT(t *testing.T) tamperScheme {
	sk := must(SigningKeyFromPEM([]byte(tamperEd25519PEM)))(t)
	vk := must(sk.VerifyingKey())(t)
	policy := must(NewJWTPolicy(JWTPolicyOptions{Clock: tamperClock(t, tamperNow)}))(t)
	token := must(SignJWT(sk, "alice", tamperClock(t, tamperNow)))(t)
	i := strings.LastIndexByte(token, '.')
	return tamperScheme{token[i+1:], b64URL, func(s string) error {
		_, err := VerifyJWT(token[:i+1]+s, []*VerifyingKey{vk}, policy)
		return err
	}}
}

func TestTamperedSignatureRefusedUntamperedAccepted(t *testing.T) {
	// The exact error of each tampering: empty, truncated, one byte changed. An empty signature leaves no
	// credentials (FOST, HMAC header) or is malformed (an empty FOST `_s`, an empty RFC 9421 member) where the
	// format cannot carry one; where it can (handshake, ska, JWT), its comparison fails.
	for _, tc := range []struct {
		name string
		make func(*testing.T) tamperScheme
		want [3]*Error
	}{
		{"handshake", tamperHandshake, [3]*Error{ErrBadSignature, ErrBadSignature, ErrBadSignature}},
		{"ska", tamperSka, [3]*Error{ErrBadSignature, ErrBadSignature, ErrBadSignature}},
		{"fost_request", tamperFostRequest, [3]*Error{ErrNoCredentials, ErrBadSignature, ErrBadSignature}},
		{"fost_url", tamperFostURL, [3]*Error{ErrMalformed, ErrBadSignature, ErrBadSignature}},
		{"hmac_header", tamperHMACHeader, [3]*Error{ErrNoCredentials, ErrBadSignature, ErrBadSignature}},
		{"rfc9421", tamperRFC9421, [3]*Error{ErrMalformed, ErrBadSignature, ErrBadSignature}},
		{"jwt", tamperJWT, [3]*Error{ErrBadSignature, ErrBadSignature, ErrBadSignature}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.make(t)
			if len(s.sig) < 8 || !strings.ContainsRune(s.alphabet, rune(s.sig[0])) {
				t.Fatalf("signature %q", s.sig)
			}
			// One hex byte, or the last base64 group (a JWT's unpadded tail, else 4 characters).
			group := 2
			if s.alphabet != hexChars {
				if group = len(s.sig) % 4; group == 0 {
					group = 4
				}
			}
			next := s.alphabet[(strings.IndexByte(s.alphabet, s.sig[0])+1)%len(s.alphabet)]
			for i, sig := range []string{"", s.sig[:len(s.sig)-group], string(next) + s.sig[1:]} {
				what := [3]string{"empty", "truncated", "one byte changed"}[i]
				var got *Error
				if err := s.verify(sig); !errors.As(err, &got) || got.Code != tc.want[i].Code {
					t.Errorf("%s signature %q: got %v, want %s", what, sig, err, tc.want[i].Code.Name())
				}
			}
			if err := s.verify(s.sig); err != nil {
				t.Errorf("untampered signature refused: %v", err)
			}
		})
	}
}
