package countermark

// #include "countermark.h"
import "C"

import "runtime"

// Request is an HTTP request as the signers and verifiers see it: the method, the request target (path and
// query as sent), the scheme and authority (for RFC 9421 @authority and FOST URLs; empty when unknown), the
// header lines in order, and the body (nil: no body). A plain Go value: build one per request.
type Request struct {
	Method    string
	Target    string
	Scheme    string
	Authority string
	Headers   [][2]string
	Body      []byte
}

// AddHeader appends a header line.
func (r *Request) AddHeader(name, value string) {
	r.Headers = append(r.Headers, [2]string{name, value})
}

// cRequest builds the library's request; the caller frees it with C.countermark_request_free.
func (r *Request) cRequest() (*C.countermark_request, error) {
	var out *C.countermark_request
	if err := check(C.countermark_request_new(strPtr(r.Method), C.size_t(len(r.Method)), strPtr(r.Target),
		C.size_t(len(r.Target)), &out)); err != nil {
		return nil, err
	}
	fail := func(err error) (*C.countermark_request, error) {
		C.countermark_request_free(out)
		return nil, err
	}
	if r.Authority != "" {
		scheme := r.Scheme
		if scheme == "" {
			scheme = "https"
		}
		if err := check(C.countermark_request_set_authority(out, strPtr(scheme), C.size_t(len(scheme)),
			strPtr(r.Authority), C.size_t(len(r.Authority)))); err != nil {
			return fail(err)
		}
	}
	for _, h := range r.Headers {
		if err := check(C.countermark_request_add_header(out, strPtr(h[0]), C.size_t(len(h[0])), strPtr(h[1]),
			C.size_t(len(h[1])))); err != nil {
			return fail(err)
		}
	}
	if r.Body != nil {
		if err := check(C.countermark_request_set_body(out, ptrOf(r.Body), C.size_t(len(r.Body)))); err != nil {
			return fail(err)
		}
	}
	runtime.KeepAlive(r)
	return out, nil
}

// Response is an HTTP response for RFC 9421 response signatures; Request (optional) is the request it answers.
type Response struct {
	Status  int
	Headers [][2]string
	Body    []byte
	Request *Request
}

func (r *Response) cResponse() (*C.countermark_response, func(), error) {
	var out *C.countermark_response
	if err := check(C.countermark_response_new(C.uint16_t(r.Status), &out)); err != nil {
		return nil, nil, err
	}
	var creq *C.countermark_request
	free := func() {
		C.countermark_response_free(out)
		if creq != nil {
			C.countermark_request_free(creq)
		}
	}
	for _, h := range r.Headers {
		if err := check(C.countermark_response_add_header(out, strPtr(h[0]), C.size_t(len(h[0])), strPtr(h[1]),
			C.size_t(len(h[1])))); err != nil {
			free()
			return nil, nil, err
		}
	}
	if r.Body != nil {
		if err := check(C.countermark_response_set_body(out, ptrOf(r.Body), C.size_t(len(r.Body)))); err != nil {
			free()
			return nil, nil, err
		}
	}
	if r.Request != nil {
		var err error
		if creq, err = r.Request.cRequest(); err != nil {
			free()
			return nil, nil, err
		}
		if err := check(C.countermark_response_set_request(out, creq)); err != nil {
			free()
			return nil, nil, err
		}
	}
	runtime.KeepAlive(r)
	return out, free, nil
}

// claimsCall runs a C function that writes claims, on the library's view of r.
func (r *Request) claimsCall(f func(*C.countermark_request, **C.countermark_claims) C.countermark_result) (Claims, error) {
	creq, err := r.cRequest()
	if err != nil {
		return nil, err
	}
	defer C.countermark_request_free(creq)
	var h *C.countermark_claims
	err = check(f(creq, &h))
	runtime.KeepAlive(r)
	if err != nil {
		return nil, err
	}
	return takeClaims(h), nil
}
