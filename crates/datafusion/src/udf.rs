//! Scalar UDFs: ICD-10-CM / ICD-10-PCS classification and free-text de-identification over Arrow
//! string arrays.
//!
//! Every function takes any Arrow string type (`Utf8`, `LargeUtf8`, `Utf8View`, or a string
//! dictionary, which DataFusion unpacks) and walks the array once, appending into a builder sized
//! up front: no per-row allocation (the code is normalized into an 8-byte `Copy` value on the
//! stack; titles and CCSR ids are borrowed from the embedded tables and copied into the output
//! buffer). `NULL` in gives `NULL` out.
//!
//! The answers are exactly those of the `medrec-codes` API (the test suite runs every code of
//! both code sets through SQL and compares):
//!
//! | function | result | `medrec-codes` API |
//! |---|---|---|
//! | `icd10cm_valid(code)` | `Boolean` | `icd10cm().validate(code).is_valid()` (billable or header) |
//! | `icd10cm_billable(code)` | `Boolean` | `icd10cm().validate(code).is_billable()` |
//! | `icd10cm_status(code)` | `Utf8` | `icd10cm().validate(code).as_str()` (`billable`, `header`, `missing_seventh_character`, …) |
//! | `icd10cm_chapter(code)` | `Int32` | `icd10cm().chapter_of(&parsed).number` (1–22); `NULL` when malformed or outside every chapter |
//! | `icd10cm_title(code)` | `Utf8` | `icd10cm().classify(code).title()`; `NULL` when not in the release |
//! | `icd10cm_normalize(code)` | `Utf8` | `IcdCmCode::parse(code)` shown dotted (`e119` → `E11.9`); `NULL` when malformed |
//! | `ccsr_category(code)` | `Utf8` | `CcsrMap::embedded().categories(code)[0]` (AHRQ DXCCSR category 1, e.g. `END005`); `NULL` when unmapped |
//! | `icd10pcs_valid(code)` | `Boolean` | `icd10pcs().validate(code) == PcsStatus::Valid` |
//! | `deid_text(text [, key])` | `Utf8` | `medrec_privacy::text::Redactor` with tag replacement, or keyed pseudonyms when a key is given |
//! | `pseudonym_id(value, key)` | `Utf8` | `PseudonymKey::pseudonym("medrec-datafusion/id", value, 20)` (joinable de-identified ids) |

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanBuilder, Int32Builder, StringBuilder,
};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, TypeSignature,
    Volatility,
};
use medrec_codes::clinical::CcsrMap;
use medrec_codes::{IcdCmCode, PcsStatus, icd10cm, icd10pcs};
use medrec_privacy::PseudonymKey;
use medrec_privacy::text::{Redactor, Replacement};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

/// Calls `f` with every value of a string array (`None` for nulls), whatever its string type.
fn each_str(name: &str, array: &dyn Array, mut f: impl FnMut(Option<&str>)) -> Result<()> {
    match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().iter().for_each(f),
        DataType::LargeUtf8 => array.as_string::<i64>().iter().for_each(f),
        DataType::Utf8View => array.as_string_view().iter().for_each(f),
        DataType::Null => (0..array.len()).for_each(|_| f(None)),
        other => return exec_err!("{name} expects a string argument, got {other}"),
    }
    Ok(())
}

/// The values of a string array (any Arrow string type; `NULL` → `None`), for functions that
/// read several arguments side by side.
pub(crate) fn string_values<'a>(name: &str, array: &'a dyn Array) -> Result<Vec<Option<&'a str>>> {
    Ok(match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().iter().collect(),
        DataType::LargeUtf8 => array.as_string::<i64>().iter().collect(),
        DataType::Utf8View => array.as_string_view().iter().collect(),
        DataType::Null => vec![None; array.len()],
        other => return exec_err!("{name} expects string arguments, got {other}"),
    })
}

/// A call's arguments as arrays of the batch's length (scalars repeated).
fn argument_arrays(args: &ScalarFunctionArgs) -> Result<Vec<ArrayRef>> {
    let rows = args.number_rows;
    args.args.iter().map(|a| a.to_array(rows)).collect()
}

/// The byte length of a string array's values (to size an output builder).
fn value_bytes(array: &dyn Array) -> usize {
    match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().values().len(),
        DataType::LargeUtf8 => array.as_string::<i64>().values().len(),
        _ => array.len() * 8,
    }
}

