//! The formulas of basic healthcare statistics, one function each, with definition and source.
//!
//! Sources: AHIMA's basic healthcare statistics as taught in HIM programs — L. A. Horton,
//! *Calculating and Reporting Healthcare Statistics* (AHIMA Press), chapters on census,
//! occupancy, length of stay, mortality, autopsy and morbidity rates; and the AHIMA
//! *Glossary of Healthcare Terms and Basic Computational Formulas*. The readmission measure
//! follows CMS's Hospital-Wide All-Cause Unplanned Readmission measure in its exclusions
//! (see [`readmission_rate`]). `shared/reference/him-domain.md` §4 summarises them.
//!
//! Every rate returns `None` when its denominator is zero (reported as JSON `null`). Rates are
//! percentages (× 100) unless said otherwise.

/// `numerator × 100 ÷ denominator`, or `None` for a zero (or negative) denominator.
pub fn percent(numerator: f64, denominator: f64) -> Option<f64> {
    (denominator > 0.0).then(|| numerator * 100.0 / denominator)
}

fn ratio(numerator: f64, denominator: f64) -> Option<f64> {
    (denominator > 0.0).then(|| numerator / denominator)
}

/// **Average daily census** = inpatient service days ÷ days in the period (a count of patients,
/// not a percentage). AHIMA: "average daily inpatient census".
pub fn average_daily_census(inpatient_service_days: u64, days: u32) -> Option<f64> {
    ratio(inpatient_service_days as f64, f64::from(days))
}

/// **Average length of stay** = total length of stay of the discharges ÷ discharges (deaths
/// included). LOS of one stay = discharge date − admission date, a same-day stay counting 1.
/// AHIMA: "average length of stay" (from discharge days).
pub fn average_length_of_stay(total_los_days: u64, discharges: u64) -> Option<f64> {
    ratio(total_los_days as f64, discharges as f64)
}

/// **Bed occupancy rate** = inpatient service days × 100 ÷ bed-count days, where bed-count days
/// = Σ over the days of the beds available that day (so a bed-count change mid-period counts
/// each count for its own days). AHIMA: "inpatient bed occupancy rate (percentage of occupancy)".
/// Newborns use bassinets and bassinet-count days. Can exceed 100 when patients are in
/// temporary beds, so it is not clamped.
pub fn bed_occupancy_rate(inpatient_service_days: u64, bed_count_days: u64) -> Option<f64> {
    percent(inpatient_service_days as f64, bed_count_days as f64)
}

/// **Bed turnover rate, direct formula** = discharges (deaths included) ÷ average bed count,
/// average bed count = bed-count days ÷ days. AHIMA: "bed turnover rate". A count, not a percentage.
pub fn bed_turnover_direct(discharges: u64, bed_count_days: u64, days: u32) -> Option<f64> {
    let average_beds = ratio(bed_count_days as f64, f64::from(days))?;
    ratio(discharges as f64, average_beds)
}

/// **Bed turnover rate, indirect formula** = occupancy rate (as a decimal) × days ÷ average
/// length of stay. AHIMA: "bed turnover rate, indirect". Equals the direct formula when the
/// discharges' LOS days equal the service days of the period.
pub fn bed_turnover_indirect(
    occupancy_percent: Option<f64>,
    days: u32,
    alos: Option<f64>,
) -> Option<f64> {
    let occ = occupancy_percent? / 100.0;
    ratio(occ * f64::from(days), alos?)
}

/// **Gross death rate** = inpatient deaths × 100 ÷ discharges (deaths included). AHIMA: "gross
/// death rate (hospital death rate)". Dead on arrival, emergency-department and fetal deaths
/// are not inpatient deaths.
pub fn gross_death_rate(deaths: u64, discharges: u64) -> Option<f64> {
    percent(deaths as f64, discharges as f64)
}

/// **Net death rate** = (inpatient deaths − deaths under 48 hours after admission) × 100 ÷
/// (discharges − deaths under 48 hours). AHIMA: "net death rate (institutional death rate)".
pub fn net_death_rate(deaths: u64, deaths_under_48h: u64, discharges: u64) -> Option<f64> {
    percent(
        deaths.saturating_sub(deaths_under_48h) as f64,
        discharges.saturating_sub(deaths_under_48h) as f64,
    )
}

/// **Newborn death rate** = newborn deaths × 100 ÷ newborn discharges (deaths included).
/// AHIMA: "newborn mortality rate"; stillbirths are not newborn deaths.
pub fn newborn_death_rate(newborn_deaths: u64, newborn_discharges: u64) -> Option<f64> {
    percent(newborn_deaths as f64, newborn_discharges as f64)
}

