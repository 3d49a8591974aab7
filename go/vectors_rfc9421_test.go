package countermark

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// rfcKeys is rfc9421.json's `keys` with their names in document order (the verifier picks the first key of its
// algorithm, as the C test does).
type rfcKeys struct {
	entries map[string]map[string]any
	order   []string
}

func rfcLoadKeys(t *testing.T, root map[string]any) *rfcKeys {
	t.Helper()
	keys, ok := root["keys"].(map[string]any)
	if !ok {
		t.Fatalf("rfc9421.json has no keys object")
	}
	raw, ok := root[vecRawKey].(json.RawMessage)
	if !ok {
		t.Fatalf("rfc9421.json: no raw root")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(fields["keys"]))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("keys is not an object")
	}
	out := &rfcKeys{entries: map[string]map[string]any{}}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
		name := tok.(string)
		entry, _ := keys[name].(map[string]any)
		out.entries[name] = entry
		out.order = append(out.order, name)
	}
	return out
}

// firstOf is the name of the first key of algorithm alg ("" for none).
func (k *rfcKeys) firstOf(alg string) string {
	for _, name := range k.order {
		if a, _ := vStr(k.entries[name], "algorithm"); a == alg {
			return name
		}
	}
	return ""
}

// rfcHMACKey is an entry's HMAC key (sha256) from its secret_hex.
func rfcHMACKey(t *testing.T, entry map[string]any) *HMACKey {
	t.Helper()
	hexText, ok := vStr(entry, "secret_hex")
	if !ok {
		t.Fatalf("HMAC key entry lacks secret_hex")
	}
	key, err := NewHMACKey("hmac-sha256", unhex(t, hexText), "")
	if err != nil {
		t.Fatalf("NewHMACKey(sha256): %v", err)
	}
	return key
}

// verifyingKey is the verifier's key for keyid, bound to the verifier's algorithm alg: the entry's key when its
// algorithm is alg, else a key of alg. ErrUnknownKey for a keyid the verifier does not know.
func (k *rfcKeys) verifyingKey(t *testing.T, keyid, alg string) (*MessageVerifyingKey, error) {
	t.Helper()
	entry, ok := k.entries[keyid]
	if !ok || entry == nil {
		return nil, ErrUnknownKey
	}
	if a, _ := vStr(entry, "algorithm"); a != alg {
		entry = nil
		for _, name := range k.order {
			e := k.entries[name]
			a, _ := vStr(e, "algorithm")
			if _, hasPEM := vStr(e, "public_pem"); a == alg && hasPEM {
				entry = e
				break
			}
		}
		if entry == nil {
			t.Fatalf("no key of the verifier's algorithm %s in keys", alg)
		}
	}
	if alg == "hmac-sha256" {
		hk := rfcHMACKey(t, entry)
		defer hk.Close()
		mk, err := NewHMACMessageKey(hk)
		if err != nil {
			t.Fatalf("NewHMACMessageKey: %v", err)
		}
		return mk, nil
	}
	pem, ok := vStr(entry, "public_pem")
	if !ok {
		t.Fatalf("key entry lacks public_pem")
	}
	vk, err := VerifyingKeyFromPEM([]byte(pem))
	if err != nil {
		t.Fatalf("VerifyingKeyFromPEM: %v", err)
	}
	defer vk.Close()
	mk, err := NewPublicMessageKey(vk, alg)
	if err != nil {
		t.Fatalf("NewPublicMessageKey(%s): %v", alg, err)
	}
	return mk, nil
}

// rfcExpect maps an rfc9421 `expect` to its error (nil: valid): missing_component is ErrMalformed and bad_digest
// ErrBadSignature, as the core maps them.
func rfcExpect(expect string) (error, bool) {
	switch expect {
	case "valid":
		return nil, true
	case "bad_signature", "bad_digest":
		return ErrBadSignature, true
	case "expired":
		return ErrExpired, true
	case "not_yet_valid":
		return ErrNotYetValid, true
	case "malformed", "missing_component":
		return ErrMalformed, true
	case "unsupported_algorithm":
		return ErrUnsupportedAlgorithm, true
	case "unknown_key":
		return ErrUnknownKey, true
	}
	return nil, false
}

