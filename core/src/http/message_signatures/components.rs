//! Covered components (RFC 9421 section 2): their identifiers, their values in a message, and the signature base.

use std::borrow::Cow;
use std::fmt;

use sfv::{FieldType as _, KeyRef, ListEntry, Parser, RefBareItem, StringRef};

use super::MAX_SIGNATURE_BASE_LEN;
use crate::encoding::py_unquote_plus;
use crate::error::{Error, ErrorKind, Result};
use crate::http::{Headers, Request, Response};

/// The message a signature is made over or checked against: a request, or a response (which may carry the request
/// it answers, for `;req` components).
///
/// Built with `From` from `&Request` or `&Response`, so every function that takes `impl Into<HttpMessage>` accepts
/// either.
#[derive(Debug, Clone, Copy)]
pub enum HttpMessage<'m> {
    /// A request.
    Request(&'m Request<'m>),
    /// A response.
    Response(&'m Response<'m>),
}

impl<'m, 'a: 'm> From<&'m Request<'a>> for HttpMessage<'m> {
    fn from(request: &'m Request<'a>) -> Self {
        HttpMessage::Request(request)
    }
}

impl<'m, 'a: 'm> From<&'m Response<'a>> for HttpMessage<'m> {
    fn from(response: &'m Response<'a>) -> Self {
        HttpMessage::Response(response)
    }
}

impl<'m> HttpMessage<'m> {
    /// The message's header field lines.
    pub fn headers(&self) -> &'m Headers<'m> {
        match *self {
            HttpMessage::Request(r) => r.headers(),
            HttpMessage::Response(r) => r.headers(),
        }
    }

    /// The message's body (`None` without one).
    pub fn body(&self) -> Option<&'m [u8]> {
        match *self {
            HttpMessage::Request(r) => r.body(),
            HttpMessage::Response(r) => r.body(),
        }
    }

    /// Whether this is a response.
    pub fn is_response(&self) -> bool {
        matches!(self, HttpMessage::Response(_))
    }
}

/// The derived components of RFC 9421 section 2.2 that countermark computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Derived {
    Method,
    TargetUri,
    Authority,
    Scheme,
    RequestTarget,
    Path,
    Query,
    QueryParam,
    Status,
}

impl Derived {
    const ALL: [Derived; 9] = [
        Derived::Method,
        Derived::TargetUri,
        Derived::Authority,
        Derived::Scheme,
        Derived::RequestTarget,
        Derived::Path,
        Derived::Query,
        Derived::QueryParam,
        Derived::Status,
    ];

    const fn name(self) -> &'static str {
        match self {
            Derived::Method => "@method",
            Derived::TargetUri => "@target-uri",
            Derived::Authority => "@authority",
            Derived::Scheme => "@scheme",
            Derived::RequestTarget => "@request-target",
            Derived::Path => "@path",
            Derived::Query => "@query",
            Derived::QueryParam => "@query-param",
            Derived::Status => "@status",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.name() == name)
    }
}

/// One component parameter (RFC 9421 section 2.1 and 2.2.8). `tr` (trailers) is not supported.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Param {
    Sf,
    Key(String),
    Bs,
    Req,
    Name(String),
}

const SF: &KeyRef = KeyRef::constant("sf");
const KEY: &KeyRef = KeyRef::constant("key");
const BS: &KeyRef = KeyRef::constant("bs");
const REQ: &KeyRef = KeyRef::constant("req");
const NAME: &KeyRef = KeyRef::constant("name");

impl Param {
    fn key(&self) -> &'static KeyRef {
        match self {
            Param::Sf => SF,
            Param::Key(_) => KEY,
            Param::Bs => BS,
            Param::Req => REQ,
            Param::Name(_) => NAME,
        }
    }
}

/// A covered component identifier: a derived component (`@method`, `"@query-param";name="Pet"`, …) or an HTTP field
/// (`content-digest`, `"example-dict";key="a"`, …), with its parameters in the order given.
///
/// Supported derived components: `@method` (upper-cased, as the vectors' reference does), `@target-uri`
/// (`scheme://authority/path?query` with the authority as given), `@authority` (lower-cased, default port
/// removed), `@scheme` (lower-cased), `@request-target` (origin form: path and query), `@path`, `@query` (`?` plus
/// the raw query, `?` alone when there is none), `@query-param;name=…` and `@status` (responses). Supported
/// parameters: `sf`, `key`, `bs`, `req` and (for `@query-param`) `name`; `tr` (trailers) is refused.
///
/// Two identifiers are equal when they have the same name and the same parameters, in any order.
///
/// ```
/// use countermark::http::message_signatures::Component;
///
/// let c = Component::query_param("Pet")?;
/// assert_eq!(c.to_string(), r#""@query-param";name="Pet""#);
/// assert_eq!(Component::parse(r#""@query-param";name="Pet""#)?, c);
/// assert_eq!(Component::field("Content-Digest")?.to_string(), r#""content-digest""#);
/// assert_eq!(Component::parse("@method")?, Component::derived("@method")?);
/// # Ok::<(), countermark::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Component {
    // Static for derived components and common fields (nothing allocated when a signature names them).
    name: Cow<'static, str>,
    derived: Option<Derived>,
    params: Vec<Param>,
}

