//! Structural validation of FHIR R4 resources: minimum cardinality (required elements),
//! required-binding codes (`Encounter.status`, `Patient.gender` …), the lexical form of
//! primitives (dates, ids, uris, codes, positiveInt …), reference format, unknown elements and a
//! few key invariants (ele-1, ext-1, per-1, qty-3, att-1, obs-6, pat-1, bdl-1…bdl-12, txt-1).
//! Maximum cardinality and JSON types are enforced while parsing (see
//! [`crate::parse::validate_json`], which combines both).
//!
//! Not checked (known gaps): terminology beyond required bindings, profiles, most FHIRPath
//! invariants, reference resolution inside a Bundle.

mod invariants;

use crate::Resource;
use crate::datatypes::{
    ChoiceElement, Date, DateTime, Decimal, Element, Instant, Time, UnknownElements,
};
use std::fmt;

pub(crate) use invariants::Invariants;

/// How serious an [`Issue`] is (FHIR `OperationOutcome.issue.severity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Severity {
    /// The resource is not valid FHIR R4.
    Error,
    /// Valid, but probably wrong.
    Warning,
}

impl Severity {
    /// `error` / `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of problem an [`Issue`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IssueKind {
    /// The input is not JSON, or an element has the wrong JSON type or cardinality.
    Structure,
    /// A required element is missing (minimum cardinality).
    Required,
    /// A code is not in its required value set.
    Code,
    /// A primitive's text is invalid for its type (a date, id, uri …).
    Value,
    /// An element FHIR R4 does not define.
    UnknownElement,
    /// A reference is malformed.
    Reference,
    /// A FHIR invariant (constraint) is violated.
    Invariant,
}

impl IssueKind {
    /// A short lower-case name (`required`, `code` …).
    pub fn as_str(self) -> &'static str {
        match self {
            IssueKind::Structure => "structure",
            IssueKind::Required => "required",
            IssueKind::Code => "code",
            IssueKind::Value => "value",
            IssueKind::UnknownElement => "unknown-element",
            IssueKind::Reference => "reference",
            IssueKind::Invariant => "invariant",
        }
    }
}

/// One validation problem, with the FHIR path of the element (`Encounter.location[1].period`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// Error or warning.
    pub severity: Severity,
    /// What kind of problem.
    pub kind: IssueKind,
    /// FHIR path of the element (`Patient.name[0].given[1]`).
    pub path: String,
    /// What is wrong, for people.
    pub message: String,
    /// 1-based line and column in the input, when known (parse errors).
    pub position: Option<(usize, usize)>,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.severity, self.path, self.message)?;
        if let Some((l, c)) = self.position {
            write!(f, " (line {l}, column {c})")?;
        }
        Ok(())
    }
}

/// The FHIR primitive type of a value, for lexical checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum Kind {
    Boolean,
    Integer,
    PositiveInt,
    UnsignedInt,
    Decimal,
    String,
    Code,
    Id,
    Uri,
    Url,
    Canonical,
    Oid,
    Uuid,
    Markdown,
    Base64Binary,
    Xhtml,
    Date,
    DateTime,
    Instant,
    Time,
}

/// Validation context: the current FHIR path and the issues found so far.
#[derive(Debug)]
pub struct Cx {
    path: String,
    issues: Vec<Issue>,
    /// Ids of the contained resources of each enclosing (non-contained) resource.
    scopes: Vec<Vec<String>>,
    /// Set while entering a contained resource.
    in_contained: bool,
}

/// Something that can be checked structurally (every generated type, and [`Resource`]).
pub trait Validate {
    /// Checks `self` at the current path of `cx`, adding issues to it.
    fn validate_into(&self, cx: &mut Cx);
}

impl<T: Validate + ?Sized> Validate for Box<T> {
    fn validate_into(&self, cx: &mut Cx) {
        (**self).validate_into(cx)
    }
}