/// Which classification a [`CodeFunction`] computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CodeFunctionKind {
    /// `icd10cm_valid(code) -> Boolean`.
    Icd10CmValid,
    /// `icd10cm_billable(code) -> Boolean`.
    Icd10CmBillable,
    /// `icd10cm_status(code) -> Utf8`.
    Icd10CmStatus,
    /// `icd10cm_chapter(code) -> Int32`.
    Icd10CmChapter,
    /// `icd10cm_title(code) -> Utf8`.
    Icd10CmTitle,
    /// `icd10cm_normalize(code) -> Utf8`.
    Icd10CmNormalize,
    /// `ccsr_category(code) -> Utf8`.
    CcsrCategory,
    /// `icd10pcs_valid(code) -> Boolean`.
    Icd10PcsValid,
}

impl CodeFunctionKind {
    /// Every kind, in documentation order.
    pub const ALL: [CodeFunctionKind; 8] = [
        CodeFunctionKind::Icd10CmValid,
        CodeFunctionKind::Icd10CmBillable,
        CodeFunctionKind::Icd10CmStatus,
        CodeFunctionKind::Icd10CmChapter,
        CodeFunctionKind::Icd10CmTitle,
        CodeFunctionKind::Icd10CmNormalize,
        CodeFunctionKind::CcsrCategory,
        CodeFunctionKind::Icd10PcsValid,
    ];

    /// The SQL name.
    pub fn name(self) -> &'static str {
        match self {
            CodeFunctionKind::Icd10CmValid => "icd10cm_valid",
            CodeFunctionKind::Icd10CmBillable => "icd10cm_billable",
            CodeFunctionKind::Icd10CmStatus => "icd10cm_status",
            CodeFunctionKind::Icd10CmChapter => "icd10cm_chapter",
            CodeFunctionKind::Icd10CmTitle => "icd10cm_title",
            CodeFunctionKind::Icd10CmNormalize => "icd10cm_normalize",
            CodeFunctionKind::CcsrCategory => "ccsr_category",
            CodeFunctionKind::Icd10PcsValid => "icd10pcs_valid",
        }
    }

    /// The result type.
    pub fn return_type(self) -> DataType {
        match self {
            CodeFunctionKind::Icd10CmValid
            | CodeFunctionKind::Icd10CmBillable
            | CodeFunctionKind::Icd10PcsValid => DataType::Boolean,
            CodeFunctionKind::Icd10CmChapter => DataType::Int32,
            CodeFunctionKind::Icd10CmStatus
            | CodeFunctionKind::Icd10CmTitle
            | CodeFunctionKind::Icd10CmNormalize
            | CodeFunctionKind::CcsrCategory => DataType::Utf8,
        }
    }
}

/// A one-argument code classification function (see the module docs for the list).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct CodeFunction {
    kind: CodeFunctionKind,
    signature: Signature,
}

impl CodeFunction {
    /// The function of `kind`.
    pub fn new(kind: CodeFunctionKind) -> CodeFunction {
        CodeFunction {
            kind,
            signature: Signature::string(1, Volatility::Immutable),
        }
    }

    /// Which function this is.
    pub fn kind(&self) -> CodeFunctionKind {
        self.kind
    }

