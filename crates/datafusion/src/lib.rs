//! medrec inside [Apache DataFusion](https://datafusion.apache.org): ICD-10-CM / ICD-10-PCS
//! classification, CCSR, Elixhauser and Charlson, free-text de-identification and the hospital
//! statistics of `medrec-stats` as SQL, over Arrow arrays — in one process, or distributed on an
//! [Apache Ballista](https://datafusion.apache.org/ballista/) cluster.
//!
//! ```
//! use medrec_datafusion::{datafusion, register_functions};
//! use datafusion::prelude::SessionContext;
//! use datafusion::arrow::array::{Array, AsArray};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> datafusion::error::Result<()> {
//! let ctx = SessionContext::new();
//! register_functions(&ctx);
//! let batches = ctx
//!     .sql("SELECT icd10cm_normalize(c) AS code, icd10cm_billable(c) AS billable, \
//!                  icd10cm_chapter(c) AS chapter, ccsr_category(c) AS ccsr \
//!           FROM (VALUES ('e119'), ('I21.4'), ('nonsense')) AS t(c)")
//!     .await?
//!     .collect()
//!     .await?;
//! let b = &batches[0];
//! let code = b.column(0).as_string::<i32>();
//! assert_eq!(code.value(0), "E11.9");
//! assert!(code.is_null(2));
//! assert!(b.column(1).as_boolean().value(0));
//! # Ok(())
//! # }
//! ```
//!
//! # What it registers
//! - Scalar UDFs ([`udf`]): `icd10cm_valid`, `icd10cm_billable`, `icd10cm_status`,
//!   `icd10cm_chapter`, `icd10cm_title`, `icd10cm_normalize`, `ccsr_category`, `icd10pcs_valid`,
//!   `deid_text(text [, key])`. Vectorized: one pass over the Arrow array, no per-row allocation.
//! - Aggregate UDFs ([`udaf`]): `elixhauser(code, poa)` and `charlson(code)`, a patient's (or
//!   stay's) measures and scores when grouped by patient; mergeable, so they run distributed.
//! - Tables ([`tables`]): FHIR R4 NDJSON / Bundles / Bulk Data directories as flat Arrow tables
//!   (`patients`, `encounters`, `encounter_unit_stays`, `diagnoses`, `procedures`,
//!   `census_segments`, `claims`), read while the query runs, partition by partition, with
//!   projection pushdown ([`tables::register_fhir_tables`]).
//! - The census and period statistics of `medrec-stats` as SQL views ([`census`]), and the
//!   whole period report — every grouping (none, facility, unit, service, payer, diagnosis
//!   group), every population (adults and children, newborns, total), 30-day readmissions,
//!   charge medians, top diagnoses and procedures — as one view ([`period_stats`]); the median
//!   charges as an aggregate UDF ([`median`]: `median_charges(cents)`).
//!
//! The results equal the `medrec-codes` / `medrec-privacy` APIs exactly (the test suite runs every
//! code of both code sets through SQL).
//!
//! # Should I use this crate?
//! Use it when your encounters and claims already live in (or outgrow into) a query engine:
//! Parquet files, an object store, a Ballista cluster. For a single EHR process classifying codes
//! one at a time, `medrec-codes` directly is simpler and cheaper to build: DataFusion and Ballista
//! are large dependencies (a cold build is minutes on two cores), which is why this crate is its
//! own Cargo workspace and not a member of medrec's.
//!
//! # Crate features
//! - `ballista` (default): the [`cluster`] module (scheduler session builder, executor function
//!   registry, client context), the [`codec`] module (plan codecs that ship the FHIR tables to
//!   the scheduler and executors) and the `medrec-ballista` binary. Ballista's scheduler and executor
//!   libraries are built without their own binaries. Without this feature only DataFusion (with
//!   `parquet`, `sql`, nested, date-time, string and unicode functions) is built.

pub use datafusion;

pub mod census;
pub mod claims;
#[cfg(feature = "ballista")]
pub mod cluster;
#[cfg(feature = "ballista")]
pub mod codec;
pub mod columns;
pub mod export;
pub mod median;
pub mod patients;
pub mod period_stats;
pub mod scan;
pub mod synth;
pub mod tables;
pub mod udaf;
pub mod udf;

use datafusion::execution::FunctionRegistry;
use datafusion::prelude::SessionContext;

/// Registers every medrec scalar and aggregate function with a session.
pub fn register_functions(ctx: &SessionContext) {
    for f in udf::scalar_functions() {
        ctx.register_udf(f.as_ref().clone());
    }
    for f in udaf::aggregate_functions() {
        ctx.register_udaf(f.as_ref().clone());
    }
}

/// Registers every medrec scalar and aggregate function with any function registry (a
/// `SessionState`, the registry Ballista's scheduler builds its sessions with).
pub fn register_functions_in(registry: &mut dyn FunctionRegistry) -> datafusion::error::Result<()> {
    for f in udf::scalar_functions() {
        registry.register_udf(f)?;
    }
    for f in udaf::aggregate_functions() {
        registry.register_udaf(f)?;
    }
    Ok(())
}