impl Validate for Resource {
    fn validate_into(&self, cx: &mut Cx) {
        let is_contained = std::mem::replace(&mut cx.in_contained, false);
        let raw_contained: Vec<Resource>;
        let contained = match self {
            Resource::Other(raw) => {
                raw_contained = raw
                    .get("contained")
                    .and_then(|v| serde_json::from_slice::<Vec<Resource>>(v.get().as_bytes()).ok())
                    .unwrap_or_default();
                &raw_contained[..]
            }
            _ => crate::contained(self),
        };
        if is_contained {
            // dom-2: a contained resource SHALL NOT contain additional contained resources.
            if !contained.is_empty() {
                cx.issue(
                    Severity::Error,
                    IssueKind::Invariant,
                    "contained",
                    "dom-2: a contained resource must not contain resources",
                );
            }
            // dom-4: no meta.versionId or meta.lastUpdated in a contained resource.
            if self
                .meta()
                .is_some_and(|m| m.version_id.is_some() || m.last_updated.is_some())
            {
                cx.issue(
                    Severity::Error,
                    IssueKind::Invariant,
                    "meta",
                    "dom-4: a contained resource must not have meta.versionId or meta.lastUpdated",
                );
            }
        } else {
            cx.scopes.push(
                contained
                    .iter()
                    .filter_map(|c| c.id().map(String::from))
                    .collect(),
            );
        }
        match self {
            Resource::Other(raw) => invariants::check_raw_resource(raw, cx),
            _ => self.validate_typed(cx),
        }
        if !is_contained {
            cx.scopes.pop();
            if !contained.is_empty() {
                invariants::check_contained_referenced(self, contained, cx);
            }
        }
    }
}

/// Validates a resource; the issues' paths start with its resource type.
pub fn validate(resource: &Resource) -> Vec<Issue> {
    let mut cx = Cx::new(resource.resource_type());
    resource.validate_into(&mut cx);
    cx.issues
}

impl Resource {
    /// Structural validation (see [`crate::validate`]): every issue with its FHIR path.
    pub fn validate(&self) -> Vec<Issue> {
        validate(self)
    }
}

/// A primitive value that can be checked against its FHIR type.
pub trait PrimitiveValue {
    /// `Err(message)` if the value is not valid for `kind`.
    fn check(&self, kind: Kind) -> Result<(), String>;
    /// The value as a code, for value-set checks.
    fn as_code(&self) -> Option<&str> {
        None
    }
}

impl PrimitiveValue for bool {
    fn check(&self, _: Kind) -> Result<(), String> {
        Ok(())
    }
}
impl PrimitiveValue for i32 {
    fn check(&self, _: Kind) -> Result<(), String> {
        Ok(())
    }
}
impl PrimitiveValue for u32 {
    fn check(&self, kind: Kind) -> Result<(), String> {
        if kind == Kind::PositiveInt && *self == 0 {
            Err("a positiveInt must be at least 1".into())
        } else {
            Ok(())
        }
    }
}
impl PrimitiveValue for Decimal {
    fn check(&self, _: Kind) -> Result<(), String> {
        Ok(())
    }
}
macro_rules! lexical_check {
    ($($t:ident => $name:literal),*) => {$(
        impl PrimitiveValue for $t {
            fn check(&self, _: Kind) -> Result<(), String> {
                if self.is_valid() { Ok(()) } else { Err(format!("`{}` is not a valid {}", self.as_str(), $name)) }
            }
        }
    )*};
}
lexical_check!(Date => "date", DateTime => "dateTime", Instant => "instant", Time => "time");

impl PrimitiveValue for String {
    fn check(&self, kind: Kind) -> Result<(), String> {
        check_string(self, kind)
    }
    fn as_code(&self) -> Option<&str> {
        Some(self)
    }
}