impl PartialEq for Component {
    fn eq(&self, other: &Self) -> bool {
        if self.name != other.name || self.params.len() != other.params.len() {
            return false;
        }
        if self.params == other.params {
            return true;
        }
        let mut a = self.params.clone();
        let mut b = other.params.clone();
        a.sort();
        b.sort();
        a == b
    }
}

impl Eq for Component {}

/// Field names kept as static text when a component names them (the fields signatures commonly cover).
const COMMON_FIELDS: [&str; 9] = [
    "content-digest",
    "content-type",
    "content-length",
    "date",
    "authorization",
    "host",
    "cache-control",
    "x-request-id",
    "accept",
];

/// `s` without leading and trailing spaces and tabs (HTTP's optional whitespace), as `Headers::get` trims.
pub(crate) fn trim_ows(s: &str) -> &str {
    s.trim_matches(|c: char| c == ' ' || c == '\t')
}

/// Whether `b` stands for itself in a Structured Field String (printable ASCII other than `"` and `\`).
fn plain_in_sf_string(b: u8) -> bool {
    (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\'
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

impl Component {
    /// An HTTP field by name (lower-cased here, as RFC 9421 requires).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] for a name that is not an HTTP token or is over [`super::MAX_PARAM_LEN`] bytes.
    pub fn field(name: &str) -> Result<Self> {
        Self::checked(
            Cow::Owned(name.to_ascii_lowercase()),
            Vec::new(),
            ErrorKind::InvalidValue,
        )
    }

    /// A derived component by name (`"@method"`, `"@authority"`, …). `@query-param` needs
    /// [`Component::query_param`].
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] for an unknown name, `@query-param` or `@signature-params`.
    pub fn derived(name: &str) -> Result<Self> {
        Self::checked(Cow::Borrowed(name), Vec::new(), ErrorKind::InvalidValue)
    }

    /// `"@query-param";name="…"` for the query parameter named `name` (its decoded name; it is percent-encoded
    /// here as the component identifier requires).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] when the encoded name is over [`super::MAX_PARAM_LEN`] bytes.
    pub fn query_param(name: &str) -> Result<Self> {
        Self::checked(
            Cow::Borrowed(Derived::QueryParam.name()),
            vec![Param::Name(form_encode(name))],
            ErrorKind::InvalidValue,
        )
    }

    /// Parses an identifier as it appears in `Signature-Input`: a Structured Field String with parameters
    /// (`"@query-param";name="Pet"`, `"example-dict";key="a"`, `"content-digest"`), or, for convenience, a bare
    /// name without quotes or parameters (`@method`, `content-type`).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] for text that is not such an identifier, an unknown derived component, an
    /// unsupported or misplaced parameter, or an upper-case field name.
    pub fn parse(text: &str) -> Result<Self> {
        if !text.starts_with('"') {
            return Self::checked(Cow::Borrowed(text), Vec::new(), ErrorKind::InvalidValue);
        }
        let item: sfv::Item = Parser::new(text).parse().map_err(|_| {
            Error::invalid_value(format!(
                "not a component identifier: {:?}",
                crate::encoding::clip(text, 64)
            ))
        })?;
        Self::from_sf_item(
            RefBareItem::from(&item.bare_item),
            item.params
                .iter()
                .map(|(k, v)| (k.as_ref(), RefBareItem::from(v))),
        )
        .map_err(|e| Error::new(ErrorKind::InvalidValue, e.message().to_string()))
    }

    /// From a parsed Structured Field item (the wire form): its bare item and its parameters (each key once, in
    /// order). Errors are [`ErrorKind::Malformed`].
    pub(crate) fn from_sf_item<'p>(
        bare: RefBareItem<'_>,
        params: impl ExactSizeIterator<Item = (&'p KeyRef, RefBareItem<'p>)>,
    ) -> Result<Self> {
        let name = bare.as_string().ok_or_else(|| {
            Error::malformed("a covered component identifier must be a quoted string")
        })?;
        let mut out = Vec::with_capacity(params.len());
        for (key, value) in params {
            let flag = |p: Param| match value.as_boolean() {
                Some(true) => Ok(p),
                _ => Err(Error::malformed(format!(
                    "component parameter {:?} must be a true boolean",
                    key.as_str()
                ))),
            };
            let text = |f: fn(String) -> Param| match value.as_string() {
                Some(s) => Ok(f(s.as_str().to_string())),
                None => Err(Error::malformed(format!(
                    "component parameter {:?} must be a string",
                    key.as_str()
                ))),
            };
            out.push(match key.as_str() {
                "sf" => flag(Param::Sf)?,
                "bs" => flag(Param::Bs)?,
                "req" => flag(Param::Req)?,
                "key" => text(Param::Key)?,
                "name" => text(Param::Name)?,
                "tr" => {
                    return Err(Error::malformed(
                        "trailer components (;tr) are not supported",
                    ))
                }
                other => {
                    return Err(Error::malformed(format!(
                        "unknown component parameter {:?}",
                        crate::encoding::clip(other, 32)
                    )))
                }
            });
        }
        Self::checked(Cow::Borrowed(name.as_str()), out, ErrorKind::Malformed)
    }

    fn checked(name: Cow<'_, str>, params: Vec<Param>, kind: ErrorKind) -> Result<Self> {
        let fail = |msg: String| Error::new(kind, msg);
        // Input over a limit is TooLarge; an argument over it is refused with the caller's kind.
        let too_long = |what: &str| {
            Error::new(
                match kind {
                    ErrorKind::Malformed => ErrorKind::TooLarge,
                    other => other,
                },
                format!("{what} is over the limit of {} bytes", super::MAX_PARAM_LEN),
            )
        };
        if name.is_empty() {
            return Err(fail("a component name must not be empty".into()));
        }
        if name.len() > super::MAX_PARAM_LEN {
            return Err(too_long("a component name"));
        }
        let derived = if name.starts_with('@') {
            if name == "@signature-params" {
                return Err(fail(
                    "@signature-params cannot be a covered component".into(),
                ));
            }
            Some(Derived::from_name(&name).ok_or_else(|| {
                fail(format!(
                    "unknown derived component {:?}",
                    crate::encoding::clip(&name, 32)
                ))
            })?)
        } else {
            if !name.bytes().all(is_tchar) {
                return Err(fail(format!(
                    "{:?} is not an HTTP field name",
                    crate::encoding::clip(&name, 32)
                )));
            }
            if name.bytes().any(|b| b.is_ascii_uppercase()) {
                return Err(fail(format!(
                    "field name {:?} must be lower case in a component identifier",
                    crate::encoding::clip(&name, 32)
                )));
            }
            None
        };
        let has = |f: fn(&Param) -> bool| params.iter().filter(|p| f(p)).count();
        let sf = has(|p| matches!(p, Param::Sf));
        let key = has(|p| matches!(p, Param::Key(_)));
        let bs = has(|p| matches!(p, Param::Bs));
        let req = has(|p| matches!(p, Param::Req));
        let nm = has(|p| matches!(p, Param::Name(_)));
        if sf > 1 || key > 1 || bs > 1 || req > 1 || nm > 1 {
            return Err(fail("a component parameter is repeated".into()));
        }
        for p in &params {
            if let Param::Key(s) | Param::Name(s) = p {
                if s.len() > super::MAX_PARAM_LEN {
                    return Err(too_long("a component parameter"));
                }
                if StringRef::from_str(s).is_err() {
                    return Err(fail("component parameters are printable ASCII".into()));
                }
            }
        }
        match derived {
            Some(d) => {
                if sf + key + bs > 0 {
                    return Err(fail(format!(
                        "{} takes no sf, key or bs parameter",
                        d.name()
                    )));
                }
                match (d == Derived::QueryParam, nm) {
                    (true, 0) => {
                        return Err(fail("@query-param needs a name parameter".into()));
                    }
                    (false, 1) => {
                        return Err(fail(format!("{} takes no name parameter", d.name())));
                    }
                    _ => {}
                }
            }
            None => {
                if nm > 0 {
                    return Err(fail("a field component takes no name parameter".into()));
                }
                if bs > 0 && sf + key > 0 {
                    return Err(fail(
                        "the bs parameter cannot be combined with sf or key".into(),
                    ));
                }
            }
        }
        let name = match derived {
            Some(d) => Cow::Borrowed(d.name()),
            None => match COMMON_FIELDS.iter().find(|f| **f == name) {
                Some(f) => Cow::Borrowed(*f),
                None => Cow::Owned(name.into_owned()),
            },
        };
        Ok(Component {
            name,
            derived,
            params,
        })
    }

    /// The same component taken from the request that a response answers (`;req`).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] when it already has `;req`.
    pub fn with_req(self) -> Result<Self> {
        self.with_param(Param::Req)
    }

    /// The field re-serialised as a Structured Field (`;sf`).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] on a derived component, or with `bs`.
    pub fn with_sf(self) -> Result<Self> {
        self.with_param(Param::Sf)
    }

    /// One member of a Dictionary field (`;key="…"`).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] on a derived component, with `bs`, or for a key that is not printable ASCII.
    pub fn with_key(self, key: &str) -> Result<Self> {
        self.with_param(Param::Key(key.to_string()))
    }

    /// Each field line wrapped as a Byte Sequence (`;bs`).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] on a derived component, or with `sf` or `key`.
    pub fn with_bs(self) -> Result<Self> {
        self.with_param(Param::Bs)
    }

    fn with_param(self, p: Param) -> Result<Self> {
        let mut params = self.params;
        params.push(p);
        Self::checked(self.name, params, ErrorKind::InvalidValue)
    }

    /// The component name: `@method`, `@query-param`, or a lower-case field name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether this is a derived component (its name starts with `@`).
    pub fn is_derived(&self) -> bool {
        self.derived.is_some()
    }

    /// Whether the value comes from the request a response answers (`;req`).
    pub fn is_from_request(&self) -> bool {
        self.params.contains(&Param::Req)
    }

    /// The Dictionary key selected by `;key`, if any.
    pub fn dictionary_key(&self) -> Option<&str> {
        self.params.iter().find_map(|p| match p {
            Param::Key(k) => Some(k.as_str()),
            _ => None,
        })
    }

    /// The (percent-encoded) query parameter name of `@query-param`.
    pub fn query_param_name(&self) -> Option<&str> {
        self.params.iter().find_map(|p| match p {
            Param::Name(n) => Some(n.as_str()),
            _ => None,
        })
    }

    fn has(&self, p: &Param) -> bool {
        self.params.contains(p)
    }

    /// Serialises the identifier into `out` (as an SF item), or into an inner list being written.
    pub(crate) fn write_params<W: std::borrow::BorrowMut<String>>(
        &self,
        mut ser: sfv::ParameterSerializer<W>,
    ) -> Result<sfv::ParameterSerializer<W>> {
        for p in &self.params {
            let value = match p {
                Param::Sf | Param::Bs | Param::Req => RefBareItem::Boolean(true),
                Param::Key(s) | Param::Name(s) => RefBareItem::String(sf_string(s)?),
            };
            ser = ser.parameter(p.key(), value);
        }
        Ok(ser)
    }

    pub(crate) fn sf_name(&self) -> Result<&StringRef> {
        sf_string(&self.name)
    }
}

