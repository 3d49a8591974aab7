package countermark

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

// ska's legacy helpers (HMAC-MD5, javascript_value_dumper, javascript_quoter): every case of
// ../core/tests/data/ska_legacy_helpers.json, whose values the real ska 1.11.2 computed
// (gen_ska_legacy_helpers.py there tells how).
func TestSkaLegacyHelpers(t *testing.T) {
	raw, err := os.ReadFile("../core/tests/data/ska_legacy_helpers.json")
	if err != nil {
		t.Fatal(err)
	}
	var table struct {
		Cases []map[string]json.RawMessage `json:"cases"`
	}
	if err := json.Unmarshal(raw, &table); err != nil {
		t.Fatal(err)
	}
	if len(table.Cases) != 140 {
		t.Fatalf("%d cases", len(table.Cases))
	}
	clock := fixedClock(t, 1378000000)
	defer clock.Close()
	refused := 0
	for _, c := range table.Cases {
		// The case names the hash as ska does (md5, sha1, ...); the library spells it hmac-md5, ...
		key, err := NewLegacyHMACKey("hmac-"+text(c, "algorithm"), []byte(text(c, "secret")), "")
		if err != nil {
			t.Fatal(err)
		}
		ring, err := NewKeyRing(key)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := NewURLSigner(ring, clock, nil)
		if err != nil {
			t.Fatal(err)
		}
		s, err := plain.WithHelpers(text(c, "value_dumper"), text(c, "quoter"))
		if err != nil {
			t.Fatal(err)
		}
		name := text(c, "algorithm") + "/" + text(c, "value_dumper") + "/" + text(c, "quoter") + "/" + string(c["extra"])
		params, err := s.SignParams("user", &SignOptions{ValidUntil: text(c, "valid_until"), ExtraJSON: string(c["extra"])})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if params[0].Value != text(c, "signature") {
			t.Fatalf("%s: signature %q, ska %q", name, params[0].Value, text(c, "signature"))
		}
		pairs := make([][2]string, len(params))
		for i, p := range params {
			pairs[i] = [2]string{p.Name, p.Value}
		}
		if _, err := s.Validate(pairs); err != nil {
			t.Fatalf("%s: own parameters: %v", name, err)
		}
		// A JavaScript-quoted link of a value the quoters write differently: ska's default quoter refuses it.
		if text(c, "quoter") == "javascript" && strings.Contains(string(c["extra"]), "punct") {
			d, err := s.WithHelpers("", "python")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := d.Validate(pairs); !errors.Is(err, ErrBadSignature) {
				t.Fatalf("%s: default quoter: %v", name, err)
			}
			refused++
			d.Close()
		}
		s.Close()
		plain.Close()
		ring.Close()
		key.Close()
	}
	if refused == 0 {
		t.Fatal("no JavaScript-quoted case was checked against the default quoter")
	}
}

func TestSkaHelperNamesAreChecked(t *testing.T) {
	key, err := NewLegacyHMACKey("hmac-md5", []byte("your-secret-key"), "")
	if err != nil {
		t.Fatal(err)
	}
	defer key.Close()
	ring, _ := NewKeyRing(key)
	defer ring.Close()
	s, err := NewURLSigner(ring, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.WithHelpers("js", ""); !errors.Is(err, ErrInvalidValue) {
		t.Fatalf("js: %v", err)
	}
	if _, err := s.WithHelpers("", "php"); !errors.Is(err, ErrInvalidValue) {
		t.Fatalf("php: %v", err)
	}
}
