//! Reading `Signature-Input` and `Signature` with sfv's visitor parser: the members a verification needs are
//! taken from the header text as it is parsed (borrowed where sfv borrows), instead of building two owned
//! `sfv::Dictionary` trees and copying out of them. sfv still parses and validates every byte of both headers
//! (RFC 9651), so what it refuses is refused here exactly as before; the visitors only choose what to keep.
//!
//! RFC 9651's dictionary rules are kept: a key given twice keeps its first position and its last value, and so
//! do parameters.

use std::convert::Infallible;

use sfv::visitor::{
    DictionaryVisitor, EntryVisitor, Ignored, InnerListVisitor, ItemVisitor, ParameterVisitor,
};
use sfv::{BareItemFromInput, KeyRef, Parser, RefBareItem};

use super::{Component, MAX_COMPONENTS, MAX_LABELS};
use crate::error::{Error, Result};

/// Which members to keep.
#[derive(Debug, Clone, Copy)]
pub(super) enum Want<'l> {
    /// The member with this label.
    Label(&'l str),
    /// The first member.
    First,
    /// Every member.
    All,
}

/// The distinct keys of a dictionary, in first-appearance order (at most [`MAX_LABELS`] are kept; more sets
/// `overflow`).
pub(super) struct Labels<'de> {
    keys: [&'de KeyRef; MAX_LABELS],
    len: usize,
    overflow: bool,
}

const PLACEHOLDER: &KeyRef = KeyRef::constant("a");

impl<'de> Labels<'de> {
    fn new() -> Self {
        Labels {
            keys: [PLACEHOLDER; MAX_LABELS],
            len: 0,
            overflow: false,
        }
    }

    /// Records `key` (once).
    fn add(&mut self, key: &'de KeyRef) {
        if self.contains(key.as_str()) {
            return;
        }
        if self.len == MAX_LABELS {
            self.overflow = true;
        } else {
            self.keys[self.len] = key;
            self.len += 1;
        }
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &'de KeyRef> + '_ {
        self.keys[..self.len].iter().copied()
    }

    pub(super) fn contains(&self, key: &str) -> bool {
        self.iter().any(|k| k.as_str() == key)
    }

    pub(super) fn first(&self) -> Option<&'de KeyRef> {
        self.iter().next()
    }

    pub(super) fn same(&self, other: &Labels<'_>) -> bool {
        self.len == other.len && self.iter().all(|k| other.contains(k.as_str()))
    }

    fn check(&self, name: &str) -> Result<()> {
        if self.overflow {
            return Err(Error::too_large(
                &format!("the number of signatures in {name}"),
                MAX_LABELS,
            ));
        }
        Ok(())
    }
}

/// A parameter list as RFC 9651 reads it: each key once (first position, last value).
pub(super) type Params<'de> = Vec<(&'de KeyRef, BareItemFromInput<'de>)>;

fn set_param<'de>(params: &mut Params<'de>, key: &'de KeyRef, value: BareItemFromInput<'de>) {
    match params.iter_mut().find(|(k, _)| *k == key) {
        Some(slot) => slot.1 = value,
        None => params.push((key, value)),
    }
}

/// One `Signature-Input` member as read.
pub(super) enum InputMember<'de> {
    /// An item: refused when this label is used.
    NotInnerList,
    /// An inner list: its components (converted as they were read), and its parameters.
    InnerList {
        components: Vec<Component>,
        /// The number of items, which may exceed what was converted.
        items: usize,
        /// The first item that did not convert.
        error: Option<Error>,
        params: Params<'de>,
    },
}

/// One `Signature` member as read.
pub(super) enum SignatureMember {
    /// A byte sequence (decoded).
    Bytes(Vec<u8>),
    /// Anything else.
    Other,
}

/// The members kept from one header, by label.
pub(super) struct Kept<'de, M> {
    one: Option<(&'de KeyRef, M)>,
    all: Vec<(&'de KeyRef, M)>,
}

impl<'de, M> Kept<'de, M> {
    fn new() -> Self {
        Kept {
            one: None,
            all: Vec::new(),
        }
    }

    fn put(&mut self, want: Want<'_>, key: &'de KeyRef, member: M) {
        match want {
            Want::All => match self.all.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = member,
                None => self.all.push((key, member)),
            },
            _ => self.one = Some((key, member)),
        }
    }

    /// Takes the member labelled `label`.
    pub(super) fn take(&mut self, label: &str) -> Option<M> {
        if let Some((k, _)) = &self.one {
            if k.as_str() == label {
                return self.one.take().map(|(_, m)| m);
            }
        }
        let i = self.all.iter().position(|(k, _)| k.as_str() == label)?;
        Some(self.all.swap_remove(i).1)
    }
}