fn sf_string(s: &str) -> Result<&StringRef> {
    StringRef::from_str(s).map_err(|_| Error::malformed("not a valid structured field string"))
}

impl Component {
    /// Appends the serialised identifier (as [`fmt::Display`] writes it) to `out`.
    pub(crate) fn push_identifier(&self, out: &mut String) {
        if self.params.is_empty() && self.name.bytes().all(plain_in_sf_string) {
            // Every name a component can have (an HTTP token or a derived name): nothing to escape.
            out.reserve(self.name.len() + 2);
            out.push('"');
            out.push_str(&self.name);
            out.push('"');
        } else {
            // Writing to a String cannot fail.
            let _ = self.write_identifier(out);
        }
    }

    /// Writes the serialised identifier (as [`fmt::Display`] does) to `f`.
    fn write_identifier<W: fmt::Write>(&self, f: &mut W) -> fmt::Result {
        if self.params.is_empty() && self.name.bytes().all(plain_in_sf_string) {
            // Every name a component can have (an HTTP token or a derived name): nothing to escape.
            f.write_char('"')?;
            f.write_str(&self.name)?;
            return f.write_char('"');
        }
        let name = self.sf_name().map_err(|_| fmt::Error)?;
        if self.params.is_empty() {
            // The common case, written in place: an sf-string is `"`, the text with `"` and `\` escaped, `"`.
            f.write_char('"')?;
            for part in name.as_str().split_inclusive(['"', '\\']) {
                match part.strip_suffix(['"', '\\']) {
                    Some(head) => {
                        f.write_str(head)?;
                        f.write_char('\\')?;
                        f.write_str(&part[head.len()..])?;
                    }
                    None => f.write_str(part)?,
                }
            }
            return f.write_char('"');
        }
        let ser = sfv::ItemSerializer::new().bare_item(name);
        let ser = self.write_params(ser).map_err(|_| fmt::Error)?;
        f.write_str(&ser.finish())
    }
}

