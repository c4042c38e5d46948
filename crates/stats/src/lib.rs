//! `medrec-stats`: hospital statistics the way HIM departments compile them.
//!
//! From inpatient stays (admission, discharge, unit history, admit source, disposition, deaths,
//! autopsies, deliveries, births, infections, consultations, payer, charges, codes) this crate
//! computes the daily inpatient census per unit at the facility's local midnight, inpatient
//! service days, average daily census, length of stay, bed occupancy with bed counts that change
//! over the period, bed turnover, gross/net/newborn/fetal/maternal death rates,
//! gross/net/hospital autopsy rates, cesarean, infection, consultation and 30-day readmission
//! rates — adults & children and newborns apart — following AHIMA's basic healthcare statistics
//! ([`rates`] documents each formula and its source).
//!
//! Aggregation is one pass over the stays with memory bounded by units × days, and aggregates
//! merge (split a period or a population, aggregate the parts in parallel, [`Aggregator::merge`]).
//! For throughput, push stays into a columnar [`StayBatch`] (or read one from the Arrow
//! tables, [`arrow::stay_batches`]) and aggregate it with [`Aggregator::add_batch`]: the same
//! counts, several times faster than [`Aggregator::add_stays`] once the data is in columns.
//! [`Stay::unit_segments`] gives a stay's census unit segments exactly as the aggregator counts
//! them (for engines that compute the census themselves, e.g. in SQL).
//!
//! ```
//! use medrec_stats::{Aggregator, AggregatorConfig, BedSchedule, EncounterClass, GroupBy,
//!     Period, PopulationScope, Stay, UnitStay};
//! use jiff::tz::TimeZone;
//!
//! let period = Period::month(2024, 3).unwrap();
//! let mut agg = Aggregator::new(AggregatorConfig::new(period, TimeZone::UTC));
//! let mut stay = Stay::new("p1", "e1", EncounterClass::Inpatient,
//!     "2024-03-04T10:00:00Z".parse()?, Some("2024-03-07T09:00:00Z".parse()?));
//! stay.units.push(UnitStay { unit: "MED".into(), from: stay.admitted, to: None });
//! agg.add_stay(&stay)?;
//!
//! let beds = BedSchedule::parse_csv("unit,beds,effective_from\nMED,10,2024-01-01\n")?;
//! let rows = agg.report(GroupBy::None, &beds)?;
//! let total = rows.iter().find(|r| r.population == PopulationScope::Total).unwrap();
//! assert_eq!(total.discharges, 1);
//! assert_eq!(total.inpatient_service_days, 3);      // midnights of the 4th, 5th, 6th
//! assert_eq!(total.average_length_of_stay, Some(3.0));
//! assert_eq!(total.bed_count_days, Some(310));       // 10 beds × 31 days
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Should I use this crate?
//! Use it to compile monthly (or any period's) census and rate reports, unit-level daily census
//! rows, HIM disease/operation/physician indexes, or columnar tables of encounters, from FHIR R4
//! records ([`fhir`]) or from your own ADT feed (build [`Stay`] values). It is not a data
//! warehouse: it keeps counters, not records; and it does not compute MS-DRGs or risk-adjusted
//! measures (CMS's planned-readmission algorithm, case-mix index).
//!
//! # Crate features
//! - `arrow` (default): [`arrow`] — the `encounters`, `encounter_unit_stays`, `diagnoses` and
//!   `procedures` tables as Apache Arrow record batches (`arrow-array`/`arrow-schema` 59), built
//!   streaming in batches of a bounded row count, for data-frame engines (DataFusion, Polars …).
//! - `arrow-ipc` (default, implies `arrow`): writing those tables as Arrow IPC files, atomically
//!   (`arrow::IpcFileWriter`).
//!
//! Embedders that only need the statistics turn both off with `default-features = false`.
#![forbid(unsafe_code)]

pub mod aggregate;
#[cfg(feature = "arrow")]
pub mod arrow;
pub mod batch;
pub mod beds;
pub mod chart;
pub mod clock;
pub mod fhir;
pub mod index;
pub mod obstetrics;
pub mod rates;
pub mod report;
pub mod segment;
pub mod sketch;
pub mod stay;

pub use aggregate::{
    Aggregator, AggregatorConfig, DayCounts, FeedCounts, GroupBy, MergeError, MergeErrorKind,
    StayError, StayErrorKind, UNASSIGNED_UNIT, UNKNOWN_GROUP,
};
pub use batch::StayBatch;
pub use beds::{BedCountChange, BedDays, BedKind, BedSchedule, BedsError, BedsErrorKind};
pub use clock::{DayClock, Period, Split, census_day};
pub use index::{
    CodeQuery, DiseaseIndex, IndexEntry, OperationIndex, PhysicianIndex, PhysicianSummary,
};
pub use report::{CodeCount, DailyRow, PeriodStats, PopulationScope, ReportError, ReportErrorKind};
pub use segment::{UnitSegment, UnitSegments};
pub use sketch::ChargeDistribution;
pub use stay::{
    AdmitSource, Autopsy, Delivery, Disposition, EncounterClass, Population, Stay, StayDiagnosis,
    StayProcedure, UnitStay,
};
