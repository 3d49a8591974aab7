package countermark

// #include "countermark.h"
import "C"

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"unsafe"
)

// RequestFromHTTP converts a server-side *http.Request into a Request: the method, the request target as
// received (RequestURI, else the URL's), the scheme (https when the connection had TLS, else http), the
// authority (Host) and the header lines, with body as the body (nil: none). Header values and the body are
// shared, not copied. Go's http.Header keeps the order of the lines of one name but not across names, which is
// all the schemes need (they read headers by name).
func RequestFromHTTP(hr *http.Request, body []byte) *Request {
	n := 0
	for _, vs := range hr.Header {
		n += len(vs)
	}
	headers := make([][2]string, 0, n)
	for name, vs := range hr.Header {
		for _, v := range vs {
			headers = append(headers, [2]string{name, v})
		}
	}
	return &Request{Method: hr.Method, Target: httpTarget(hr), Scheme: httpScheme(hr), Authority: hr.Host,
		Headers: headers, Body: body}
}

func httpTarget(hr *http.Request) string {
	if hr.RequestURI != "" {
		return hr.RequestURI
	}
	return hr.URL.RequestURI()
}

func httpScheme(hr *http.Request) string {
	if hr.TLS != nil {
		return "https"
	}
	return "http"
}

// httpParts writes hr (with body) as countermark_request_parts into pooled C memory, without building a
// Request: the conversion of RequestFromHTTP with no Go allocation. The caller puts the block back.
func httpParts(hr *http.Request, body []byte) (*C.countermark_request_parts, *cblock) {
	partsSize := unsafe.Sizeof(C.countermark_request_parts{})
	pairSize := unsafe.Sizeof(C.countermark_pair{})
	target, scheme := httpTarget(hr), httpScheme(hr)
	lines := 0
	need := partsSize + uintptr(len(hr.Method)+len(target)+len(scheme)+len(hr.Host)+len(body))
	for name, vs := range hr.Header {
		lines += len(vs)
		for _, v := range vs {
			need += pairSize + uintptr(len(name)+len(v))
		}
	}
	b := blocks.Get().(*cblock)
	if b.size < need {
		blocks.Put(b)
		b = newBlock(need)
	}
	p := (*C.countermark_request_parts)(b.p)
	pairs := unsafe.Slice((*C.countermark_pair)(unsafe.Add(b.p, partsSize)), lines)
	text := unsafe.Slice((*byte)(unsafe.Add(b.p, partsSize+uintptr(lines)*pairSize)),
		int(b.size-partsSize-uintptr(lines)*pairSize))
	off := 0
	put := func(s string) C.countermark_str {
		if len(s) == 0 {
			return C.countermark_str{}
		}
		copy(text[off:], s)
		v := C.countermark_str{data: (*C.uint8_t)(unsafe.Pointer(&text[off])), len: C.size_t(len(s))}
		off += len(s)
		return v
	}
	p.method = put(hr.Method)
	p.target = put(target)
	p.scheme = put(scheme)
	p.authority = put(hr.Host)
	i := 0
	for name, vs := range hr.Header {
		for _, v := range vs {
			pairs[i] = C.countermark_pair{name: put(name), value: put(v)}
			i++
		}
	}
	p.headers = nil
	if lines > 0 {
		p.headers = &pairs[0]
	}
	p.n_headers = C.size_t(lines)
	p.has_body = C.bool(body != nil)
	p.body = C.countermark_str{}
	if len(body) > 0 {
		copy(text[off:], body)
		p.body = C.countermark_str{data: (*C.uint8_t)(unsafe.Pointer(&text[off])), len: C.size_t(len(body))}
	}
	return p, b
}