impl fmt::Display for Component {
    /// The serialised identifier, as it appears in `Signature-Input` and the signature base.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_identifier(f)
    }
}

fn missing(what: impl fmt::Display) -> Error {
    Error::malformed(format!("the message has no {what}"))
}

/// The value of `c` in `msg` (RFC 9421 section 2.1 and 2.2), as the signature base holds it.
#[cfg(test)]
fn component_value(msg: HttpMessage<'_>, c: &Component) -> Result<String> {
    let mut value = String::new();
    append_value(msg, c, &mut value)?;
    Ok(value)
}

fn line_break(c: &Component) -> Error {
    Error::malformed(format!("the value of {c} contains a line break"))
}

/// Appends the value of `c` in `msg` (RFC 9421 section 2.1 and 2.2) to `out`, written in place for the common
/// components (`@method`, `@authority`, `@path`, and a field used as sent). Errors are [`ErrorKind::Malformed`];
/// on an error, `out` may hold part of the value.
fn append_value(msg: HttpMessage<'_>, c: &Component, out: &mut String) -> Result<()> {
    let target = value_source(msg, c)?;
    let start = out.len();
    match (target, c.derived) {
        (HttpMessage::Request(req), Some(Derived::Method)) => {
            let m = req.method();
            if m.bytes().any(|b| b.is_ascii_lowercase()) {
                out.extend(m.chars().map(|ch| ch.to_ascii_uppercase()));
            } else {
                out.push_str(m);
            }
        }
        (HttpMessage::Request(req), Some(Derived::Path)) => out.push_str(req.path()),
        (HttpMessage::Request(req), Some(Derived::Authority)) => {
            // As `Request::authority_normalized`: lower case, the scheme's default port removed.
            let a = req.authority();
            let default_port: &[u8] = if req.scheme().eq_ignore_ascii_case("http") {
                b":80"
            } else if req.scheme().eq_ignore_ascii_case("https") {
                b":443"
            } else {
                b""
            };
            let a = match a.len().checked_sub(default_port.len()) {
                Some(cut) if !default_port.is_empty() && &a.as_bytes()[cut..] == default_port => {
                    &a[..cut]
                }
                _ => a,
            };
            if a.is_empty() {
                return Err(missing("authority (@authority)"));
            }
            if a.bytes().any(|b| b.is_ascii_uppercase()) {
                out.extend(a.chars().map(|ch| ch.to_ascii_lowercase()));
            } else {
                out.push_str(a);
            }
        }
        (_, None) if c.params.is_empty() => {
            // A field used as sent: its lines, trimmed, joined with ", " (as `Headers::get`).
            let mut lines = target.headers().values(&c.name);
            let first = lines
                .next()
                .ok_or_else(|| missing(format_args!("{} field", c.name)))?;
            out.push_str(trim_ows(first));
            for line in lines {
                out.push_str(", ");
                out.push_str(trim_ows(line));
            }
        }
        (_, Some(d)) => out.push_str(&derived_value(target, d, c)?),
        (_, None) => out.push_str(&field_value(target.headers(), c)?),
    }
    if out.as_bytes()[start..]
        .iter()
        .any(|b| matches!(b, b'\r' | b'\n'))
    {
        return Err(line_break(c));
    }
    Ok(())
}