    /// Runs the function over one array (what SQL calls do, without a query).
    pub fn evaluate(&self, codes: &dyn Array) -> Result<ArrayRef> {
        let name = self.kind.name();
        let n = codes.len();
        let cm = icd10cm();
        Ok(match self.kind {
            CodeFunctionKind::Icd10CmValid | CodeFunctionKind::Icd10CmBillable => {
                let billable = self.kind == CodeFunctionKind::Icd10CmBillable;
                let mut out = BooleanBuilder::with_capacity(n);
                each_str(name, codes, |v| {
                    out.append_option(v.map(|s| {
                        let st = cm.validate(s);
                        if billable {
                            st.is_billable()
                        } else {
                            st.is_valid()
                        }
                    }))
                })?;
                Arc::new(out.finish())
            }
            CodeFunctionKind::Icd10PcsValid => {
                let pcs = icd10pcs();
                let mut out = BooleanBuilder::with_capacity(n);
                each_str(name, codes, |v| {
                    out.append_option(v.map(|s| pcs.validate(s) == PcsStatus::Valid))
                })?;
                Arc::new(out.finish())
            }
            CodeFunctionKind::Icd10CmChapter => {
                let mut out = Int32Builder::with_capacity(n);
                each_str(name, codes, |v| {
                    out.append_option(v.and_then(|s| {
                        let code = IcdCmCode::parse(s).ok()?;
                        cm.chapter_of(&code).map(|c| i32::from(c.number))
                    }))
                })?;
                Arc::new(out.finish())
            }
            CodeFunctionKind::Icd10CmStatus => {
                let mut out = StringBuilder::with_capacity(n, n * 8);
                each_str(name, codes, |v| {
                    out.append_option(v.map(|s| cm.validate(s).as_str()))
                })?;
                Arc::new(out.finish())
            }
            CodeFunctionKind::Icd10CmTitle => {
                let mut out = StringBuilder::with_capacity(n, n * 48);
                each_str(name, codes, |v| {
                    out.append_option(v.and_then(|s| cm.classify(s).title()))
                })?;
                Arc::new(out.finish())
            }
            CodeFunctionKind::Icd10CmNormalize => {
                let mut out = StringBuilder::with_capacity(n, value_bytes(codes) + n);
                each_str(name, codes, |v| match v.map(IcdCmCode::parse) {
                    Some(Ok(code)) => out.append_value(code.dotted().as_str()),
                    _ => out.append_null(),
                })?;
                Arc::new(out.finish())
            }
            CodeFunctionKind::CcsrCategory => {
                let map = CcsrMap::embedded();
                let mut out = StringBuilder::with_capacity(n, n * 6);
                each_str(name, codes, |v| {
                    out.append_option(v.and_then(|s| map.categories(s).first().map(|c| c.as_str())))
                })?;
                Arc::new(out.finish())
            }
        })
    }
}

impl ScalarUDFImpl for CodeFunction {
    fn name(&self) -> &str {
        self.kind.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(self.kind.return_type())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [arg] = args.args.as_slice() else {
            return exec_err!("{} takes one argument", self.kind.name());
        };
        match arg {
            ColumnarValue::Array(a) => Ok(ColumnarValue::Array(self.evaluate(a.as_ref())?)),
            // A one-row array for a scalar argument: DataFusion turns it back into a scalar.
            ColumnarValue::Scalar(s) => {
                Ok(ColumnarValue::Array(self.evaluate(s.to_array()?.as_ref())?))
            }
        }
    }
}

/// `deid_text(text)` / `deid_text(text, key)`: redacts PHI in free text with
/// [`medrec_privacy::text::Redactor`] (all recognizers, default confidence threshold 0.5).
///
/// Without a key, spans become kind tags (`[NAME]`, `[DATE]`); with a key (at least
/// [`medrec_privacy::pseudonym::MIN_KEY_BYTES`] bytes of UTF-8), keyed HMAC-SHA-256 pseudonyms
/// (`[NAME-1f0c9a2b3d]`), stable across rows, files, executors and runs for one key. A `NULL` text
/// or key gives `NULL`; a key that is too short is an execution error (never a silent fallback).
///
/// The redactor for a key is built once and kept (recognizers are shared process-wide), so a
/// literal key costs one build per process and partition.
#[derive(Debug)]
pub struct DeidText {
    signature: Signature,
    cache: Mutex<Option<(Option<String>, Arc<Redactor>)>>,
}

impl Default for DeidText {
    fn default() -> Self {
        Self::new()
    }
}

impl PartialEq for DeidText {
    fn eq(&self, other: &Self) -> bool {
        self.signature == other.signature
    }
}

impl Eq for DeidText {}

impl Hash for DeidText {
    fn hash<H: Hasher>(&self, state: &mut H) {
        "deid_text".hash(state);
        self.signature.hash(state);
    }
}

impl DeidText {
    /// The function.
    pub fn new() -> DeidText {
        DeidText {
            signature: Signature::one_of(
                vec![TypeSignature::String(1), TypeSignature::String(2)],
                Volatility::Immutable,
            ),
            cache: Mutex::new(None),
        }
    }

    fn redactor(&self, key: Option<&str>) -> Result<Arc<Redactor>> {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((k, r)) = cache.as_ref() {
            if k.as_deref() == key {
                return Ok(Arc::clone(r));
            }
        }
        let replacement = match key {
            None => Replacement::Tag,
            Some(k) => match PseudonymKey::from_bytes(k.as_bytes().to_vec()) {
                Ok(key) => Replacement::Pseudonym(key),
                Err(e) => return exec_err!("deid_text: bad key: {e}"),
            },
        };
        let r = Arc::new(Redactor::builder().replacement(replacement).build());
        *cache = Some((key.map(str::to_string), Arc::clone(&r)));
        Ok(r)
    }