/// A whole header read: its labels and the members wanted.
pub(super) struct Read<'de, M> {
    pub(super) labels: Labels<'de>,
    pub(super) kept: Kept<'de, M>,
}

struct DictReader<'de, 'l, M> {
    want: Want<'l>,
    read: Read<'de, M>,
}

impl<'de, M> DictReader<'de, '_, M> {
    /// Records `key` and says whether its value is to be kept.
    fn wanted(&mut self, key: &'de KeyRef) -> bool {
        self.read.labels.add(key);
        match self.want {
            Want::Label(l) => key.as_str() == l,
            // The first key keeps its position when repeated, and its last value counts.
            Want::First => self.read.labels.first().map(KeyRef::as_str) == Some(key.as_str()),
            Want::All => !self.read.labels.overflow,
        }
    }
}

/// Reads a `Signature-Input` value.
pub(super) fn read_inputs<'de>(
    value: &'de str,
    name: &str,
    want: Want<'_>,
) -> Result<Read<'de, InputMember<'de>>> {
    let reader = DictReader {
        want,
        read: Read {
            labels: Labels::new(),
            kept: Kept::new(),
        },
    };
    let read = Parser::new(value)
        .parse_dictionary_with_visitor(InputsVisitor(reader))
        .map_err(|_| not_a_dictionary(name))?;
    read.labels.check(name)?;
    Ok(read)
}

/// Reads a `Signature` value.
pub(super) fn read_signatures<'de>(
    value: &'de str,
    name: &str,
    want: Want<'_>,
) -> Result<Read<'de, SignatureMember>> {
    let reader = DictReader {
        want,
        read: Read {
            labels: Labels::new(),
            kept: Kept::new(),
        },
    };
    let read = Parser::new(value)
        .parse_dictionary_with_visitor(SignaturesVisitor(reader))
        .map_err(|_| not_a_dictionary(name))?;
    read.labels.check(name)?;
    Ok(read)
}

fn not_a_dictionary(name: &str) -> Error {
    Error::malformed(format!(
        "the {name} header is not a structured field dictionary"
    ))
}

struct InputsVisitor<'de, 'l>(DictReader<'de, 'l, InputMember<'de>>);

impl<'de, 'l> DictionaryVisitor<'de> for InputsVisitor<'de, 'l> {
    type Out = Read<'de, InputMember<'de>>;
    type Error = Infallible;

    fn entry(
        &mut self,
        key: &'de KeyRef,
    ) -> std::result::Result<impl EntryVisitor<'de>, Self::Error> {
        let wanted = self.0.wanted(key);
        Ok(wanted.then_some(InputEntry {
            want: self.0.want,
            key,
            kept: &mut self.0.read.kept,
        }))
    }

    fn finish(self) -> std::result::Result<Self::Out, Self::Error> {
        Ok(self.0.read)
    }
}

struct InputEntry<'de, 'a> {
    want: Want<'a>,
    key: &'de KeyRef,
    kept: &'a mut Kept<'de, InputMember<'de>>,
}

impl<'de> EntryVisitor<'de> for InputEntry<'de, '_> {
    type Error = Infallible;

    fn item(self) -> std::result::Result<impl ItemVisitor<'de>, Self::Error> {
        self.kept
            .put(self.want, self.key, InputMember::NotInnerList);
        Ok(Ignored)
    }

    fn inner_list(self) -> std::result::Result<impl InnerListVisitor<'de>, Self::Error> {
        Ok(InnerListReader {
            want: self.want,
            key: self.key,
            kept: self.kept,
            components: Vec::new(),
            items: 0,
            error: None,
        })
    }
}

struct InnerListReader<'de, 'a> {
    want: Want<'a>,
    key: &'de KeyRef,
    kept: &'a mut Kept<'de, InputMember<'de>>,
    components: Vec<Component>,
    items: usize,
    error: Option<Error>,
}

impl<'de> InnerListVisitor<'de> for InnerListReader<'de, '_> {
    type Error = Infallible;

    fn item(&mut self) -> std::result::Result<impl ItemVisitor<'de>, Self::Error> {
        self.items += 1;
        // Past the limit (refused as too large) or after a bad item (refused), nothing more is converted.
        let convert = self.items <= MAX_COMPONENTS && self.error.is_none();
        Ok(convert.then(|| ComponentReader {
            components: &mut self.components,
            error: &mut self.error,
            bare: None,
            params: Vec::new(),
        }))
    }

    fn finish(self) -> std::result::Result<impl ParameterVisitor<'de>, Self::Error> {
        Ok(ListParams {
            want: self.want,
            key: self.key,
            kept: self.kept,
            components: self.components,
            items: self.items,
            error: self.error,
            params: Vec::with_capacity(6),
        })
    }
}