/// The message a component's value is taken from: `msg`, or with `;req` the request a response answers.
fn value_source<'m>(msg: HttpMessage<'m>, c: &Component) -> Result<HttpMessage<'m>> {
    Ok(if c.has(&Param::Req) {
        match msg {
            HttpMessage::Request(_) => {
                return Err(Error::malformed(
                    "the req parameter applies only to components of a response",
                ))
            }
            HttpMessage::Response(r) => HttpMessage::Request(r.request().ok_or_else(|| {
                Error::malformed(format!(
                    "{c} refers to the request, but none is attached to the response"
                ))
            })?),
        }
    } else {
        msg
    })
}

/// A derived component's value, borrowed from the message where it is the message's own text.
fn derived_value<'m>(msg: HttpMessage<'m>, d: Derived, c: &Component) -> Result<Cow<'m, str>> {
    let req = match (msg, d) {
        (HttpMessage::Response(r), Derived::Status) => {
            return Ok(Cow::Owned(format!("{:03}", r.status())))
        }
        (HttpMessage::Request(_), Derived::Status) => {
            return Err(Error::malformed("@status applies only to responses"))
        }
        (HttpMessage::Request(r), _) => r,
        (HttpMessage::Response(_), _) => {
            return Err(Error::malformed(format!(
                "{} is a request component; a response covers it with the req parameter",
                d.name()
            )))
        }
    };
    let query = || req.query().map(|q| format!("?{q}")).unwrap_or_default();
    Ok(Cow::Owned(match d {
        Derived::Method => {
            let m = req.method();
            if m.bytes().any(|b| b.is_ascii_lowercase()) {
                m.to_ascii_uppercase()
            } else {
                return Ok(Cow::Borrowed(m));
            }
        }
        Derived::Authority => {
            let a = req.authority_normalized();
            if a.is_empty() {
                return Err(missing("authority (@authority)"));
            }
            a
        }
        Derived::Scheme => {
            if req.scheme().is_empty() {
                return Err(missing("scheme (@scheme)"));
            }
            req.scheme().to_ascii_lowercase()
        }
        Derived::TargetUri => {
            if req.scheme().is_empty() || req.authority().is_empty() {
                return Err(missing("absolute target URI (@target-uri)"));
            }
            format!(
                "{}://{}{}{}",
                req.scheme().to_ascii_lowercase(),
                req.authority(),
                req.path(),
                query()
            )
        }
        Derived::RequestTarget => format!("{}{}", req.path(), query()),
        Derived::Path => return Ok(Cow::Borrowed(req.path())),
        Derived::Query => format!("?{}", req.query().unwrap_or("")),
        Derived::QueryParam => {
            let name = c.query_param_name().unwrap_or("");
            let mut found = query_param_values(req.query().unwrap_or(""), name);
            match (found.next(), found.next()) {
                (Some(v), None) => v,
                (None, _) => return Err(missing(format_args!("query parameter {c}"))),
                (Some(_), Some(_)) => {
                    return Err(Error::malformed(format!(
                        "query parameter {c} occurs more than once; RFC 9421 forbids covering it (cover @query)"
                    )))
                }
            }
        }
        Derived::Status => return Err(Error::malformed("@status applies only to responses")),
    }))
}

