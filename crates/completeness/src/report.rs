//! What a review is reported as: the physician query worklist, summaries by rule and by unit,
//! delinquency with aging buckets.

use crate::config::DelinquencyConfig;
use crate::review::EncounterReview;
use crate::rule::{Deficiency, ResponsibleRole, Severity};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What one clinician (or, without a named practitioner, one role) must complete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorklistGroup {
    /// The practitioner (`Practitioner/<id>`), if named.
    pub practitioner: Option<String>,
    /// The practitioner's name.
    pub practitioner_name: Option<String>,
    /// The role, for items without a named practitioner (and the first item's role otherwise).
    pub role: ResponsibleRole,
    /// The items, oldest first (due date, then assigned date, then patient, encounter, rule).
    pub items: Vec<Deficiency>,
}

/// The physician query worklist: deficiencies grouped by who must complete them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Worklist {
    /// One group per practitioner (sorted by practitioner id), then one per role for items
    /// without a practitioner.
    pub groups: Vec<WorklistGroup>,
}

impl Worklist {
    /// Builds the worklist from deficiencies (of any number of records). Deficiencies of
    /// severity `info` are left out.
    pub fn build<'a>(deficiencies: impl IntoIterator<Item = &'a Deficiency>) -> Worklist {
        let mut by_key: BTreeMap<(u8, String), Vec<Deficiency>> = BTreeMap::new();
        for d in deficiencies {
            if d.severity == Severity::Info {
                continue;
            }
            let key = match &d.practitioner {
                Some(p) => (0, p.clone()),
                None => (1, d.role.as_str().to_string()),
            };
            by_key.entry(key).or_default().push(d.clone());
        }
        let groups = by_key
            .into_values()
            .map(|mut items| {
                items.sort_by(|a, b| {
                    (
                        a.due.is_none(),
                        a.due,
                        a.assigned,
                        &a.patient,
                        &a.encounter,
                        a.sort_key(),
                    )
                        .cmp(&(
                            b.due.is_none(),
                            b.due,
                            b.assigned,
                            &b.patient,
                            &b.encounter,
                            b.sort_key(),
                        ))
                });
                let first = &items[0];
                WorklistGroup {
                    practitioner: first.practitioner.clone(),
                    practitioner_name: items.iter().find_map(|i| i.practitioner_name.clone()),
                    role: first.role,
                    items,
                }
            })
            .collect();
        Worklist { groups }
    }
}

/// Counts for one rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleCount {
    /// Deficiencies.
    pub deficiencies: u64,
    /// Encounters with at least one.
    pub encounters: u64,
}

/// Counts for one unit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitCount {
    /// Encounters reviewed.
    pub encounters: u64,
    /// Encounters with at least one deficiency.
    pub incomplete: u64,
    /// Deficiencies.
    pub deficiencies: u64,
}

/// Summary of a review by rule and by unit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewSummary {
    /// Encounters reviewed.
    pub encounters: u64,
    /// Encounters with at least one deficiency.
    pub incomplete: u64,
    /// Deficiencies.
    pub deficiencies: u64,
    /// By rule id.
    pub by_rule: BTreeMap<String, RuleCount>,
    /// By discharging unit (`(none)` when unknown).
    pub by_unit: BTreeMap<String, UnitCount>,
    /// By severity.
    pub by_severity: BTreeMap<String, u64>,
}

impl ReviewSummary {
    /// Adds one encounter review.
    pub fn add(&mut self, review: &EncounterReview) {
        self.encounters += 1;
        let unit = review.unit.clone().unwrap_or_else(|| "(none)".to_string());
        let u = self.by_unit.entry(unit).or_default();
        u.encounters += 1;
        if review.deficiencies.is_empty() {
            return;
        }
        self.incomplete += 1;
        u.incomplete += 1;
        u.deficiencies += review.deficiencies.len() as u64;
        self.deficiencies += review.deficiencies.len() as u64;
        let mut seen: Vec<&str> = Vec::new();
        for d in &review.deficiencies {
            let r = self.by_rule.entry(d.rule.clone()).or_default();
            r.deficiencies += 1;
            if !seen.contains(&d.rule.as_str()) {
                seen.push(&d.rule);
                r.encounters += 1;
            }
            *self
                .by_severity
                .entry(d.severity.as_str().to_string())
                .or_default() += 1;
        }
    }

    /// The summary of many encounter reviews.
    pub fn of<'a>(reviews: impl IntoIterator<Item = &'a EncounterReview>) -> ReviewSummary {
        let mut s = ReviewSummary::default();
        for r in reviews {
            s.add(r);
        }
        s
    }
}

/// One aging bucket: incomplete records by days since discharge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgingBucket {
    /// Lowest days since discharge (inclusive).
    pub from_days: i64,
    /// Highest (inclusive); `None` for the last, open bucket.
    pub to_days: Option<i64>,
    /// Incomplete records in the bucket.
    pub records: u64,
    /// Their open deficiencies.
    pub deficiencies: u64,
}