    /// Runs the function over arrays (`keys` of the same length, or `None` for tags).
    pub fn evaluate(&self, texts: &dyn Array, keys: Option<&dyn Array>) -> Result<ArrayRef> {
        let n = texts.len();
        let mut out = StringBuilder::with_capacity(n, value_bytes(texts));
        let key_values: Vec<Option<&str>> = match keys {
            Some(k) => string_values("deid_text", k)?,
            None => Vec::new(),
        };
        let mut error = None;
        let mut i = 0;
        each_str("deid_text", texts, |v| {
            let key = match keys {
                None => Some(None),
                Some(_) => key_values.get(i).copied().flatten().map(Some),
            };
            i += 1;
            match (v, key) {
                (Some(text), Some(key)) if error.is_none() => match self.redactor(key) {
                    Ok(r) => out.append_value(r.redact(text).text),
                    Err(e) => {
                        error = Some(e);
                        out.append_null();
                    }
                },
                _ => out.append_null(),
            }
        })?;
        match error {
            Some(e) => Err(e),
            None => Ok(Arc::new(out.finish())),
        }
    }
}

impl ScalarUDFImpl for DeidText {
    fn name(&self) -> &str {
        "deid_text"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = argument_arrays(&args)?;
        let out = match arrays.as_slice() {
            [texts] => self.evaluate(texts.as_ref(), None)?,
            [texts, keys] => self.evaluate(texts.as_ref(), Some(keys.as_ref()))?,
            _ => return exec_err!("deid_text takes one or two arguments"),
        };
        Ok(ColumnarValue::Array(out))
    }
}

/// `pseudonym_id(value, key)`: a keyed HMAC-SHA-256 pseudonym of an identifier (20 hex digits,
/// domain `medrec-datafusion/id`, [`PseudonymKey::pseudonym`]), stable for one key: the same
/// patient id gives the same pseudonym in every table, file and executor, so de-identified tables
/// still join. `NULL` in gives `NULL`. A key shorter than 16 bytes is an error.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct PseudonymId {
    signature: Signature,
}

impl Default for PseudonymId {
    fn default() -> Self {
        Self::new()
    }
}

impl PseudonymId {
    /// The function.
    pub fn new() -> PseudonymId {
        PseudonymId {
            signature: Signature::string(2, Volatility::Immutable),
        }
    }

    /// Runs the function over arrays of values and keys of one length.
    pub fn evaluate(&self, values: &dyn Array, keys: &dyn Array) -> Result<ArrayRef> {
        let values = string_values("pseudonym_id", values)?;
        let keys = string_values("pseudonym_id", keys)?;
        let mut out = StringBuilder::with_capacity(values.len(), values.len() * 20);
        let mut cached: Option<(&str, PseudonymKey)> = None;
        for (v, k) in values.into_iter().zip(keys) {
            let (Some(v), Some(k)) = (v, k) else {
                out.append_null();
                continue;
            };
            if cached.as_ref().is_none_or(|(ck, _)| *ck != k) {
                match PseudonymKey::from_bytes(k.as_bytes().to_vec()) {
                    Ok(key) => cached = Some((k, key)),
                    Err(e) => return exec_err!("pseudonym_id: bad key: {e}"),
                }
            }
            if let Some((_, key)) = &cached {
                out.append_value(key.pseudonym("medrec-datafusion/id", v, 20));
            }
        }
        Ok(Arc::new(out.finish()))
    }
}

impl ScalarUDFImpl for PseudonymId {
    fn name(&self) -> &str {
        "pseudonym_id"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = argument_arrays(&args)?;
        let [values, keys] = arrays.as_slice() else {
            return exec_err!("pseudonym_id takes two arguments");
        };
        Ok(ColumnarValue::Array(
            self.evaluate(values.as_ref(), keys.as_ref())?,
        ))
    }
}

/// The `pseudonym_id` UDF.
pub fn pseudonym_id() -> ScalarUDF {
    ScalarUDF::from(PseudonymId::new())
}

/// Every scalar UDF of this crate, ready to register.
pub fn scalar_functions() -> Vec<Arc<ScalarUDF>> {
    let mut v: Vec<Arc<ScalarUDF>> = CodeFunctionKind::ALL
        .iter()
        .map(|&k| Arc::new(ScalarUDF::from(CodeFunction::new(k))))
        .collect();
    v.push(Arc::new(ScalarUDF::from(DeidText::new())));
    v.push(Arc::new(pseudonym_id()));
    v
}
