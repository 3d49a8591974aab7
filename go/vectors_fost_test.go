package countermark

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// vecRawKey is the key under which loadVectors keeps each case's raw JSON (for fields whose key order matters).
const vecRawKey = "\x00raw"

// loadVectors reads one vector file from $COUNTERMARK_VECTORS (default ../../shared/vectors relative to go/):
// the root object and its cases. Numbers are json.Number (their text survives); the root and each case also hold
// their raw JSON under vecRawKey.
func loadVectors(t *testing.T, file string) (root map[string]any, cases []map[string]any) {
	t.Helper()
	dir := os.Getenv("COUNTERMARK_VECTORS")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "vectors")
	}
	data, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatalf("the vectors are required: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil || root == nil {
		t.Fatalf("%s: the root is not an object: %v", file, err)
	}
	root[vecRawKey] = json.RawMessage(data)
	var doc struct {
		Cases []json.RawMessage `json:"cases"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if len(doc.Cases) == 0 {
		t.Fatalf("%s has no cases", file)
	}
	for i, raw := range doc.Cases {
		var c map[string]any
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		if err := d.Decode(&c); err != nil || c == nil {
			t.Fatalf("%s: case %d is not an object: %v", file, i, err)
		}
		c[vecRawKey] = raw
		cases = append(cases, c)
	}
	return root, cases
}

// caseID is the case's id (or its index when it has none).
func caseID(c map[string]any, i int) string {
	if id, ok := c["id"].(string); ok && id != "" {
		return id
	}
	return fmt.Sprintf("case-%d-without-id", i)
}

// vStr is the string field key of m ("" and false when absent or not a string).
func vStr(m map[string]any, key string) (string, bool) {
	s, ok := m[key].(string)
	return s, ok
}

// vMustStr is a required string field.
func vMustStr(t *testing.T, m map[string]any, key string) string {
	t.Helper()
	s, ok := vStr(m, key)
	if !ok {
		t.Fatalf("case lacks the string field %q (cannot be driven)", key)
	}
	return s
}

// vObj is an object field (nil when absent).
func vObj(m map[string]any, key string) map[string]any {
	o, _ := m[key].(map[string]any)
	return o
}

// vInt is an integer field.
func vInt(m map[string]any, key string) (int64, bool) {
	n, ok := m[key].(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return i, err == nil
}

// vRawField is the raw JSON of one of a case's fields (its key order intact).
func vRawField(t *testing.T, c map[string]any, field string) json.RawMessage {
	t.Helper()
	raw, ok := c[vecRawKey].(json.RawMessage)
	if !ok {
		t.Fatalf("case has no raw JSON")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		t.Fatal(err)
	}
	f, ok := fields[field]
	if !ok {
		t.Fatalf("case lacks the field %q (cannot be driven)", field)
	}
	return f
}

// vOrderedHeaders reads a JSON object of strings as header lines in document order.
func vOrderedHeaders(t *testing.T, raw json.RawMessage) [][2]string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", raw)
	}
	var out [][2]string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		var v string
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("header %v is not a string: %v", tok, err)
		}
		out = append(out, [2]string{tok.(string), v})
	}
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	return out
}

// vClock is a fixed clock at a JSON number of (integer or fractional) seconds.
func vClock(t *testing.T, v any) *Clock {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("clock time %v is not a number", v)
	}
	var secs int64
	var nanos int64
	if i, err := strconv.ParseInt(n.String(), 10, 64); err == nil {
		secs = i
	} else {
		f, err := n.Float64()
		if err != nil {
			t.Fatalf("clock time %v: %v", v, err)
		}
		fl := math.Floor(f)
		secs = int64(fl)
		nanos = int64(math.Round((f - fl) * 1e9))
		if nanos >= 1e9 {
			secs++
			nanos = 0
		}
	}
	c, err := FixedClock(time.Unix(secs, nanos))
	if err != nil {
		t.Fatalf("FixedClock: %v", err)
	}
	return c
}

// expectErr checks err is nil (want nil) or matches the sentinel want.
func expectErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Errorf("%s: expected success, got %v", what, err)
		}
		return
	}
	if !errors.Is(err, want) {
		t.Errorf("%s: expected %v, got %v", what, want, err)
	}
}

// expectClaim checks claim name equals want.
func expectClaim(t *testing.T, claims Claims, name, want string) {
	t.Helper()
	got, ok := claims.Get(name)
	if !ok {
		t.Errorf("claim %s missing (want %q)", name, want)
		return
	}
	if got != want {
		t.Errorf("claim %s:\n  got  %q\n  want %q", name, got, want)
	}
}

// fostExpect maps a fost `expect` to the error it stands for (nil: valid); false for an unknown word.
func fostExpect(expect string) (error, bool) {
	switch expect {
	case "valid":
		return nil, true
	case "not_applicable":
		return ErrNoCredentials, true
	case "bad_signature":
		return ErrBadSignature, true
	case "expired":
		return ErrExpired, true
	case "not_yet_valid":
		return ErrNotYetValid, true
	case "malformed":
		return ErrMalformed, true
	}
	return nil, false
}

// fostTarget is path?query (path alone for an empty query).
func fostTarget(path, query string) string {
	if query == "" {
		return path
	}
	return path + "?" + query
}

// fostBody is the request body: none when empty (as the Rust and C tests build it).
func fostBody(body string) []byte {
	if body == "" {
		return nil
	}
	return []byte(body)
}

func fostKey(t *testing.T, c map[string]any) *HMACKey {
	t.Helper()
	secret := unhex(t, vMustStr(t, c, "secret_hex"))
	key, err := NewLegacyHMACKey("hmac-sha1", secret, "")
	if err != nil {
		t.Fatalf("NewLegacyHMACKey(sha1): %v", err)
	}
	return key
}

// fostPolicy is a policy at now with a clock skew of maxSkew seconds (absent or null: the core's default).
func fostPolicy(t *testing.T, now, maxSkew any) *FostPolicy {
	t.Helper()
	clock := vClock(t, now)
	defer clock.Close()
	o := FostPolicyOptions{Clock: clock}
	if n, ok := maxSkew.(json.Number); ok {
		i, err := n.Int64()
		if err != nil {
			t.Fatalf("max_skew_seconds %v: %v", n, err)
		}
		o.ClockSkew = dur(time.Duration(i) * time.Second)
	}
	p, err := NewFostPolicy(o)
	if err != nil {
		t.Fatalf("NewFostPolicy: %v", err)
	}
	return p
}

// fostCheckRequest is the server side: parse (phase one), then verify; a request phase one refuses gets the
// same answer from phase two.
func fostCheckRequest(t *testing.T, req *Request, key *HMACKey, policy *FostPolicy) (*Verified, error) {
	t.Helper()
	parsed, perr := ParseFost(req)
	if perr != nil && parsed != nil {
		t.Errorf("ParseFost returns a result only on success: %v, err %v", parsed, perr)
	}
	if parsed != nil && (parsed.Verified || parsed.Scheme != SchemeFost) {
		t.Errorf("ParseFost: a claimed FOST result, got %+v", parsed)
	}
	verified, verr := VerifyFost(req, key, policy)
	if (verr == nil) != (verified != nil) {
		t.Errorf("VerifyFost returns a result only on success: %v, err %v", verified, verr)
	}
	if perr == nil && parsed == nil {
		// Phase one's "not this scheme" is (nil, nil); phase two says ErrNoCredentials.
		expectErr(t, "VerifyFost without FOST credentials", verr, ErrNoCredentials)
		return nil, ErrNoCredentials
	}
	if perr != nil {
		expectErr(t, "VerifyFost after a failed ParseFost", verr, perr)
		return nil, perr
	}
	return verified, verr
}

// fostCheckURL is fostCheckRequest for signed URLs.
func fostCheckURL(t *testing.T, req *Request, key *HMACKey, policy *FostPolicy) (*Verified, error) {
	t.Helper()
	parsed, perr := ParseFostURL(req)
	if perr != nil && parsed != nil {
		t.Errorf("ParseFostURL returns a result only on success: %v, err %v", parsed, perr)
	}
	verified, verr := VerifyFostURL(req, key, policy)
	if (verr == nil) != (verified != nil) {
		t.Errorf("VerifyFostURL returns a result only on success: %v, err %v", verified, verr)
	}
	if perr == nil && parsed == nil {
		expectErr(t, "VerifyFostURL without a FOST-signed URL", verr, ErrNoCredentials)
		return nil, ErrNoCredentials
	}
	if perr != nil {
		expectErr(t, "VerifyFostURL after a failed ParseFostURL", verr, perr)
		return nil, perr
	}
	return verified, verr
}

// fostCheckVerified checks the verified claims of a request: key, user (X-FOST-User when signed, else the key),
// signed_at and header.<name> for every signed header.
func fostCheckVerified(t *testing.T, v *Verified, key string, haveKey bool, hs [][2]string) {
	t.Helper()
	user, haveUser := key, haveKey
	signedNames, haveSigned := "", false
	for _, h := range hs {
		if h[0] == "X-FOST-Headers" {
			signedNames, haveSigned = h[1], true
		}
	}
	if haveSigned && strings.Contains(signedNames, " X-FOST-User") {
		for _, h := range hs {
			if h[0] == "X-FOST-User" {
				user, haveUser = h[1], true
			}
		}
	}
	if haveKey {
		expectField(t, v, "key", key)
	}
	if haveUser {
		expectField(t, v, "user", user)
	}
	if s, ok := field(v, "signed_at"); !ok || s == "" {
		t.Errorf("signed_at claim missing or empty")
	}
	if haveSigned {
		for _, name := range strings.Split(signedNames, " ") {
			if name == "" || name == "X-FOST-Headers" {
				continue
			}
			for _, h := range hs {
				if h[0] == name {
					expectField(t, v, "header."+name, h[1])
				}
			}
		}
	}
}

// fostAuthKey is the key of a `FOST key:signature` Authorization header.
func fostAuthKey(hs [][2]string) (string, bool) {
	for _, h := range hs {
		if h[0] == "Authorization" && strings.HasPrefix(h[1], "FOST ") {
			rest := h[1][5:]
			i := strings.IndexByte(rest, ':')
			if i < 0 {
				return "", false
			}
			return rest[:i], true
		}
	}
	return "", false
}

func fostRequestSignature(t *testing.T, c map[string]any) {
	method := vMustStr(t, c, "method")
	path := vMustStr(t, c, "path")
	query := vMustStr(t, c, "query_string")
	body := vMustStr(t, c, "body")
	keyID := vMustStr(t, c, "key")
	timestamp := vMustStr(t, c, "timestamp")
	server := vObj(c, "server_check")
	if server == nil {
		t.Fatalf("request_signature case lacks server_check")
	}
	want, known := fostExpect(vMustStr(t, server, "expect"))
	if !known || vMustStr(t, c, "expect") != "valid" {
		t.Fatalf("request_signature case with an unknown expect (%v / %v)", c["expect"], server["expect"])
	}
	pairs, ok := c["signed_headers"].([]any)
	if !ok {
		t.Fatalf("signed_headers is not a list")
	}
	var signedHs [][2]string
	var names []string
	for _, p := range pairs {
		pair, ok := p.([]any)
		if !ok || len(pair) != 2 {
			t.Fatalf("signed_headers are [name, value] pairs")
		}
		n, ok1 := pair[0].(string)
		v, ok2 := pair[1].(string)
		if !ok1 || !ok2 {
			t.Fatalf("signed_headers are [name, value] string pairs")
		}
		signedHs = append(signedHs, [2]string{n, v})
		names = append(names, n)
	}
	wantSent := vOrderedHeaders(t, vRawField(t, c, "request_headers"))
	target := fostTarget(path, query)

	key := fostKey(t, c)
	defer key.Close()
	signer, err := NewFostSigner(keyID, key, nil)
	if err != nil {
		t.Fatalf("NewFostSigner: %v", err)
	}
	defer signer.Close()
	req := &Request{Method: method, Target: target, Headers: signedHs, Body: fostBody(body)}
	claims, err := signer.Sign(req, names, timestamp)
	if err != nil {
		t.Fatalf("FostSigner.Sign: %v", err)
	}
	expectClaim(t, claims, "document", vMustStr(t, c, "document"))
	expectClaim(t, claims, "signature", vMustStr(t, c, "signature"))
	expectClaim(t, claims, "Authorization", vMustStr(t, c, "authorization"))
	expectClaim(t, claims, "X-FOST-Headers", vMustStr(t, c, "x_fost_headers"))
	expectClaim(t, claims, "X-FOST-Timestamp", timestamp)
	if len(claims) != 5 {
		t.Errorf("%d claims, want 5 (three header claims, signature, document): %v", len(claims), claims)
	}
	// sent = the header claims (all but signature and document, in order), then the signed headers.
	var sent [][2]string
	for i := 0; i+2 < len(claims); i++ {
		sent = append(sent, [2]string{claims[i].Name, claims[i].Value})
	}
	sent = append(sent, signedHs...)
	if len(sent) != len(wantSent) {
		t.Errorf("request headers: %d, want %d (%v vs %v)", len(sent), len(wantSent), sent, wantSent)
	}
	for i := 0; i < len(sent) && i < len(wantSent); i++ {
		if sent[i] != wantSent[i] {
			t.Errorf("request header %d: got %q, want %q", i, sent[i], wantSent[i])
		}
	}
	// The server's verdict on the request as sent.
	serverReq := &Request{Method: method, Target: target, Headers: sent, Body: fostBody(body)}
	policy := fostPolicy(t, server["now"], server["max_skew_seconds"])
	defer policy.Close()
	verified, err := fostCheckRequest(t, serverReq, key, policy)
	expectErr(t, "server check of the signed request", err, want)
	if err == nil {
		fostCheckVerified(t, verified, keyID, true, sent)
	}
	parsed, err := ParseFost(serverReq)
	if err != nil {
		t.Errorf("ParseFost(signed request): %v", err)
	} else {
		expectField(t, parsed, "key_id", keyID)
		if parsed.Created.IsZero() {
			t.Errorf("ParseFost: no Created from the timestamp %q", timestamp)
		}
	}
}

func fostVerifyRequest(t *testing.T, c map[string]any) {
	expect := vMustStr(t, c, "expect")
	want, known := fostExpect(expect)
	if !known {
		t.Fatalf("cannot drive expect %q", expect)
	}
	method := vMustStr(t, c, "method")
	path := vMustStr(t, c, "path")
	query := vMustStr(t, c, "query_string")
	body := vMustStr(t, c, "body")
	hs := vOrderedHeaders(t, vRawField(t, c, "request_headers"))
	key := fostKey(t, c)
	defer key.Close()
	req := &Request{Method: method, Target: fostTarget(path, query), Headers: hs, Body: fostBody(body)}
	policy := fostPolicy(t, c["now"], c["max_skew_seconds"])
	defer policy.Close()
	verified, err := fostCheckRequest(t, req, key, policy)
	expectErr(t, "server check (ParseFost + VerifyFost)", err, want)
	if err == nil {
		k, ok := fostAuthKey(hs)
		fostCheckVerified(t, verified, k, ok, hs)
	}
}

func fostURLSignature(t *testing.T, c map[string]any) {
	keyID := vMustStr(t, c, "key")
	host := vMustStr(t, c, "host")
	path := vMustStr(t, c, "path")
	query := vMustStr(t, c, "query_string")
	expires := vMustStr(t, c, "expires")
	signedURL := vMustStr(t, c, "signed_url")
	filtered := vMustStr(t, c, "filtered_query")
	signedQuery := vMustStr(t, c, "signed_query_string")
	server := vObj(c, "server_check")
	schemeEnd := strings.Index(signedURL, "://")
	if server == nil || schemeEnd < 0 {
		t.Fatalf("url_signature case lacks inputs")
	}
	want, known := fostExpect(vMustStr(t, server, "expect"))
	if !known || vMustStr(t, c, "expect") != "valid" {
		t.Fatalf("url_signature case with an unknown expect (%v / %v)", c["expect"], server["expect"])
	}
	var exp *int64
	if expires != "" {
		e, err := strconv.ParseInt(expires, 10, 64)
		if err != nil {
			t.Fatalf("expires %q is not an integer", expires)
		}
		exp = &e
	}
	url := signedURL[:schemeEnd] + "://" + host + fostTarget(path, query)

	key := fostKey(t, c)
	defer key.Close()
	signer, err := NewFostURLSigner(keyID, key)
	if err != nil {
		t.Fatalf("NewFostURLSigner: %v", err)
	}
	defer signer.Close()
	claims, err := signer.Sign(url, exp)
	if err != nil {
		t.Fatalf("FostURLSigner.Sign: %v", err)
	}
	expectClaim(t, claims, "document", vMustStr(t, c, "document"))
	expectClaim(t, claims, "signature", vMustStr(t, c, "signature"))
	expectClaim(t, claims, "url", signedURL)
	if doc, ok := claims.Get("document"); filtered != "" && ok {
		if !strings.Contains(doc, "?"+filtered+"\n") {
			t.Errorf("document %q does not hold ?%s\\n", doc, filtered)
		}
	}
	if q := strings.IndexByte(signedURL, '?'); q < 0 || signedURL[q+1:] != signedQuery {
		t.Errorf("signed_url query != signed_query_string %q", signedQuery)
	}
	// The server's verdict on a GET of the signed URL (absolute target).
	target := signedURL
	if u, ok := claims.Get("url"); ok {
		target = u
	}
	req := &Request{Method: "GET", Target: target}
	policy := fostPolicy(t, server["now"], nil)
	defer policy.Close()
	verified, err := fostCheckURL(t, req, key, policy)
	expectErr(t, "server check of the signed URL", err, want)
	if err == nil {
		expectField(t, verified, "key_id", keyID)
		if exp != nil {
			expectField(t, verified, "expires", expires)
		} else if !verified.Expires.IsZero() {
			t.Errorf("Expires without _e")
		}
	}
}

func fostVerifyURL(t *testing.T, c map[string]any) {
	expect := vMustStr(t, c, "expect")
	want, known := fostExpect(expect)
	if !known {
		t.Fatalf("cannot drive expect %q", expect)
	}
	host := vMustStr(t, c, "host")
	path := vMustStr(t, c, "path")
	query := vMustStr(t, c, "query_string")
	key := fostKey(t, c)
	defer key.Close()
	req := &Request{Method: "GET", Target: fostTarget(path, query), Headers: [][2]string{{"Host", host}}}
	policy := fostPolicy(t, c["now"], nil)
	defer policy.Close()
	verified, err := fostCheckURL(t, req, key, policy)
	expectErr(t, "server check (ParseFostURL + VerifyFostURL)", err, want)
	if err == nil {
		if verified.KeyID == "" {
			t.Errorf("KeyID empty")
		}
	}
}

func TestVectorsFost(t *testing.T) {
	_, cases := loadVectors(t, "fost.json")
	tally := newCaseTally("fost.json")
	for i, c := range cases {
		id := caseID(c, i)
		t.Run(id, func(t *testing.T) {
			op, _ := vStr(c, "op")
			switch op {
			case "request_signature":
				fostRequestSignature(t, c)
			case "verify_request":
				fostVerifyRequest(t, c)
			case "url_signature":
				fostURLSignature(t, c)
			case "verify_url":
				fostVerifyURL(t, c)
			default:
				t.Fatalf("%s: cannot drive op %q", id, op)
			}
			tally.done(op)
		})
	}
	tally.check(t, len(cases))
}