/// The re-encoded values of the query parameters whose re-encoded name is `encoded_name`, in order.
fn query_param_values<'q>(
    query: &'q str,
    encoded_name: &'q str,
) -> impl Iterator<Item = String> + 'q {
    query
        .split('&')
        .filter(|piece| !piece.is_empty())
        .filter_map(move |piece| {
            let (name, value) = piece.split_once('=').unwrap_or((piece, ""));
            (form_encode(&py_unquote_plus(name)) == encoded_name)
                .then(|| form_encode(&py_unquote_plus(value)))
        })
}

/// Percent-encodes with the WHATWG `application/x-www-form-urlencoded` percent-encode set (everything but ASCII
/// alphanumerics and `*-._`), a space as `%20` (RFC 9421 section 2.2.8).
pub(crate) fn form_encode(s: &str) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'*' | b'-' | b'.' | b'_') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(DIGITS[usize::from(b >> 4)]));
            out.push(char::from(DIGITS[usize::from(b & 15)]));
        }
    }
    out
}

/// A field's value: borrowed when it is one line used as sent, built otherwise.
fn field_value<'m>(headers: &Headers<'m>, c: &Component) -> Result<Cow<'m, str>> {
    let combined: Cow<'m, str> = headers
        .get(&c.name)
        .ok_or_else(|| missing(format_args!("{} field", c.name)))?;
    if c.has(&Param::Bs) {
        use base64::Engine as _;
        let wrapped: Vec<String> = headers
            .values(&c.name)
            .map(|v| {
                let v = v.trim_matches([' ', '\t']);
                format!(
                    ":{}:",
                    base64::engine::general_purpose::STANDARD.encode(v.as_bytes())
                )
            })
            .collect();
        return Ok(Cow::Owned(wrapped.join(", ")));
    }
    let not_sf = || {
        Error::malformed(format!(
            "the {} field is not a valid structured field",
            c.name
        ))
    };
    if let Some(key) = c.dictionary_key() {
        let dict: sfv::Dictionary = Parser::new(combined.as_ref())
            .parse()
            .map_err(|_| not_sf())?;
        let member = dict
            .iter()
            .find(|(k, _)| k.as_str() == key)
            .map(|(_, v)| v)
            .ok_or_else(|| missing(format_args!("member {key:?} in the {} field", c.name)))?;
        return Ok(Cow::Owned(serialize_entry(member)));
    }
    if c.has(&Param::Sf) {
        if let Ok(dict) = Parser::new(combined.as_ref()).parse::<sfv::Dictionary>() {
            return Ok(Cow::Owned(dict.serialize().unwrap_or_default()));
        }
        if let Ok(list) = Parser::new(combined.as_ref()).parse::<sfv::List>() {
            return Ok(Cow::Owned(list.serialize().unwrap_or_default()));
        }
        let item: sfv::Item = Parser::new(combined.as_ref())
            .parse()
            .map_err(|_| not_sf())?;
        return Ok(Cow::Owned(item.serialize()));
    }
    Ok(combined)
}

fn serialize_entry(entry: &ListEntry) -> String {
    match entry {
        ListEntry::Item(item) => item.serialize(),
        ListEntry::InnerList(_) => vec![entry.clone()].serialize().unwrap_or_default(),
    }
}