// rfcExpectClaim checks claim name equals want; with ok false, that there is no such claim.
func rfcExpectClaim(t *testing.T, v *Verified, name, want string, ok bool) {
	t.Helper()
	if !ok {
		if got, has := field(v, name); has {
			t.Errorf("field %s = %q, want none", name, got)
		}
		return
	}
	expectField(t, v, name, want)
}

// rfcExpectIntClaim checks an integer claim against a JSON integer (or its absence against null / absent).
func rfcExpectIntClaim(t *testing.T, claims *Verified, name string, want any) {
	t.Helper()
	if n, ok := want.(json.Number); ok {
		if _, err := n.Int64(); err == nil {
			expectField(t, claims, name, n.String())
			return
		}
	}
	rfcExpectClaim(t, claims, name, "", false)
}

// rfcExpectComponents checks the component claims, in order, against covered_components (bare names quoted).
func rfcExpectComponents(t *testing.T, claims *Verified, covered any) {
	t.Helper()
	list, _ := covered.([]any)
	got := claims.Components()
	if len(got) != len(list) {
		t.Errorf("%d component claims, want %d: %q", len(got), len(list), got)
	}
	for i := 0; i < len(got) && i < len(list); i++ {
		want, ok := list[i].(string)
		if !ok {
			t.Errorf("covered_components[%d] is not a string", i)
			continue
		}
		if !strings.HasPrefix(want, `"`) {
			want = `"` + want + `"`
		}
		if got[i] != want {
			t.Errorf("component claim %d: %q, want %q", i, got[i], want)
		}
	}
}

// rfcMsg is a request or a response built from a case's `message`.
type rfcMsg struct {
	req  *Request
	resp *Response
}

func rfcBytes(s string) []byte {
	b := make([]byte, len(s))
	copy(b, s)
	return b
}

func rfcHeaders(t *testing.T, m map[string]any) [][2]string {
	t.Helper()
	list, ok := m["headers"].([]any)
	if !ok {
		t.Fatalf("message lacks headers")
	}
	var out [][2]string
	for _, h := range list {
		pair, _ := h.([]any)
		if len(pair) != 2 {
			t.Fatalf("headers are [name, value] pairs")
		}
		n, ok1 := pair[0].(string)
		v, ok2 := pair[1].(string)
		if !ok1 || !ok2 {
			t.Fatalf("headers are [name, value] string pairs")
		}
		out = append(out, [2]string{n, v})
	}
	return out
}

// rfcRequest is the request of a message object (type request), extra header lines appended, body always set.
func rfcRequest(t *testing.T, m map[string]any, extra [][2]string) *Request {
	t.Helper()
	if m == nil {
		t.Fatalf("request message missing")
	}
	req := &Request{Method: vMustStr(t, m, "method"), Target: vMustStr(t, m, "url")}
	req.Headers = append(rfcHeaders(t, m), extra...)
	req.Body = rfcBytes(vMustStr(t, m, "body"))
	return req
}

// rfcMessage is the request or response of a case's message, extra header lines appended.
func rfcMessage(t *testing.T, c map[string]any, extra [][2]string) rfcMsg {
	t.Helper()
	m := vObj(c, "message")
	if m == nil {
		t.Fatalf("case lacks message")
	}
	switch typ, _ := vStr(m, "type"); typ {
	case "request":
		return rfcMsg{req: rfcRequest(t, m, extra)}
	case "response":
		status, ok := vInt(m, "status")
		if !ok {
			t.Fatalf("response message lacks status")
		}
		resp := &Response{Status: int(status)}
		resp.Headers = append(rfcHeaders(t, m), extra...)
		resp.Body = rfcBytes(vMustStr(t, m, "body"))
		resp.Request = rfcRequest(t, vObj(m, "request"), nil)
		return rfcMsg{resp: resp}
	default:
		t.Fatalf("unknown message type %q", typ)
	}
	return rfcMsg{}
}

