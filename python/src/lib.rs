//! `countermark._countermark`: the Python bindings of the countermark core. Each class converts Python types
//! to the core's and back; protocol logic stays in the core. The public API is `countermark/__init__.py`.

mod asym;
mod common;
mod errors;
mod http;
mod keys;
mod nonce;
mod protocol;
mod schemes;
mod signed;
mod tokens;

use pyo3::prelude::*;

#[pymodule]
fn _countermark(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", countermark::VERSION)?;
    m.add(
        "MEMORY_NONCE_STORE_DEFAULT_CAPACITY",
        countermark::replay::MemoryNonceStore::DEFAULT_CAPACITY,
    )?;
    m.add_class::<common::PyClock>()?;
    m.add_class::<keys::PyHmacKey>()?;
    m.add_class::<keys::PyKeyRing>()?;
    m.add_class::<keys::PySecretSealer>()?;
    m.add_class::<tokens::PyTokens>()?;
    m.add_class::<tokens::PyVerifiedToken>()?;
    m.add_class::<signed::PyUrlSigner>()?;
    m.add_class::<signed::PySignedData>()?;
    m.add_class::<nonce::PyNonceStore>()?;
    m.add_class::<http::PyRequest>()?;
    m.add_class::<http::PyResponse>()?;
    m.add_class::<http::PySigned>()?;
    m.add_class::<http::PyCredentials>()?;
    m.add_class::<http::PyVerified>()?;
    m.add_class::<schemes::PyFostSigner>()?;
    m.add_class::<schemes::PyFostPolicy>()?;
    m.add_class::<schemes::PyFostUrlSigner>()?;
    m.add_class::<schemes::PyApiSecret>()?;
    m.add_class::<schemes::PyHmacHeaderSigner>()?;
    m.add_class::<schemes::PyHmacHeaderPolicy>()?;
    m.add_class::<asym::PySigningKey>()?;
    m.add_class::<asym::PyVerifyingKey>()?;
    m.add_class::<asym::PyJwks>()?;
    m.add_class::<asym::PyJwtPolicy>()?;
    m.add_class::<asym::PyMessageSigner>()?;
    m.add_class::<asym::PyMessageVerifyingKey>()?;
    m.add_class::<asym::PyMessagePolicy>()?;
    for f in [
        wrap_pyfunction!(policy_defaults, m)?,
        wrap_pyfunction!(schemes::parse_fost, m)?,
        wrap_pyfunction!(schemes::verify_fost, m)?,
        wrap_pyfunction!(schemes::parse_fost_url, m)?,
        wrap_pyfunction!(schemes::verify_fost_url, m)?,
        wrap_pyfunction!(schemes::parse_hmac_header, m)?,
        wrap_pyfunction!(schemes::verify_hmac_header, m)?,
        wrap_pyfunction!(asym::sign_jwt, m)?,
        wrap_pyfunction!(asym::parse_jwt, m)?,
        wrap_pyfunction!(asym::parse_jwt_request, m)?,
        wrap_pyfunction!(asym::verify_jwt, m)?,
        wrap_pyfunction!(asym::parse_message_signature, m)?,
        wrap_pyfunction!(asym::verify_message_signature, m)?,
        wrap_pyfunction!(asym::parse_response_signature, m)?,
        wrap_pyfunction!(asym::verify_response_signature, m)?,
        wrap_pyfunction!(asym::content_digest, m)?,
        wrap_pyfunction!(asym::verify_content_digest, m)?,
        wrap_pyfunction!(schemes::explain_fost, m)?,
        wrap_pyfunction!(schemes::explain_fost_url, m)?,
        wrap_pyfunction!(schemes::explain_hmac_header, m)?,
        wrap_pyfunction!(asym::explain_message_signature, m)?,
        wrap_pyfunction!(asym::explain_jwt, m)?,
        wrap_pyfunction!(protocol::token_authorization, m)?,
        wrap_pyfunction!(protocol::parse_token_authorization, m)?,
        wrap_pyfunction!(protocol::split_url, m)?,
        wrap_pyfunction!(protocol::default_coverage, m)?,
    ] {
        m.add_function(f)?;
    }
    m.add_function(wrap_pyfunction!(errors::_raise_kind, m)?)?;
    m.add_function(wrap_pyfunction!(errors::_error_kinds, m)?)?;
    Ok(())
}

/// The core's default policy of every request scheme, one `describe()` line each (see the core's
/// `policy_defaults`): a policy built here with no arguments describes itself as exactly one of these lines.
#[pyfunction]
fn policy_defaults() -> Vec<String> {
    countermark::policy_defaults()
}
