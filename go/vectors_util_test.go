package countermark

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// vectorsDir is ../shared/vectors beside the repository (COUNTERMARK_VECTORS overrides it).
func vectorsDir() string {
	if d := os.Getenv("COUNTERMARK_VECTORS"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "shared", "vectors")
}

// rawCases reads one vector file's cases, each as field -> raw JSON (so text, numbers and key order survive).
func rawCases(t *testing.T, file string) []map[string]json.RawMessage {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(vectorsDir(), file))
	if err != nil {
		t.Fatalf("the vectors are required: %v", err)
	}
	var doc struct {
		Cases []map[string]json.RawMessage `json:"cases"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if len(doc.Cases) == 0 {
		t.Fatalf("%s has no cases", file)
	}
	return doc.Cases
}

// text is a field as Python's str() shows it: a JSON string's value, or a number's JSON text ("" if absent).
func text(c map[string]json.RawMessage, field string) string {
	raw, ok := c[field]
	if !ok || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

func has(c map[string]json.RawMessage, field string) bool {
	raw, ok := c[field]
	return ok && string(raw) != "null"
}

func number(t *testing.T, c map[string]json.RawMessage, field string) float64 {
	t.Helper()
	var f float64
	if err := json.Unmarshal(c[field], &f); err != nil {
		t.Fatalf("field %s is not a number: %v", field, err)
	}
	return f
}

func strings_(t *testing.T, c map[string]json.RawMessage, field string) []string {
	t.Helper()
	var raw []json.RawMessage
	if err := json.Unmarshal(c[field], &raw); err != nil {
		t.Fatalf("field %s is not a list: %v", field, err)
	}
	out := make([]string, len(raw))
	for i, r := range raw {
		out[i] = text(map[string]json.RawMessage{"v": r}, "v")
	}
	return out
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex: %v", err)
	}
	return b
}

// orderedPairs reads a JSON object into (key, str(value)) pairs in document order.
func orderedPairs(t *testing.T, raw json.RawMessage) [][2]string {
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
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, [2]string{tok.(string), text(map[string]json.RawMessage{"v": v}, "v")})
	}
	return out
}

func fixedClock(t *testing.T, secs float64) *Clock {
	t.Helper()
	whole := int64(secs)
	c, err := FixedClock(time.Unix(whole, int64((secs-float64(whole))*1e9)))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sentinelFor maps a vector's `expect` word to the error it stands for (nil for valid).
func sentinelFor(expect string) (error, bool) {
	switch expect {
	case "valid":
		return nil, true
	case "bad_signature", "bad_signature+expired", "bad_digest":
		return ErrBadSignature, true
	case "expired":
		return ErrExpired, true
	case "not_yet_valid":
		return ErrNotYetValid, true
	case "malformed", "missing_component":
		return ErrMalformed, true
	case "too_long":
		return ErrTooLarge, true
	case "invalid_value":
		return ErrInvalidValue, true
	case "config_error":
		return ErrInvalidKey, true
	case "unsupported_algorithm":
		return ErrUnsupportedAlgorithm, true
	case "unknown_key", "revoked_key", "expired_key":
		return ErrUnknownKey, true
	case "replayed":
		return ErrReplayed, true
	}
	return nil, false
}

// expectOutcome checks err against the vector's expect word ("error": any error).
func expectOutcome(t *testing.T, expect string, err error) {
	t.Helper()
	if expect == "error" {
		if err == nil {
			t.Errorf("expected an error (the reference crashed), got success")
		}
		return
	}
	want, ok := sentinelFor(expect)
	if !ok {
		t.Fatalf("cannot drive expect %q", expect)
	}
	if want == nil {
		if err != nil {
			t.Errorf("expected success, got %v", err)
		}
		return
	}
	if !errors.Is(err, want) {
		t.Errorf("expected %v, got %v", want, err)
	}
}

// expectedCases pins every vector file's case count per op, as the C tests (tests/c/*_EXPECTED_CASES) and the
// Rust runners do: a vector file that lost cases (or gained ops nobody drives) fails here instead of passing
// with less coverage.
var expectedCases = map[string]map[string]int{
	"handshake.json":   {"config": 1, "create": 1, "create+verify": 8, "verify": 14},                        // 24
	"ska.json":         {"generate_signature": 10, "sign_url": 3, "signature_to_dict": 2, "validate": 11},   // 26
	"fost.json":        {"request_signature": 7, "verify_request": 12, "url_signature": 3, "verify_url": 5}, // 27
	"hmac_header.json": {"sign": 12, "verify": 14, "secret_at_rest": 2},                                     // 28
	"asym_jwt.json":    {"sign": 3, "verify": 13, "replay": 1, "middleware": 4},                             // 21
	"rfc9421.json":     {"sign": 5, "verify": 17, "content_digest": 5},                                      // 27
}

// caseTally counts the vector cases that ran to the end of their assertions, per op. A case counts only when
// its subtest calls ran as its last statement, so a case that stopped early (t.Fatal, t.Skip, a panic) or was
// never run does not.
type caseTally struct {
	file string
	ran  map[string]int
}

func newCaseTally(file string) *caseTally { return &caseTally{file: file, ran: map[string]int{}} }

// done records that a case of op ran all its assertions (call it last in the case's subtest).
func (c *caseTally) done(op string) { c.ran[op]++ }

// check fails t unless the cases that ran, per op, are exactly the pinned ones.
func (c *caseTally) check(t *testing.T, total int) {
	t.Helper()
	want, ok := expectedCases[c.file]
	if !ok {
		t.Fatalf("%s: no pinned case count", c.file)
	}
	wantTotal := 0
	for _, n := range want {
		wantTotal += n
	}
	if total != wantTotal {
		t.Errorf("%s has %d cases, want %d (the vector file changed?)", c.file, total, wantTotal)
	}
	ran := 0
	for op, n := range c.ran {
		ran += n
		if _, ok := want[op]; !ok {
			t.Errorf("%s: %d cases of unpinned op %q ran", c.file, n, op)
		}
	}
	for op, n := range want {
		if c.ran[op] != n {
			t.Errorf("%s: %d %q cases ran to the end, want %d", c.file, c.ran[op], op, n)
		}
	}
	t.Logf("%s: %d of %d pinned cases ran (%v)", c.file, ran, wantTotal, c.ran)
}

// dur is a duration option (tests set what the vectors set; nil keeps the core's default).
func dur(d time.Duration) *time.Duration { return &d }

// field is a typed result's field by the name the vectors use for it, as text: key_id (also key, api_key, keyid,
// kid), user (also username, auth_user), algorithm (also alg), nonce, label, tag, token, created (also
// signed_at, timestamp: Unix seconds), expires, time (JWT), key_index, body_checked, component (the first
// covered component), header.<name> / extra.<key> (an item).
func field(v *Verified, name string) (string, bool) {
	if v == nil {
		return "", false
	}
	opt := func(s string) (string, bool) { return s, s != "" }
	switch name {
	case "key_id", "key", "api_key", "keyid", "kid":
		return opt(v.KeyID)
	case "user", "username", "auth_user":
		return opt(v.User)
	case "algorithm", "alg":
		return opt(v.Algorithm)
	case "nonce":
		return opt(v.Nonce)
	case "label":
		return opt(v.Label)
	case "tag":
		return opt(v.Tag)
	case "token":
		return opt(v.Token)
	case "created", "signed_at", "timestamp":
		if v.Created.IsZero() {
			return "", false
		}
		return strconv.FormatInt(v.Created.Unix(), 10), true
	case "expires":
		if v.Expires.IsZero() {
			return "", false
		}
		return strconv.FormatInt(v.Expires.Unix(), 10), true
	case "time":
		if v.Scheme != SchemeJWT {
			return "", false
		}
		return strconv.FormatFloat(v.Time, 'f', -1, 64), true
	case "key_index":
		return strconv.Itoa(v.KeyIndex), v.Scheme == SchemeJWT && v.Verified
	case "body_checked":
		return strconv.FormatBool(v.BodyChecked), v.Scheme == SchemeMessageSignature && v.Verified
	case "component":
		if len(v.Items) == 0 {
			return "", false
		}
		return v.Items[0].Name, true
	}
	if k, ok := strings.CutPrefix(name, "header."); ok {
		return v.Item(k)
	}
	if k, ok := strings.CutPrefix(name, "extra."); ok {
		return v.Item(k)
	}
	return "", false
}

// fieldValue is field without the flag.
func fieldValue(v *Verified, name string) string {
	s, _ := field(v, name)
	return s
}

// expectField checks field name of v.
func expectField(t *testing.T, v *Verified, name, want string) {
	t.Helper()
	got, ok := field(v, name)
	if !ok {
		t.Errorf("field %s missing (want %q)", name, want)
		return
	}
	if got != want {
		t.Errorf("field %s:\n  got  %q\n  want %q", name, got, want)
	}
}