// parse is phase one. The binding has no wrapper of countermark_message_signature_parse_response, so for a
// response it parses a request carrying the response's header lines (phase one reads only Signature-Input and
// Signature).
// Phase one's "not this scheme" is (nil, nil); it is reported here as ErrNoCredentials, phase two's answer.
func (m rfcMsg) parse(label string) (*Verified, error) {
	var v *Verified
	var err error
	if m.req != nil {
		v, err = ParseMessageSignature(m.req, label)
	} else {
		v, err = ParseMessageSignature(&Request{Method: "GET", Target: "/", Headers: m.resp.Headers}, label)
	}
	if v == nil && err == nil {
		return nil, ErrNoCredentials
	}
	return v, err
}

func (m rfcMsg) verify(key *MessageVerifyingKey, policy *MessagePolicy) (*Verified, error) {
	if m.req != nil {
		return VerifyMessageSignature(m.req, key, policy)
	}
	return VerifyResponseSignature(m.resp, key, policy)
}

// rfcPolicy is the case's verifier policy: its clock, skew and max age, the case's label, the body check.
func rfcPolicy(t *testing.T, c map[string]any, bodyCheck bool) *MessagePolicy {
	t.Helper()
	v := vObj(c, "verifier")
	now, ok1 := vInt(v, "now")
	skew, ok2 := vInt(v, "max_clock_skew_seconds")
	label, ok3 := vStr(c, "label")
	maxAgeRaw, present := v["max_age_seconds"]
	maxAge, isInt := vInt(v, "max_age_seconds")
	if !ok1 || !ok2 || skew < 0 || !present || (maxAgeRaw != nil && !isInt) || !ok3 {
		t.Fatalf("verifier lacks now / max_clock_skew_seconds / max_age_seconds, or no label (cannot be driven)")
	}
	clock, err := FixedClock(time.Unix(now, 0))
	if err != nil {
		t.Fatalf("FixedClock: %v", err)
	}
	defer clock.Close()
	o := MessagePolicyOptions{Clock: clock, ClockSkew: dur(time.Duration(skew) * time.Second), Label: label,
		CheckContentDigest: bodyCheck}
	if isInt {
		o.MaxAge = dur(time.Duration(maxAge) * time.Second)
	} else {
		o.NoMaxAge = true
	}
	p, err := NewMessagePolicy(o)
	if err != nil {
		t.Fatalf("NewMessagePolicy: %v", err)
	}
	return p
}

// rfcVerify parses and verifies the message's signature labelled as the case says, looking the key up by keyid,
// under a fresh policy. bodyCheck nil takes the case's body_check.
func rfcVerify(t *testing.T, keys *rfcKeys, c map[string]any, m rfcMsg, bodyCheck *bool) (*Verified, error) {
	t.Helper()
	alg, ok := vStr(vObj(c, "verifier"), "algorithm")
	if !ok {
		t.Fatalf("verifier.algorithm missing (cannot be driven)")
	}
	check := false
	if bodyCheck != nil {
		check = *bodyCheck
	} else if b, ok := c["body_check"].(bool); ok {
		check = b
	}
	policy := rfcPolicy(t, c, check)
	defer policy.Close()
	label, _ := vStr(c, "label")
	parsed, perr := m.parse(label)
	if (perr == nil) != (parsed != nil) {
		t.Errorf("ParseMessageSignature returns a result only on success: %v, err %v", parsed, perr)
	}
	if perr != nil {
		// Phase two refuses the message the same way, whatever the key.
		key, err := keys.verifyingKey(t, keys.firstOf(alg), alg)
		if err != nil {
			t.Errorf("no key of the verifier's algorithm for phase two: %v", err)
			return nil, perr
		}
		defer key.Close()
		_, verr := m.verify(key, policy)
		expectErr(t, "verify after a failed parse", verr, perr)
		return nil, perr
	}
	keyid := parsed.KeyID
	key, err := keys.verifyingKey(t, keyid, alg)
	if err != nil {
		return nil, err
	}
	defer key.Close()
	verified, err := m.verify(key, policy)
	if (err == nil) != (verified != nil) {
		t.Errorf("verify returns a result only on success: %v, err %v", verified, err)
	}
	if err == nil {
		expectField(t, verified, "label", label)
		expectField(t, verified, "algorithm", alg)
		rfcExpectClaim(t, verified, "keyid", keyid, keyid != "")
		if !check && verified.BodyChecked {
			t.Errorf("BodyChecked without the body check")
		}
	}
	return verified, err
}