/// The signature base (RFC 9421 section 2.5): one line per component, then `"@signature-params": …`, no trailing
/// newline. Errors are [`ErrorKind::Malformed`] (a missing component) or [`ErrorKind::TooLarge`].
pub(crate) fn signature_base(
    msg: HttpMessage<'_>,
    components: &[Component],
    signature_params: &str,
) -> Result<String> {
    let mut base = String::with_capacity(512 + signature_params.len());
    write_signature_base(msg, components, signature_params, &mut base)?;
    Ok(base)
}

/// [`signature_base`] written into `base` (cleared first), so a caller can keep one buffer.
pub(crate) fn write_signature_base(
    msg: HttpMessage<'_>,
    components: &[Component],
    signature_params: &str,
    base: &mut String,
) -> Result<()> {
    base.clear();
    for c in components {
        // The identifier and the value are written in place (no temporary string per component).
        c.push_identifier(base);
        base.push_str(": ");
        append_value(msg, c, base)?;
        base.push('\n');
        if base.len() > MAX_SIGNATURE_BASE_LEN {
            return Err(Error::new(
                ErrorKind::TooLarge,
                format!("the signature base is over the limit of {MAX_SIGNATURE_BASE_LEN} bytes"),
            ));
        }
    }
    base.push_str("\"@signature-params\": ");
    base.push_str(signature_params);
    if base.len() > MAX_SIGNATURE_BASE_LEN {
        return Err(Error::new(
            ErrorKind::TooLarge,
            format!("the signature base is over the limit of {MAX_SIGNATURE_BASE_LEN} bytes"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req() -> Request<'static> {
        Request::new(
            "post",
            "https://Example.COM:443/foo%2Fbar?a=1&b=x+y&c=%41%20z&d&a%20b=2&dup=1&dup=2",
        )
        .unwrap()
        .with_header("Example-Dict", " a=1,    b=2;x=1;y=2,   c=(a   b   c)")
        .unwrap()
        .with_header("X-Empty", "")
        .unwrap()
        .with_header("X-Multi", " one ")
        .unwrap()
        .with_header("x-multi", "two")
        .unwrap()
        .with_header("Example-List", "a, (b c);p=1,   d")
        .unwrap()
        .with_header("Example-Item", "  12.5 ")
        .unwrap()
    }

    /// The identifier written in place is what sfv serialises, for every kind of name.
    #[test]
    fn display_without_params_is_the_sf_serialisation() {
        for name in [
            "@method",
            "@authority",
            "@target-uri",
            "content-digest",
            "x-a.b_c",
            "example-dict",
        ] {
            let c = Component::parse(name).unwrap();
            let sf = sfv::ItemSerializer::new()
                .bare_item(c.sf_name().unwrap())
                .finish();
            assert_eq!(c.to_string(), sf);
        }
        // The escape path (no component name can carry these, but the writer must match sfv if one did).
        let odd = Component {
            name: Cow::Borrowed(r#"a"b\c"#),
            derived: None,
            params: Vec::new(),
        };
        let sf = sfv::ItemSerializer::new()
            .bare_item(odd.sf_name().unwrap())
            .finish();
        assert_eq!(odd.to_string(), sf);
        assert_eq!(odd.to_string(), r#""a\"b\\c""#);
    }

    fn value(c: &str) -> Result<String> {
        let r = req();
        component_value(HttpMessage::from(&r), &Component::parse(c)?)
    }

    #[test]
    fn derived_components() {
        assert_eq!(value("@method").unwrap(), "POST");
        assert_eq!(value("@authority").unwrap(), "example.com");
        assert_eq!(value("@scheme").unwrap(), "https");
        assert_eq!(value("@path").unwrap(), "/foo%2Fbar");
        assert_eq!(
            value("@target-uri").unwrap(),
            "https://Example.COM:443/foo%2Fbar?a=1&b=x+y&c=%41%20z&d&a%20b=2&dup=1&dup=2"
        );
        assert!(value("@request-target")
            .unwrap()
            .starts_with("/foo%2Fbar?a=1&"));
        assert!(value("@query").unwrap().starts_with("?a=1&b"));
        assert_eq!(value(r#""@query-param";name="b""#).unwrap(), "x%20y");
        assert_eq!(value(r#""@query-param";name="c""#).unwrap(), "A%20z");
        assert_eq!(value(r#""@query-param";name="d""#).unwrap(), "");
        assert_eq!(value(r#""@query-param";name="a%20b""#).unwrap(), "2");
        assert_eq!(
            value(r#""@query-param";name="zz""#).unwrap_err().kind(),
            ErrorKind::Malformed
        );
        assert_eq!(
            value(r#""@query-param";name="dup""#).unwrap_err().kind(),
            ErrorKind::Malformed
        );
        assert_eq!(value("@status").unwrap_err().kind(), ErrorKind::Malformed);
        assert_eq!(
            value("@method;req").unwrap_err().kind(),
            ErrorKind::InvalidValue
        );
        assert_eq!(
            value(r#""@method";req"#).unwrap_err().kind(),
            ErrorKind::Malformed
        );
        let bare = Request::new("GET", "/").unwrap();
        let msg = HttpMessage::from(&bare);
        assert_eq!(
            value_in(msg, "@query").unwrap(),
            "?",
            "no query gives a lone ?"
        );
        assert!(value_in(msg, "@authority").is_err());
        assert!(value_in(msg, "@scheme").is_err());
        assert!(value_in(msg, "@target-uri").is_err());
    }

    fn value_in(msg: HttpMessage<'_>, c: &str) -> Result<String> {
        component_value(msg, &Component::parse(c)?)
    }

    #[test]
    fn fields() {
        assert_eq!(value("x-multi").unwrap(), "one, two");
        assert_eq!(value("x-empty").unwrap(), "");
        assert_eq!(value(r#""x-multi";bs"#).unwrap(), ":b25l:, :dHdv:");
        assert_eq!(
            value(r#""example-dict";sf"#).unwrap(),
            "a=1, b=2;x=1;y=2, c=(a b c)"
        );
        assert_eq!(value(r#""example-dict";key="b""#).unwrap(), "2;x=1;y=2");
        assert_eq!(value(r#""example-dict";key="c""#).unwrap(), "(a b c)");
        assert_eq!(value(r#""example-dict";key="a""#).unwrap(), "1");
        assert_eq!(
            value(r#""example-dict";key="zz""#).unwrap_err().kind(),
            ErrorKind::Malformed
        );
        assert_eq!(value(r#""example-list";sf"#).unwrap(), "a, (b c);p=1, d");
        assert_eq!(value(r#""example-item";sf"#).unwrap(), "12.5");
        assert_eq!(value("x-missing").unwrap_err().kind(), ErrorKind::Malformed);
        assert_eq!(
            value(r#""x-multi";sf"#).unwrap(),
            "one, two",
            "tokens parse as a dictionary of booleans and serialise unchanged"
        );
    }

    #[test]
    fn responses_and_req() {
        let r = Request::new("GET", "https://e.com/x?y=1").unwrap();
        let resp = Response::new(503)
            .unwrap()
            .with_header("A", "b")
            .unwrap()
            .for_request(r.clone());
        let msg = HttpMessage::from(&resp);
        assert_eq!(value_in(msg, "@status").unwrap(), "503");
        assert_eq!(value_in(msg, r#""@method";req"#).unwrap(), "GET");
        assert_eq!(
            value_in(msg, r#""@query-param";req;name="y""#).unwrap(),
            "1"
        );
        assert!(value_in(msg, "@method").is_err());
        assert!(value_in(msg, r#""@status";req"#).is_err());
        let orphan = Response::new(200).unwrap();
        assert!(value_in(HttpMessage::from(&orphan), r#""@method";req"#).is_err());
    }

    #[test]
    fn identifiers() {
        for bad in [
            "",
            "@nope",
            "@signature-params",
            "Content-Type",
            r#""Content-Type""#,
            r#""a";tr"#,
            r#""a";name="x""#,
            r#""a";bs;sf"#,
            r#""a";bs;key="x""#,
            r#""@method";sf"#,
            r#""@query-param""#,
            r#""@path";name="x""#,
            r#""a";sf=?0"#,
            r#""a";key=1"#,
            r#""a";unknown"#,
            "a b",
            "\"a",
            "(\"a\")",
        ] {
            assert_eq!(
                Component::parse(bad).unwrap_err().kind(),
                ErrorKind::InvalidValue,
                "{bad:?}"
            );
        }
        let c = Component::parse(r#""example-dict";key="b";req"#).unwrap();
        assert_eq!(c.to_string(), r#""example-dict";key="b";req"#);
        assert_eq!(
            c,
            Component::field("Example-Dict")
                .unwrap()
                .with_req()
                .unwrap()
                .with_key("b")
                .unwrap()
        );
        assert_ne!(c, Component::field("example-dict").unwrap());
        assert_eq!(
            Component::query_param("a b/c").unwrap().query_param_name(),
            Some("a%20b%2Fc")
        );
    }

    #[test]
    fn form_encoding() {
        assert_eq!(
            form_encode("aZ09*-._ ~!'()+/&=é"),
            "aZ09*-._%20%7E%21%27%28%29%2B%2F%26%3D%C3%A9"
        );
    }

    #[test]
    fn base_has_no_trailing_newline() {
        let r = req();
        let comps = [Component::derived("@method").unwrap()];
        let base = signature_base(HttpMessage::from(&r), &comps, "(\"@method\")").unwrap();
        assert_eq!(
            base,
            "\"@method\": POST\n\"@signature-params\": (\"@method\")"
        );
    }
}
