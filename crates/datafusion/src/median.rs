//! `median_charges(cents)`: the median charges per stay exactly as `medrec-stats` reports them
//! (`PeriodStats::median_charges_per_stay` / `median_charges_exact`), as an aggregate UDF.
//!
//! ```sql
//! SELECT payer, median_charges(charges_cents)['median'] AS median,
//!        median_charges(charges_cents)['exact'] AS exact
//! FROM encounters GROUP BY payer
//! ```
//!
//! The result is a struct `{median: Float64, exact: Boolean}`: `median` in currency units
//! (`NULL` for a group without charges), `exact` whether it is the exact median. The value is
//! computed by `medrec_stats::ChargeDistribution` itself (the aggregator's own code): while the
//! group has at most `ChargeDistribution::EXACT_LIMIT` (4,096) distinct amounts the exact median
//! (the mean of the two middle values for an even count, as DataFusion's `median` on `DOUBLE`
//! computes it); past that, the lower median's bucket of the DDSketch scheme (relative accuracy
//! 0.5 %), which `median()` cannot reproduce. `NULL` inputs are skipped.
//!
//! The state is the multiset of amounts (distinct cents and their counts), which merges by
//! addition; the distribution is built once from the final multiset. A `ChargeDistribution` is a
//! function of its multiset (exact while it has ≤ 4,096 distinct values, each amount's bucket
//! fixed), so partial aggregates on any number of partitions or executors give exactly the
//! one-pass answer. Memory: one entry per distinct amount of the group (in the bucketed case
//! more than `medrec-stats`' bounded sketch holds).

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray, Float64Array, StructArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Fields, Int64Type};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Signature, Volatility,
};
use medrec_stats::ChargeDistribution;
use std::collections::HashMap;
use std::sync::Arc;

/// The SQL name.
pub const MEDIAN_CHARGES: &str = "median_charges";

/// `median_charges(cents)` (see the module docs).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct MedianCharges {
    signature: Signature,
}

impl Default for MedianCharges {
    fn default() -> MedianCharges {
        MedianCharges::new()
    }
}

impl MedianCharges {
    /// The aggregate.
    pub fn new() -> MedianCharges {
        MedianCharges {
            signature: Signature::uniform(1, vec![DataType::Int64], Volatility::Immutable),
        }
    }

    /// The fields of the result struct.
    pub fn fields() -> Fields {
        Fields::from(vec![
            Field::new("median", DataType::Float64, true),
            Field::new("exact", DataType::Boolean, false),
        ])
    }
}

impl AggregateUDFImpl for MedianCharges {
    fn name(&self) -> &str {
        MEDIAN_CHARGES
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Struct(MedianCharges::fields()))
    }

    fn is_nullable(&self) -> bool {
        false
    }

    fn accumulator(&self, _acc_args: AccumulatorArgs<'_>) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(MedianChargesAccumulator::default()))
    }

    fn state_fields(&self, args: StateFieldsArgs<'_>) -> Result<Vec<FieldRef>> {
        let list = DataType::List(Arc::new(Field::new_list_field(DataType::Int64, true)));
        Ok(vec![
            Arc::new(Field::new(
                format!("{}[cents]", args.name),
                list.clone(),
                true,
            )),
            Arc::new(Field::new(format!("{}[counts]", args.name), list, true)),
        ])
    }
}

/// The state: how many stays had each amount (cents).
#[derive(Debug, Default)]
struct MedianChargesAccumulator {
    amounts: HashMap<i64, u64>,
}

fn int64_values(array: &dyn Array) -> Result<ArrayRef> {
    Ok(cast(array, &DataType::Int64)?)
}

impl Accumulator for MedianChargesAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let [cents] = values else {
            return exec_err!("{MEDIAN_CHARGES} takes one argument");
        };
        let cents = int64_values(cents.as_ref())?;
        for v in cents.as_primitive::<Int64Type>().iter().flatten() {
            *self.amounts.entry(v).or_insert(0) += 1;
        }
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let mut d = ChargeDistribution::new();
        for (&v, &n) in &self.amounts {
            for _ in 0..n {
                d.add(v);
            }
        }
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Float64Array::from(vec![
                d.median_cents().map(|m| m / 100.0),
            ])),
            Arc::new(BooleanArray::from(vec![d.is_exact()])),
        ];
        Ok(ScalarValue::Struct(Arc::new(StructArray::try_new(
            MedianCharges::fields(),
            columns,
            None,
        )?)))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.amounts.capacity() * 2 * std::mem::size_of::<u64>()
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let mut cents = Vec::with_capacity(self.amounts.len());
        let mut counts = Vec::with_capacity(self.amounts.len());
        for (&v, &n) in &self.amounts {
            cents.push(ScalarValue::Int64(Some(v)));
            counts.push(ScalarValue::Int64(Some(
                i64::try_from(n).unwrap_or(i64::MAX),
            )));
        }
        Ok(vec![
            ScalarValue::List(ScalarValue::new_list_nullable(&cents, &DataType::Int64)),
            ScalarValue::List(ScalarValue::new_list_nullable(&counts, &DataType::Int64)),
        ])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let [cents, counts] = states else {
            return exec_err!("{MEDIAN_CHARGES}: bad state");
        };
        let (cents, counts) = (cents.as_list::<i32>(), counts.as_list::<i32>());
        for i in 0..cents.len() {
            if cents.is_null(i) || counts.is_null(i) {
                continue;
            }
            let (c, n) = (
                int64_values(cents.value(i).as_ref())?,
                int64_values(counts.value(i).as_ref())?,
            );
            let (c, n) = (c.as_primitive::<Int64Type>(), n.as_primitive::<Int64Type>());
            for (v, k) in c.iter().zip(n.iter()) {
                if let (Some(v), Some(k)) = (v, k) {
                    *self.amounts.entry(v).or_insert(0) += k.unsigned_abs();
                }
            }
        }
        Ok(())
    }
}

/// The `median_charges` aggregate UDF.
pub fn median_charges() -> AggregateUDF {
    AggregateUDF::from(MedianCharges::new())
}