struct ComponentReader<'de, 'a> {
    components: &'a mut Vec<Component>,
    error: &'a mut Option<Error>,
    bare: Option<BareItemFromInput<'de>>,
    params: Params<'de>,
}

impl<'de, 'a> ItemVisitor<'de> for ComponentReader<'de, 'a> {
    type Out = ();
    type Error = Infallible;

    fn bare_item(
        mut self,
        bare_item: BareItemFromInput<'de>,
    ) -> std::result::Result<impl ParameterVisitor<'de, Out = Self::Out>, Self::Error> {
        self.bare = Some(bare_item);
        Ok(self)
    }
}

impl<'de> ParameterVisitor<'de> for ComponentReader<'de, '_> {
    type Out = ();
    type Error = Infallible;

    fn parameter(
        &mut self,
        key: &'de KeyRef,
        value: BareItemFromInput<'de>,
    ) -> std::result::Result<(), Self::Error> {
        set_param(&mut self.params, key, value);
        Ok(())
    }

    fn finish(self) -> std::result::Result<(), Self::Error> {
        let Some(bare) = &self.bare else {
            return Ok(());
        };
        match Component::from_sf_item(
            RefBareItem::from(bare),
            self.params.iter().map(|(k, v)| (*k, RefBareItem::from(v))),
        ) {
            Ok(c) => self.components.push(c),
            Err(e) => *self.error = Some(e),
        }
        Ok(())
    }
}

struct ListParams<'de, 'a> {
    want: Want<'a>,
    key: &'de KeyRef,
    kept: &'a mut Kept<'de, InputMember<'de>>,
    components: Vec<Component>,
    items: usize,
    error: Option<Error>,
    params: Params<'de>,
}

impl<'de> ParameterVisitor<'de> for ListParams<'de, '_> {
    type Out = ();
    type Error = Infallible;

    fn parameter(
        &mut self,
        key: &'de KeyRef,
        value: BareItemFromInput<'de>,
    ) -> std::result::Result<(), Self::Error> {
        set_param(&mut self.params, key, value);
        Ok(())
    }

    fn finish(self) -> std::result::Result<(), Self::Error> {
        self.kept.put(
            self.want,
            self.key,
            InputMember::InnerList {
                components: self.components,
                items: self.items,
                error: self.error,
                params: self.params,
            },
        );
        Ok(())
    }
}

struct SignaturesVisitor<'de, 'l>(DictReader<'de, 'l, SignatureMember>);

impl<'de, 'l> DictionaryVisitor<'de> for SignaturesVisitor<'de, 'l> {
    type Out = Read<'de, SignatureMember>;
    type Error = Infallible;

    fn entry(
        &mut self,
        key: &'de KeyRef,
    ) -> std::result::Result<impl EntryVisitor<'de>, Self::Error> {
        let wanted = self.0.wanted(key);
        Ok(wanted.then_some(SignatureEntry {
            want: self.0.want,
            key,
            kept: &mut self.0.read.kept,
        }))
    }

    fn finish(self) -> std::result::Result<Self::Out, Self::Error> {
        Ok(self.0.read)
    }
}

struct SignatureEntry<'de, 'a> {
    want: Want<'a>,
    key: &'de KeyRef,
    kept: &'a mut Kept<'de, SignatureMember>,
}

impl<'de> EntryVisitor<'de> for SignatureEntry<'de, '_> {
    type Error = Infallible;

    fn item(self) -> std::result::Result<impl ItemVisitor<'de>, Self::Error> {
        Ok(self)
    }

    fn inner_list(self) -> std::result::Result<impl InnerListVisitor<'de>, Self::Error> {
        self.kept.put(self.want, self.key, SignatureMember::Other);
        Ok(Ignored)
    }
}

impl<'de> ItemVisitor<'de> for SignatureEntry<'de, '_> {
    type Out = ();
    type Error = Infallible;

    fn bare_item(
        self,
        bare_item: BareItemFromInput<'de>,
    ) -> std::result::Result<impl ParameterVisitor<'de, Out = Self::Out>, Self::Error> {
        let member = match bare_item {
            BareItemFromInput::ByteSequence(bytes) => SignatureMember::Bytes(bytes),
            _ => SignatureMember::Other,
        };
        self.kept.put(self.want, self.key, member);
        Ok(Ignored)
    }
}
