//! Module functions over the core's protocol decisions: the `Authorization: Token` header, URL splitting and
//! the default RFC 9421 coverage.

use countermark::http::message_signatures::default_coverage as core_default_coverage;
use countermark::http::token_header;
use pyo3::prelude::*;

use crate::errors::IntoPy;
use crate::http::PyRequest;

/// The `Authorization` value `"<keyword> <token>"`, the keyword by default the core's `Token` (`InvalidValue` for
/// a keyword that is not an HTTP token or a token that is not visible ASCII).
#[pyfunction]
#[pyo3(signature = (token, keyword = None))]
pub(crate) fn token_authorization(token: &str, keyword: Option<&str>) -> PyResult<String> {
    let keyword = keyword.unwrap_or(token_header::DEFAULT_TOKEN_KEYWORD);
    token_header::token_authorization(keyword, token).py()
}

/// The token of an `Authorization` value `"<keyword> <token>"` (keyword compared case-insensitively, the token
/// stripped), or None when the value is not one: another keyword, or no `:` in what follows (DRF's own hex
/// tokens are left to DRF).
#[pyfunction]
#[pyo3(signature = (value, keyword = None))]
pub(crate) fn parse_token_authorization(value: &str, keyword: Option<&str>) -> Option<String> {
    let keyword = keyword.unwrap_or(token_header::DEFAULT_TOKEN_KEYWORD);
    token_header::parse_token_authorization(keyword, value).map(str::to_string)
}

/// `(scheme, authority, target)` of an absolute URL: the authority without userinfo, the origin-form target
/// (path, `/` when empty, then `?query`), the fragment dropped. With `normalized`, the scheme and authority as
/// an HTTP client sends them (the core's `UrlParts::scheme_normalized` / `authority_normalized`: lower case, no
/// default port). `InvalidValue` for anything but `scheme://...`.
#[pyfunction]
#[pyo3(signature = (url, *, normalized = false))]
pub(crate) fn split_url(url: &str, normalized: bool) -> PyResult<(String, String, String)> {
    let u = countermark::http::split_url(url).py()?;
    Ok(if normalized {
        (u.scheme_normalized(), u.authority_normalized(), u.target())
    } else {
        (
            u.scheme().to_string(),
            u.authority().to_string(),
            u.target(),
        )
    })
}

/// The default RFC 9421 coverage of `request`: `(components, content_digest)`, the components as in
/// `Signature-Input` (`@method @authority @path`, `@query` when the target has a `?`, `content-digest` for a
/// non-empty body) and the `Content-Digest` value to set, replacing any the request has (None without a body).
#[pyfunction]
pub(crate) fn default_coverage(request: &PyRequest) -> PyResult<(Vec<String>, Option<String>)> {
    let view = request.view()?;
    let c = core_default_coverage(&view).py()?;
    Ok((
        c.components()
            .iter()
            .map(|c| c.name().to_string())
            .collect(),
        c.content_digest().map(str::to_string),
    ))
}