// rfcSignCase signs the case's message with its key, components and parameters, and checks the base, the
// parameters, Signature-Input, the label, and the signature when deterministic.
func rfcSignCase(t *testing.T, keys *rfcKeys, c map[string]any) Claims {
	t.Helper()
	keyID := vMustStr(t, c, "key_id")
	alg := vMustStr(t, c, "algorithm")
	label := vMustStr(t, c, "label")
	entry := keys.entries[keyID]
	params := vObj(c, "params")
	covered, okCovered := c["covered_components"].([]any)
	deterministic, okDet := c["deterministic"].(bool)
	if entry == nil || params == nil || !okCovered || !okDet {
		t.Fatalf("sign inputs missing (a known key_id, params, covered_components, deterministic)")
	}
	created, ok := vInt(params, "created")
	if !ok {
		t.Fatalf("params.created is not an integer (cannot be driven)")
	}
	var comps []string
	for _, x := range covered {
		s, ok := x.(string)
		if !ok {
			t.Fatalf("covered_components are strings")
		}
		comps = append(comps, s)
	}
	opts := MessageSignerOptions{Label: label, KeyID: keyID, Components: comps, Created: &created}
	if exp, ok := vInt(params, "expires"); ok {
		opts.Expires = &exp
	}
	if n, ok := vStr(params, "nonce"); ok {
		if n == "" {
			t.Fatalf("an empty nonce cannot be set through MessageSignerOptions")
		}
		opts.Nonce = n
	}
	if tag, ok := vStr(params, "tag"); ok {
		if tag == "" {
			t.Fatalf("an empty tag cannot be set through MessageSignerOptions")
		}
		opts.Tag = tag
	}
	if a, ok := vStr(params, "alg"); ok {
		if a != alg {
			t.Errorf("params.alg %q is not the case's algorithm %q", a, alg)
		}
		opts.IncludeAlg = true
	}
	var signer *MessageSigner
	var err error
	if alg == "hmac-sha256" {
		hk := rfcHMACKey(t, entry)
		signer, err = NewMessageSigner(hk, alg, opts)
		hk.Close() // the signer keeps its own key reference
	} else {
		pem, ok := vStr(entry, "private_pem")
		if !ok {
			t.Fatalf("key entry lacks private_pem")
		}
		sk, err2 := SigningKeyFromPEM([]byte(pem))
		if err2 != nil {
			t.Fatalf("SigningKeyFromPEM: %v", err2)
		}
		signer, err = NewMessageSigner(sk, alg, opts)
		sk.Close()
	}
	if err != nil {
		t.Fatalf("NewMessageSigner(%s): %v", alg, err)
	}
	defer signer.Close()
	m := rfcMessage(t, c, nil)
	var out Claims
	if m.req != nil {
		out, err = signer.Sign(m.req)
	} else {
		out, err = signer.SignResponse(m.resp)
	}
	if err != nil {
		t.Fatalf("MessageSigner.Sign: %v", err)
	}
	expectClaim(t, out, "signature_base", vMustStr(t, c, "signature_base"))
	expectClaim(t, out, "signature_params", vMustStr(t, c, "signature_params"))
	expectClaim(t, out, "Signature-Input", vMustStr(t, c, "signature_input"))
	expectClaim(t, out, "label", label)
	sig, ok := out.Get("Signature")
	if !ok {
		t.Errorf("claim Signature missing")
	}
	want, okWant := vStr(c, "signature_header")
	switch {
	case !ok:
	case !okWant:
		t.Errorf("signature_header missing")
	case deterministic && sig != want:
		t.Errorf("deterministic Signature:\n  got  %q\n  want %q", sig, want)
	case !deterministic && sig == want:
		t.Errorf("a randomised signature equals the published one")
	}
	return out
}

