//! Aggregate UDFs: a patient's (or stay's) comorbidity measures and scores, computed by
//! `medrec-codes`' [`ComorbidityScorer`] over the diagnosis codes of the group.
//!
//! ```sql
//! SELECT patient_id, elixhauser(code, present_on_admission) AS e, charlson(code) AS c
//! FROM diagnoses JOIN encounters USING (encounter_id)
//! GROUP BY patient_id
//! ```
//!
//! | function | result (a struct) |
//! |---|---|
//! | `elixhauser(code, poa)` | `{measures: List<Utf8>, mortality_index: Int32, readmission_index: Int32}`: AHRQ Elixhauser Refined v2026.1 measures (names without `CMR_`, AHRQ order) and the in-hospital mortality and 30-day readmission indices |
//! | `charlson(code)` | `{conditions: List<Utf8>, score: Int32, score_quan2011: Int32}`: Charlson conditions (Quan 2005 ICD-10 definitions, hierarchy applied), score with the Charlson 1987 weights and with the Quan 2011 weights |
//!
//! Conventions (the same as `ComorbidityScorer::score(None, codes)`): every code of the group is
//! treated as a secondary diagnosis — there is no principal diagnosis in a patient-level
//! aggregate, so filter it out (`FILTER (WHERE diagnosis_type <> 'principal')`) to score a stay the
//! AHRQ way. POA indicators are read with `Poa::parse` (`Y`, `N`, `U`, `W`, `1`/`E`, blank; any
//! case); `NULL` or an unreadable indicator counts as blank (not reported), which the AHRQ POA rule
//! treats as not present on admission. Codes that are not shaped like ICD-10-CM codes are ignored
//! (as the scorer does). A group with no codes gives no measures and scores of 0.
//!
//! Results are independent of row order and of how the rows are split across partitions or
//! executors: the state is the set of distinct (code, POA) pairs, which merges by union, and the
//! scorer runs once on the final set (its measures are set functions of that set).

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Int32Array, ListArray, ListBuilder, StringBuilder, StructArray,
};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Fields};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Signature, TypeSignature, Volatility,
};
use medrec_codes::clinical::{Comorbidities, ComorbidityScorer, DxKey, Poa};
use std::collections::HashSet;
use std::sync::Arc;

use crate::udf::string_values;

/// Which measure a [`ComorbidityAggregate`] computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ComorbidityMeasure {
    /// `elixhauser(code, poa)`.
    Elixhauser,
    /// `charlson(code)`.
    Charlson,
}

impl ComorbidityMeasure {
    /// The SQL name.
    pub fn name(self) -> &'static str {
        match self {
            ComorbidityMeasure::Elixhauser => "elixhauser",
            ComorbidityMeasure::Charlson => "charlson",
        }
    }

    /// The fields of the result struct.
    pub fn fields(self) -> Fields {
        let list = DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, true)));
        match self {
            ComorbidityMeasure::Elixhauser => Fields::from(vec![
                Field::new("measures", list, false),
                Field::new("mortality_index", DataType::Int32, false),
                Field::new("readmission_index", DataType::Int32, false),
            ]),
            ComorbidityMeasure::Charlson => Fields::from(vec![
                Field::new("conditions", list, false),
                Field::new("score", DataType::Int32, false),
                Field::new("score_quan2011", DataType::Int32, false),
            ]),
        }
    }

    /// The result as a one-row struct array, from the scorer's answer.
    pub fn to_struct(self, c: &Comorbidities) -> Result<StructArray> {
        let mut names = ListBuilder::new(StringBuilder::new());
        let (a, b) = match self {
            ComorbidityMeasure::Elixhauser => {
                for m in c.elixhauser.iter() {
                    names.values().append_value(m.name());
                }
                (c.elixhauser_mortality, c.elixhauser_readmission)
            }
            ComorbidityMeasure::Charlson => {
                for m in c.charlson.iter() {
                    names.values().append_value(m.name());
                }
                (
                    i32::try_from(c.charlson_score).unwrap_or(i32::MAX),
                    i32::try_from(c.charlson_score_quan2011).unwrap_or(i32::MAX),
                )
            }
        };
        names.append(true);
        let names: ListArray = names.finish();
        let columns: Vec<ArrayRef> = vec![
            Arc::new(names),
            Arc::new(Int32Array::from(vec![a])),
            Arc::new(Int32Array::from(vec![b])),
        ];
        Ok(StructArray::try_new(self.fields(), columns, None)?)
    }
}

/// `elixhauser(code, poa)` or `charlson(code)` (see the module docs).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ComorbidityAggregate {
    measure: ComorbidityMeasure,
    signature: Signature,
}