// VerifyHTTPMessageSignature is VerifyMessageSignature for a server-side *http.Request whose body the caller
// has read (nil: none): the request goes to the library with the verification, in one cgo call.
func VerifyHTTPMessageSignature(hr *http.Request, body []byte, key *MessageVerifyingKey,
	policy *MessagePolicy) (*Verified, error) {
	p, pb := httpParts(hr, body)
	defer blocks.Put(pb)
	v, err := callVerified(func(out *C.countermark_verified, buf *C.uint8_t, n C.size_t, outN *C.size_t) C.countermark_result {
		return C.countermark_message_signature_verify_parts(p, key.p, policy.p, out, buf, n, outN)
	})
	keepAlive(key, policy)
	return v, err
}

// ParseHTTPMessageSignature is ParseMessageSignature for a server-side *http.Request (one cgo call); (nil,
// nil) without Signature-Input and Signature headers.
func ParseHTTPMessageSignature(hr *http.Request, body []byte, label string) (*Verified, error) {
	p, pb := httpParts(hr, body)
	defer blocks.Put(pb)
	v, err := noCredentials(callVerified(func(out *C.countermark_verified, buf *C.uint8_t, n C.size_t,
		outN *C.size_t) C.countermark_result {
		return C.countermark_message_signature_parse_parts(p, strPtr(label), C.size_t(len(label)), out, buf, n, outN)
	}))
	keepAlive(label)
	return v, err
}

type verifiedKey struct{}

// VerifiedFromContext returns what the middleware verified for this request, or nil.
func VerifiedFromContext(ctx context.Context) *Verified {
	v, _ := ctx.Value(verifiedKey{}).(*Verified)
	return v
}

// MessageSignatureMiddleware checks the RFC 9421 signature of every request before passing it on: the claimed
// key id picks the key (Key), Policy decides the rest. A request that fails gets 401 with the error's reason; one
// that passes reaches Next with the result in its context (VerifiedFromContext) and its body readable again.
type MessageSignatureMiddleware struct {
	Policy *MessagePolicy
	// Key returns the verifying key of a claimed key id ("" when the signature names none); an error refuses
	// the request.
	Key func(keyID string) (*MessageVerifyingKey, error)
	// Label selects the signature to parse ("" for the first); set the policy's label to the same.
	Label string
	// MaxBodyBytes caps the body read for the Content-Digest check (0: no cap). A longer body is refused.
	MaxBodyBytes int64
	// OnError writes the refusal (nil: 401 with the reason as text).
	OnError func(w http.ResponseWriter, r *http.Request, err error)
	Next    http.Handler
}

// errBodyTooLarge reports a body over MaxBodyBytes.
var errBodyTooLarge = &Error{Code: CodeTooLarge, Message: "the request body is larger than MaxBodyBytes"}

func (m *MessageSignatureMiddleware) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r, m.MaxBodyBytes)
	if err == nil {
		var v *Verified
		if v, err = m.verify(r, body); err == nil {
			m.Next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), verifiedKey{}, v)))
			return
		}
	}
	if m.OnError != nil {
		m.OnError(w, r, err)
		return
	}
	reason := "refused"
	var e *Error
	if errors.As(err, &e) {
		reason = e.Code.Name()
	}
	http.Error(w, reason, http.StatusUnauthorized)
}

func (m *MessageSignatureMiddleware) verify(r *http.Request, body []byte) (*Verified, error) {
	claimed, err := ParseHTTPMessageSignature(r, body, m.Label)
	if err != nil {
		return nil, err
	}
	if claimed == nil {
		return nil, ErrNoCredentials
	}
	key, err := m.Key(claimed.KeyID)
	if err != nil {
		return nil, err
	}
	return VerifyHTTPMessageSignature(r, body, key, m.Policy)
}

// readBody reads the whole body (at most limit bytes when limit > 0) and puts an equal reader back.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	src := io.Reader(r.Body)
	if limit > 0 {
		src = io.LimitReader(r.Body, limit+1)
	}
	body, err := io.ReadAll(src)
	r.Body.Close()
	if err != nil {
		return nil, err
	}
	if limit > 0 && int64(len(body)) > limit {
		return nil, errBodyTooLarge
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, nil
}