// rfcFlipSignatureBit is header (label=:base64:) with one bit of the decoded signature flipped.
func rfcFlipSignatureBit(h string) (string, bool) {
	eq := strings.IndexByte(h, '=')
	if eq < 0 || eq+1 >= len(h) || h[eq+1] != ':' {
		return "", false
	}
	start := eq + 2
	end := strings.IndexByte(h[start:], ':')
	if end < 0 {
		return "", false
	}
	sig, err := base64.StdEncoding.DecodeString(h[start : start+end])
	if err != nil || len(sig) == 0 {
		return "", false
	}
	sig[0] ^= 1
	return h[:eq] + "=:" + base64.StdEncoding.EncodeToString(sig) + ":", true
}

// rfcCheckVerified checks the verified claims of a signature the case describes.
func rfcCheckVerified(t *testing.T, c map[string]any, v *Verified) {
	t.Helper()
	params := vObj(c, "params")
	label, _ := vStr(c, "label")
	expectField(t, v, "label", label)
	keyID, ok := vStr(c, "key_id")
	rfcExpectClaim(t, v, "keyid", keyID, ok)
	alg, _ := vStr(vObj(c, "verifier"), "algorithm")
	expectField(t, v, "algorithm", alg)
	rfcExpectIntClaim(t, v, "created", params["created"])
	rfcExpectIntClaim(t, v, "expires", params["expires"])
	nonce, ok := vStr(params, "nonce")
	rfcExpectClaim(t, v, "nonce", nonce, ok)
	tag, ok := vStr(params, "tag")
	rfcExpectClaim(t, v, "tag", tag, ok)
	rfcExpectComponents(t, v, c["covered_components"])
}

// rfcCheckParsed checks the parsed (unverified) claims of a signature the case describes, with the alg parameter.
func rfcCheckParsed(t *testing.T, c map[string]any, m rfcMsg) {
	t.Helper()
	params := vObj(c, "params")
	label, _ := vStr(c, "label")
	p, err := m.parse(label)
	if err != nil {
		t.Errorf("ParseMessageSignature: %v", err)
		return
	}
	expectField(t, p, "label", label)
	keyID, ok := vStr(c, "key_id")
	rfcExpectClaim(t, p, "keyid", keyID, ok)
	alg, ok := vStr(params, "alg")
	rfcExpectClaim(t, p, "alg", alg, ok)
	rfcExpectIntClaim(t, p, "created", params["created"])
	rfcExpectIntClaim(t, p, "expires", params["expires"])
	nonce, ok := vStr(params, "nonce")
	rfcExpectClaim(t, p, "nonce", nonce, ok)
	tag, ok := vStr(params, "tag")
	rfcExpectClaim(t, p, "tag", tag, ok)
	rfcExpectComponents(t, p, c["covered_components"])
}

func rfcSign(t *testing.T, keys *rfcKeys, c map[string]any) {
	if e, _ := vStr(c, "expect"); e != "valid" {
		t.Fatalf("sign case with an expect other than valid: %q", e)
	}
	signed := rfcSignCase(t, keys, c)
	ours, _ := signed.Get("Signature")
	published, _ := vStr(c, "signature_header")
	input := vMustStr(t, c, "signature_input")
	// Our own signature verifies, and so does the published one.
	for i, sig := range []string{ours, published} {
		what := [...]string{"verify our signature", "verify the published signature"}[i]
		if sig == "" {
			t.Errorf("%s: no signature to verify", what)
			continue
		}
		m := rfcMessage(t, c, [][2]string{{"Signature-Input", input}, {"Signature", sig}})
		rfcCheckParsed(t, c, m)
		v, err := rfcVerify(t, keys, c, m, nil)
		expectErr(t, what, err, nil)
		if err == nil {
			rfcCheckVerified(t, c, v)
			expectField(t, v, "body_checked", "false")
		}
	}
}