/// A delinquent record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DelinquentRecord {
    /// Patient id.
    pub patient: Option<String>,
    /// Encounter id.
    pub encounter: Option<String>,
    /// Discharge date.
    pub discharged: Date,
    /// Days since discharge on the report date.
    pub days_since_discharge: i64,
    /// Open deficiencies.
    pub open_deficiencies: u64,
    /// Discharging unit.
    pub unit: Option<String>,
}

/// Delinquency on a report date, as the Joint Commission measures it (RC.01.04.01):
/// delinquency rate = delinquent records ÷ average monthly discharges × 100.
///
/// A record is *incomplete* when it has open deficiencies (severity warning or error) and
/// *delinquent* when it is still incomplete more than
/// [`DelinquencyConfig::after_days`] days after discharge (default 30, 42 CFR
/// 482.24(c)(4)(viii)). The average monthly discharges are the discharges of the
/// [`DelinquencyConfig::average_over_months`] months before the report date (the window
/// `(as_of − months, as_of]`) divided by that number of months.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DelinquencyReport {
    /// Report date.
    pub as_of: Date,
    /// Days after discharge when an incomplete record becomes delinquent.
    pub after_days: i64,
    /// Months of the averaging window.
    pub months: i32,
    /// Discharges in the window.
    pub discharges_in_window: u64,
    /// Average monthly discharges.
    pub average_monthly_discharges: f64,
    /// Discharged records reviewed (discharged on or before the report date).
    pub discharged_records: u64,
    /// Incomplete discharged records.
    pub incomplete_records: u64,
    /// Delinquent records.
    pub delinquent_records: u64,
    /// Delinquency rate (percent of average monthly discharges); `None` when there is no
    /// discharge in the window.
    pub rate_percent: Option<f64>,
    /// The historic Joint Commission threshold: a rate of 50 % or more is a finding [verify].
    pub threshold_percent: f64,
    /// Incomplete records by days since discharge.
    pub aging: Vec<AgingBucket>,
    /// The delinquent records, oldest discharge first.
    pub delinquent: Vec<DelinquentRecord>,
}

impl DelinquencyReport {
    /// Computes delinquency on `as_of` from encounter reviews.
    pub fn compute<'a>(
        reviews: impl IntoIterator<Item = &'a EncounterReview>,
        as_of: Date,
        config: &DelinquencyConfig,
    ) -> DelinquencyReport {
        let months = config.average_over_months.max(1);
        let window_start = as_of
            .checked_sub(jiff::Span::new().months(months))
            .unwrap_or(as_of);
        let mut aging: Vec<AgingBucket> = Vec::new();
        let mut lo = 0;
        for &hi in &config.aging_buckets {
            aging.push(AgingBucket {
                from_days: lo,
                to_days: Some(hi),
                records: 0,
                deficiencies: 0,
            });
            lo = hi + 1;
        }
        aging.push(AgingBucket {
            from_days: lo,
            to_days: None,
            records: 0,
            deficiencies: 0,
        });
        let mut r = DelinquencyReport {
            as_of,
            after_days: config.after_days,
            months,
            discharges_in_window: 0,
            average_monthly_discharges: 0.0,
            discharged_records: 0,
            incomplete_records: 0,
            delinquent_records: 0,
            rate_percent: None,
            threshold_percent: 50.0,
            aging,
            delinquent: Vec::new(),
        };
        for review in reviews {
            let Some(discharged) = review.discharged else {
                continue;
            };
            if discharged > as_of {
                continue;
            }
            r.discharged_records += 1;
            if discharged > window_start {
                r.discharges_in_window += 1;
            }
            let open = review
                .deficiencies
                .iter()
                .filter(|d| d.severity != Severity::Info)
                .count() as u64;
            if open == 0 {
                continue;
            }
            r.incomplete_records += 1;
            let days = (as_of - discharged).get_days() as i64;
            if let Some(b) = r
                .aging
                .iter_mut()
                .find(|b| days >= b.from_days && b.to_days.is_none_or(|t| days <= t))
            {
                b.records += 1;
                b.deficiencies += open;
            }
            if days > config.after_days {
                r.delinquent_records += 1;
                r.delinquent.push(DelinquentRecord {
                    patient: review.patient.clone(),
                    encounter: review.encounter.clone(),
                    discharged,
                    days_since_discharge: days,
                    open_deficiencies: open,
                    unit: review.unit.clone(),
                });
            }
        }
        r.delinquent.sort_by(|a, b| {
            (a.discharged, &a.patient, &a.encounter).cmp(&(b.discharged, &b.patient, &b.encounter))
        });
        r.average_monthly_discharges = r.discharges_in_window as f64 / months as f64;
        if r.discharges_in_window > 0 {
            r.rate_percent =
                Some(r.delinquent_records as f64 / r.average_monthly_discharges * 100.0);
        }
        r
    }
}