fn check_string(s: &str, kind: Kind) -> Result<(), String> {
    if s.is_empty() {
        return Err(
            "empty string (FHIR strings need at least one character; omit the element)".into(),
        );
    }
    let (ok, what) = match kind {
        Kind::String | Kind::Markdown => (!s.trim().is_empty(), "string (only whitespace)"),
        // code: no leading/trailing whitespace, no runs of whitespace.
        Kind::Code => (
            !(s.starts_with(char::is_whitespace)
                || s.ends_with(char::is_whitespace)
                || s.contains("  ")),
            "code",
        ),
        Kind::Id => (
            s.len() <= 64
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'),
            "id",
        ),
        Kind::Uri | Kind::Url | Kind::Canonical => (!s.chars().any(char::is_whitespace), "uri"),
        Kind::Oid => (
            s.strip_prefix("urn:oid:").is_some_and(|rest| {
                let mut parts = rest.split('.');
                parts.next().is_some_and(|p| matches!(p, "0" | "1" | "2"))
                    && rest.contains('.')
                    && parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            }),
            "oid",
        ),
        Kind::Uuid => (is_urn_uuid(s), "uuid"),
        Kind::Base64Binary => {
            let body: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
            (
                body.len() % 4 == 0
                    && body
                        .iter()
                        .all(|&b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'='),
                "base64Binary",
            )
        }
        Kind::Xhtml => (
            s.trim_start().starts_with("<div"),
            "xhtml narrative (it must be a <div> element)",
        ),
        _ => (true, ""),
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{}` is not a valid {what}",
            s.chars().take(80).collect::<String>()
        ))
    }
}

/// Whether `s` is `urn:uuid:` followed by a lower- or upper-case RFC 4122 UUID.
pub(crate) fn is_urn_uuid(s: &str) -> bool {
    s.strip_prefix("urn:uuid:").is_some_and(|u| {
        u.len() == 36
            && u.bytes().enumerate().all(|(i, b)| {
                if matches!(i, 8 | 13 | 18 | 23) {
                    b == b'-'
                } else {
                    b.is_ascii_hexdigit()
                }
            })
    })
}

impl Cx {
    /// A context rooted at `path` (usually the resource type).
    pub fn new(path: &str) -> Cx {
        Cx {
            path: path.to_string(),
            issues: Vec::new(),
            scopes: Vec::new(),
            in_contained: false,
        }
    }

    /// The issues found so far.
    pub fn into_issues(self) -> Vec<Issue> {
        self.issues
    }

    /// Adds an issue at the current path + `child` (`""` for the current element).
    pub fn issue(
        &mut self,
        severity: Severity,
        kind: IssueKind,
        child: &str,
        message: impl Into<String>,
    ) {
        let path = if child.is_empty() {
            self.path.clone()
        } else {
            format!("{}.{child}", self.path)
        };
        self.issues.push(Issue {
            severity,
            kind,
            path,
            message: message.into(),
            position: None,
        });
    }

    fn enter(&mut self, name: &str, index: Option<usize>) -> usize {
        let len = self.path.len();
        self.path.push('.');
        self.path.push_str(name);
        if let Some(i) = index {
            use fmt::Write;
            let _ = write!(self.path, "[{i}]");
        }
        len
    }

    fn leave(&mut self, len: usize) {
        self.path.truncate(len);
    }

    /// Runs `f` with the path extended by `name` (and `[index]`).
    pub fn at(&mut self, name: &str, index: Option<usize>, f: impl FnOnce(&mut Cx)) {
        let len = self.enter(name, index);
        f(self);
        self.leave(len);
    }

    /// Reports a missing required element.
    pub fn required(&mut self, present: bool, name: &str) {
        if !present {
            self.issue(
                Severity::Error,
                IssueKind::Required,
                name,
                format!("missing required element `{name}` (minimum cardinality 1)"),
            );
        }
    }

    /// Checks a 0..1 primitive.
    pub fn prim<T: PrimitiveValue>(
        &mut self,
        name: &str,
        v: &Option<T>,
        kind: Kind,
        codes: Option<&[&str]>,
    ) {
        if let Some(v) = v {
            self.prim_value(name, v, kind, codes);
        }
    }

    /// Checks a repeating primitive.
    pub fn prims<T: PrimitiveValue>(
        &mut self,
        name: &str,
        v: &[Option<T>],
        kind: Kind,
        codes: Option<&[&str]>,
    ) {
        for (i, x) in v.iter().enumerate() {
            if let Some(x) = x {
                let len = self.enter(name, Some(i));
                self.check_value(x, kind, codes);
                self.leave(len);
            }
        }
    }

    /// Checks one primitive value.
    pub fn prim_value<T: PrimitiveValue>(
        &mut self,
        name: &str,
        v: &T,
        kind: Kind,
        codes: Option<&[&str]>,
    ) {
        let len = self.enter(name, None);
        self.check_value(v, kind, codes);
        self.leave(len);
    }

    fn check_value<T: PrimitiveValue>(&mut self, v: &T, kind: Kind, codes: Option<&[&str]>) {
        if let Err(m) = v.check(kind) {
            self.issue(Severity::Error, IssueKind::Value, "", m);
            return;
        }
        if let (Some(codes), Some(code)) = (codes, v.as_code()) {
            if !codes.contains(&code) {
                self.issue(
                    Severity::Error,
                    IssueKind::Code,
                    "",
                    format!(
                        "code `{code}` is not in the required value set ({})",
                        codes.join(", ")
                    ),
                );
            }
        }
    }

    /// Checks a 0..1 complex element.
    pub fn child<T: Validate>(&mut self, name: &str, v: &Option<T>) {
        if let Some(v) = v {
            self.node(name, v);
        }
    }

    /// Checks the contained resources of a resource.
    pub fn contained(&mut self, name: &str, v: &[Resource]) {
        for (i, x) in v.iter().enumerate() {
            let len = self.enter(name, Some(i));
            self.in_contained = true;
            x.validate_into(self);
            self.in_contained = false;
            self.leave(len);
        }
    }

    /// Whether `#id` names a contained resource of the enclosing resource (`#` alone names the
    /// container itself).
    pub(crate) fn contained_id_exists(&self, id: &str) -> bool {
        id.is_empty()
            || self
                .scopes
                .last()
                .is_some_and(|ids| ids.iter().any(|x| x == id))
    }

    /// Checks a repeating complex element.
    pub fn children<T: Validate>(&mut self, name: &str, v: &[T]) {
        for (i, x) in v.iter().enumerate() {
            let len = self.enter(name, Some(i));
            x.validate_into(self);
            self.leave(len);
        }
    }

    /// Checks one complex element.
    pub fn node<T: Validate + ?Sized>(&mut self, name: &str, v: &T) {
        let len = self.enter(name, None);
        v.validate_into(self);
        self.leave(len);
    }

    /// Checks the `_x` companion of a primitive (ele-1: it must carry an id or extensions).
    pub fn element_ext(&mut self, name: &str, v: &Option<Box<Element>>) {
        if let Some(e) = v {
            self.primitive_element(name, None, e);
        }
    }

    /// Checks the `_x` companions of a repeating primitive.
    pub fn element_exts(&mut self, name: &str, v: &[Option<Element>]) {
        for (i, e) in v.iter().enumerate() {
            if let Some(e) = e {
                self.primitive_element(name, Some(i), e);
            }
        }
    }

    fn primitive_element(&mut self, name: &str, index: Option<usize>, e: &Element) {
        let len = self.enter(name, index);
        if e.extension.is_empty() && e.id.is_none() && e.unknown.is_empty() {
            self.issue(
                Severity::Error,
                IssueKind::Invariant,
                "",
                "ele-1: a primitive's extension object must have an id or extensions",
            );
        }
        e.validate_into(self);
        self.leave(len);
    }

    /// Checks the `_valueString`-style companion of a primitive choice.
    pub fn choice_ext(&mut self, v: &Option<Box<ChoiceElement>>) {
        if let Some(c) = v {
            let key = c.key.clone();
            self.primitive_element(&key, None, &c.element);
        }
    }

    /// Reports unknown elements.
    pub fn unknown(&mut self, v: &UnknownElements) {
        for (k, _) in v.iter() {
            self.issue(
                Severity::Error,
                IssueKind::UnknownElement,
                k,
                format!("unknown element `{k}` (not defined by FHIR R4 here)"),
            );
        }
    }
}