/// **Fetal death rate** = fetal deaths × 100 ÷ (live births + fetal deaths). AHIMA: "fetal death
/// rate (stillbirth rate)", intermediate and late fetal deaths (≥ 20 weeks' gestation). medrec
/// reads fetal deaths from the mother's `Z37` stillbirth codes, which carry no gestational age:
/// all are counted (an approximation when early fetal deaths are coded).
pub fn fetal_death_rate(fetal_deaths: u64, live_births: u64) -> Option<f64> {
    percent(fetal_deaths as f64, (live_births + fetal_deaths) as f64)
}

/// **Maternal death rate** = direct maternal deaths × 100 ÷ obstetric discharges. AHIMA:
/// "maternal death rate (hospital-based)"; a direct maternal death results from obstetric
/// complications of pregnancy, labour or the puerperium.
pub fn maternal_death_rate(direct_maternal_deaths: u64, obstetric_discharges: u64) -> Option<f64> {
    percent(direct_maternal_deaths as f64, obstetric_discharges as f64)
}

/// **Gross autopsy rate** = inpatient autopsies × 100 ÷ inpatient deaths. AHIMA: "gross
/// autopsy rate".
pub fn gross_autopsy_rate(autopsies: u64, deaths: u64) -> Option<f64> {
    percent(autopsies as f64, deaths as f64)
}

/// **Net autopsy rate** = inpatient autopsies × 100 ÷ (inpatient deaths − unautopsied
/// medical-examiner cases). AHIMA: "net autopsy rate".
pub fn net_autopsy_rate(
    autopsies: u64,
    deaths: u64,
    medical_examiner_not_autopsied: u64,
) -> Option<f64> {
    percent(
        autopsies as f64,
        deaths.saturating_sub(medical_examiner_not_autopsied) as f64,
    )
}

/// **Hospital autopsy rate (adjusted)** = autopsies performed × 100 ÷ deaths of hospital
/// patients whose bodies were available for hospital autopsy. AHIMA: "hospital autopsy rate".
/// medrec counts inpatient deaths only (the full definition also counts former patients —
/// outpatients, home-care patients — autopsied by the hospital pathologist; such cases are not
/// in a stay feed).
pub fn hospital_autopsy_rate(autopsies: u64, deaths_body_available: u64) -> Option<f64> {
    percent(autopsies as f64, deaths_body_available as f64)
}

/// **Cesarean section rate** = cesarean sections × 100 ÷ deliveries. AHIMA: "cesarean
/// section rate".
pub fn cesarean_rate(cesareans: u64, deliveries: u64) -> Option<f64> {
    percent(cesareans as f64, deliveries as f64)
}

/// **Hospital-acquired (nosocomial) infection rate** = hospital-acquired infections × 100 ÷
/// discharges. AHIMA: "hospital infection rate".
pub fn infection_rate(infections: u64, discharges: u64) -> Option<f64> {
    percent(infections as f64, discharges as f64)
}

/// **Consultation rate** = patients who received a consultation × 100 ÷ discharges. AHIMA:
/// "consultation rate".
pub fn consultation_rate(patients_with_consultation: u64, discharges: u64) -> Option<f64> {
    percent(patients_with_consultation as f64, discharges as f64)
}

/// **30-day readmission rate** = index discharges followed by an inpatient admission within 30
/// days × 100 ÷ index discharges. Index discharges exclude stays ending in death, transfer to
/// another acute-care hospital, or discharge against medical advice (CMS Hospital-Wide
/// All-Cause Unplanned Readmission measure). medrec cannot tell planned readmissions apart
/// (CMS's planned-readmission algorithm needs its procedure/diagnosis tables), so this is the
/// all-cause rate; and the follow-up window must be covered by the data fed.
pub fn readmission_rate(readmissions: u64, index_discharges: u64) -> Option<f64> {
    percent(readmissions as f64, index_discharges as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_denominators_are_none() {
        assert_eq!(gross_death_rate(0, 0), None);
        assert_eq!(net_death_rate(2, 2, 2), None);
        assert_eq!(bed_turnover_direct(5, 0, 30), None);
        assert_eq!(bed_turnover_indirect(Some(80.0), 30, None), None);
        assert_eq!(average_daily_census(10, 0), None);
    }

    #[test]
    fn textbook_values() {
        // 6 deaths among 300 discharges, 2 of them within 48 h:
        // gross 6 × 100 / 300 = 2 %; net (6 − 2) × 100 / (300 − 2) = 400 / 298.
        assert_eq!(gross_death_rate(6, 300), Some(2.0));
        assert_eq!(net_death_rate(6, 2, 300), Some(400.0 / 298.0));
        // Fetal: 2 stillbirths, 98 live births → 2 × 100 / 100 = 2 %.
        assert_eq!(fetal_death_rate(2, 98), Some(2.0));
        // Turnover: 300 discharges, 3000 bed days over 30 days → 100 beds → 3.0.
        assert_eq!(bed_turnover_direct(300, 3000, 30), Some(3.0));
        // Indirect: 80 % × 30 / 8 days = 3.0.
        assert_eq!(bed_turnover_indirect(Some(80.0), 30, Some(8.0)), Some(3.0));
    }
}