func rfcVerifyCase(t *testing.T, keys *rfcKeys, c map[string]any) {
	input := vMustStr(t, c, "signature_input")
	signature := vMustStr(t, c, "signature_header")
	expect := vMustStr(t, c, "expect")
	vMustStr(t, c, "label")
	want, known := rfcExpect(expect)
	if !known {
		t.Fatalf("unknown expect value %q", expect)
	}
	if _, ok := c["covered_components"]; ok {
		// The published examples: reproduce the base and Signature-Input, and check a fresh signature verifies.
		signed := rfcSignCase(t, keys, c)
		sig, ok1 := signed.Get("Signature")
		sin, ok2 := signed.Get("Signature-Input")
		if ok1 && ok2 {
			m := rfcMessage(t, c, [][2]string{{"Signature-Input", sin}, {"Signature", sig}})
			fresh, err := rfcVerify(t, keys, c, m, nil)
			expectErr(t, "verify a fresh signature", err, nil)
			if err == nil {
				rfcCheckVerified(t, c, fresh)
			}
		} else {
			t.Errorf("sign claims lack Signature / Signature-Input")
		}
	}
	extra := [][2]string{{"Signature-Input", input}, {"Signature", signature}}
	m := rfcMessage(t, c, extra)
	if _, ok := vStr(c, "signature_base"); ok {
		rfcCheckParsed(t, c, m)
	}
	v, err := rfcVerify(t, keys, c, m, nil)
	expectErr(t, "verify the case's signature", err, want)
	switch expect {
	case "valid":
		if _, ok := c["covered_components"]; err == nil && ok {
			rfcCheckVerified(t, c, v)
		}
		// Its negative twin: one flipped bit of the signature is refused.
		flipped, ok := rfcFlipSignatureBit(signature)
		if !ok {
			t.Errorf("signature_header %q is not label=:base64:", signature)
			break
		}
		m2 := rfcMessage(t, c, [][2]string{{"Signature-Input", input}, {"Signature", flipped}})
		_, err2 := rfcVerify(t, keys, c, m2, nil)
		expectErr(t, "verify with one signature bit flipped", err2, ErrBadSignature)
	case "bad_digest":
		// The headers themselves verify: only the body check fails.
		off := false
		v2, err2 := rfcVerify(t, keys, c, m, &off)
		expectErr(t, "verify without the body check", err2, nil)
		if err2 == nil {
			expectField(t, v2, "body_checked", "false")
		}
	}
}

func rfcContentDigest(t *testing.T, c map[string]any) {
	alg := vMustStr(t, c, "algorithm")
	body := vMustStr(t, c, "body")
	want := vMustStr(t, c, "content_digest")
	n, ok := vInt(c, "body_length")
	if !ok {
		t.Fatalf("content_digest case lacks body_length (cannot be driven)")
	}
	if e, _ := vStr(c, "expect"); e != "valid" {
		t.Fatalf("content_digest case with an expect other than valid: %q", e)
	}
	if int64(len(body)) != n {
		t.Errorf("body is %d bytes, body_length %d", len(body), n)
	}
	value, err := ContentDigest([]byte(body), alg)
	if err != nil {
		t.Errorf("ContentDigest(%s): %v", alg, err)
	} else {
		if value != want {
			t.Errorf("Content-Digest value %q, want %q", value, want)
		}
		expectErr(t, "VerifyContentDigest(own value)", VerifyContentDigest(value, []byte(body)), nil)
	}
	expectErr(t, "VerifyContentDigest", VerifyContentDigest(want, []byte(body)), nil)
	expectErr(t, "VerifyContentDigest(altered body)", VerifyContentDigest(want, []byte(body+" ")), ErrBadSignature)
}

func TestVectorsRFC9421(t *testing.T) {
	root, cases := loadVectors(t, "rfc9421.json")
	keys := rfcLoadKeys(t, root)
	tally := newCaseTally("rfc9421.json")
	for i, c := range cases {
		id := caseID(c, i)
		t.Run(id, func(t *testing.T) {
			op, _ := vStr(c, "op")
			switch op {
			case "sign":
				rfcSign(t, keys, c)
			case "verify":
				rfcVerifyCase(t, keys, c)
			case "content_digest":
				rfcContentDigest(t, c)
			default:
				t.Fatalf("%s: cannot drive op %q", id, op)
			}
			tally.done(op)
		})
	}
	tally.check(t, len(cases))
}