impl ComorbidityAggregate {
    /// The aggregate for `measure`.
    pub fn new(measure: ComorbidityMeasure) -> ComorbidityAggregate {
        let signature = match measure {
            // Aggregates take no `String` type signature; string types are checked when the
            // values arrive (`Utf8`, `LargeUtf8`, `Utf8View`, `NULL`).
            ComorbidityMeasure::Elixhauser => Signature::one_of(
                vec![TypeSignature::Any(2), TypeSignature::Any(1)],
                Volatility::Immutable,
            ),
            ComorbidityMeasure::Charlson => Signature::any(1, Volatility::Immutable),
        };
        ComorbidityAggregate { measure, signature }
    }
}

impl AggregateUDFImpl for ComorbidityAggregate {
    fn name(&self) -> &str {
        self.measure.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Struct(self.measure.fields()))
    }

    fn is_nullable(&self) -> bool {
        false
    }

    fn accumulator(&self, _acc_args: AccumulatorArgs<'_>) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(ComorbidityAccumulator {
            measure: self.measure,
            codes: HashSet::new(),
        }))
    }

    fn state_fields(&self, args: StateFieldsArgs<'_>) -> Result<Vec<FieldRef>> {
        let list = DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, true)));
        Ok(vec![
            Arc::new(Field::new(
                format!("{}[codes]", args.name),
                list.clone(),
                true,
            )),
            Arc::new(Field::new(format!("{}[poa]", args.name), list, true)),
        ])
    }
}

/// The state: distinct (code, POA) pairs.
#[derive(Debug)]
struct ComorbidityAccumulator {
    measure: ComorbidityMeasure,
    codes: HashSet<(DxKey, Poa)>,
}

fn poa_of(text: Option<&str>) -> Poa {
    text.and_then(Poa::parse).unwrap_or(Poa::Missing)
}

impl ComorbidityAccumulator {
    fn add(&mut self, code: Option<&str>, poa: Option<&str>) {
        if let Some(k) = code.and_then(DxKey::parse) {
            let poa = match self.measure {
                ComorbidityMeasure::Elixhauser => poa_of(poa),
                // Charlson does not read POA: one entry per code.
                ComorbidityMeasure::Charlson => Poa::Missing,
            };
            self.codes.insert((k, poa));
        }
    }

    fn add_arrays(&mut self, codes: &dyn Array, poas: Option<&dyn Array>) -> Result<()> {
        let codes = string_values(self.measure.name(), codes)?;
        let poas = match poas {
            Some(p) => string_values(self.measure.name(), p)?,
            None => vec![None; codes.len()],
        };
        for (c, p) in codes.into_iter().zip(poas) {
            self.add(c, p);
        }
        Ok(())
    }
}

impl Accumulator for ComorbidityAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        match values {
            [codes] => self.add_arrays(codes.as_ref(), None),
            [codes, poas] => self.add_arrays(codes.as_ref(), Some(poas.as_ref())),
            _ => exec_err!("{} takes one or two arguments", self.measure.name()),
        }
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let keys: Vec<(DxKey, Poa)> = self.codes.iter().copied().collect();
        let c = ComorbidityScorer::new().score_keys(&keys, false);
        Ok(ScalarValue::Struct(Arc::new(self.measure.to_struct(&c)?)))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.codes.capacity() * std::mem::size_of::<(DxKey, Poa)>()
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let mut codes = Vec::with_capacity(self.codes.len());
        let mut poas = Vec::with_capacity(self.codes.len());
        for (k, p) in &self.codes {
            codes.push(ScalarValue::Utf8(Some(k.undotted())));
            poas.push(ScalarValue::Utf8(Some(p.as_str().to_string())));
        }
        Ok(vec![
            ScalarValue::List(ScalarValue::new_list_nullable(&codes, &DataType::Utf8)),
            ScalarValue::List(ScalarValue::new_list_nullable(&poas, &DataType::Utf8)),
        ])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let [codes, poas] = states else {
            return exec_err!("{}: bad state", self.measure.name());
        };
        let codes = codes.as_list::<i32>();
        let poas = poas.as_list::<i32>();
        for i in 0..codes.len() {
            if codes.is_null(i) {
                continue;
            }
            let c = codes.value(i);
            let p = poas.value(i);
            let name = self.measure.name();
            let (c, p) = (
                string_values(name, c.as_ref())?,
                string_values(name, p.as_ref())?,
            );
            for (c, p) in c.into_iter().zip(p) {
                let poa = match p {
                    Some("") | None => Poa::Missing,
                    Some(t) => poa_of(Some(t)),
                };
                if let Some(k) = c.and_then(DxKey::parse) {
                    self.codes.insert((k, poa));
                }
            }
        }
        Ok(())
    }
}

/// Every aggregate UDF of this crate, ready to register: `elixhauser`, `charlson` and
/// [`crate::median::median_charges`].
pub fn aggregate_functions() -> Vec<Arc<AggregateUDF>> {
    vec![
        Arc::new(AggregateUDF::from(ComorbidityAggregate::new(
            ComorbidityMeasure::Elixhauser,
        ))),
        Arc::new(AggregateUDF::from(ComorbidityAggregate::new(
            ComorbidityMeasure::Charlson,
        ))),
        Arc::new(crate::median::median_charges()),
    ]
}
