package countermark

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
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
