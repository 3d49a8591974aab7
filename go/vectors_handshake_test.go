package countermark

import (
	"encoding/json"
	"reflect"
	"strconv"
	"testing"
	"time"
)

func handshakeTokens(t *testing.T, c map[string]json.RawMessage, now float64) (*Tokens, error) {
	t.Helper()
	secret := []byte(text(c, "secret"))
	if text(c, "secret_type") != "str" {
		secret = unhex(t, text(c, "secret_hex"))
	}
	// handshake names the hash (hashlib's "sha256"); the binding takes the one spelling ("hmac-sha256").
	key, err := NewHMACKey("hmac-"+text(c, "hashfunc"), secret, "")
	if err != nil {
		return nil, err
	}
	defer key.Close()
	ring, err := NewKeyRing(key)
	if err != nil {
		t.Fatal(err)
	}
	defer ring.Close()
	clock := fixedClock(t, now)
	defer clock.Close()
	o := TokensOptions{Clock: clock}
	if has(c, "random_len") {
		n := int(number(t, c, "random_len"))
		o.RandomLen = &n
	}
	return NewTokens(ring, o)
}

// maxAge is the case's time_range as a max age; nil (no limit) for handshake's 0 or none.
func maxAge(t *testing.T, c map[string]json.RawMessage) *time.Duration {
	if !has(c, "time_range") || number(t, c, "time_range") == 0 {
		return nil // handshake's 0: no time check
	}
	return dur(time.Duration(number(t, c, "time_range")) * time.Second)
}

func checkHandshakeVerify(t *testing.T, tokens *Tokens, token string, c map[string]json.RawMessage) {
	t.Helper()
	got, err := tokens.Verify(token, maxAge(t, c))
	expectOutcome(t, text(c, "expect"), err)
	if err == nil && has(c, "result") {
		want := strings_(t, c, "result")
		fields := got.Fields()
		if len(want) == 0 && len(fields) == 1 && fields[0] == "" {
			fields = nil // handshake returns () for a token without metadata
		}
		if len(want) == 0 && len(fields) == 0 {
			return
		}
		if !reflect.DeepEqual(fields, want) {
			t.Errorf("fields %q, want %q", fields, want)
		}
	}
}

func TestVectorsHandshake(t *testing.T) {
	cases := rawCases(t, "handshake.json")
	tally := newCaseTally("handshake.json")
	for _, c := range cases {
		id := text(c, "id")
		t.Run(id, func(t *testing.T) {
			op := text(c, "op")
			switch op {
			case "config":
				_, err := handshakeTokens(t, c, 0)
				expectOutcome(t, text(c, "expect"), err)
			case "create":
				tokens, err := handshakeTokens(t, c, number(t, c, "now"))
				if err != nil {
					t.Fatal(err)
				}
				defer tokens.Close()
				_, err = tokens.Create(strings_(t, c, "metadata")...)
				expectOutcome(t, text(c, "expect"), err)
			case "create+verify":
				tokens, err := handshakeTokens(t, c, number(t, c, "now"))
				if err != nil {
					t.Fatal(err)
				}
				defer tokens.Close()
				token, err := tokens.CreateWithRandom(unhex(t, text(c, "urandom_hex")), strings_(t, c, "metadata")...)
				if err != nil || token != text(c, "token") {
					t.Fatalf("token %q (%v), want %q", token, err, text(c, "token"))
				}
				var v map[string]json.RawMessage
				if err := json.Unmarshal(c["verify"], &v); err != nil {
					t.Fatalf("verify: %v", err)
				}
				later, err := handshakeTokens(t, c, number(t, v, "now"))
				if err != nil {
					t.Fatal(err)
				}
				defer later.Close()
				checkHandshakeVerify(t, later, token, v)
				ts := strconv.FormatInt(int64(number(t, c, "now")), 10)
				if got, _ := later.Verify(token, nil); got == nil || strconv.FormatInt(got.Created.Unix(), 10) != ts {
					t.Errorf("Created, want %s", ts)
				}
			case "verify":
				tokens, err := handshakeTokens(t, c, number(t, c, "now"))
				if err != nil {
					t.Fatal(err)
				}
				defer tokens.Close()
				checkHandshakeVerify(t, tokens, text(c, "token"), c)
			default:
				t.Fatalf("cannot drive op %q", op)
			}
			tally.done(op)
		})
	}
	tally.check(t, len(cases))
}
