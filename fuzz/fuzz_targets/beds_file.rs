//! Fuzz the beds-file parser of medrec-stats: never panics; a parsed schedule answers bed-day
//! queries consistently (the sum over a range equals the sum of its days).
#![no_main]

use libfuzzer_sys::fuzz_target;
use medrec::stats::BedSchedule;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(schedule) = BedSchedule::parse_csv(&text) {
        let units: Vec<(String, String)> = schedule
            .units()
            .map(|(f, u)| (f.to_string(), u.to_string()))
            .collect();
        for (f, u) in units.iter().take(8) {
            let first = 19_700; // 2023-12-08
            let range = schedule.bed_days(f, u, first, first + 9);
            let mut sum = medrec::stats::BedDays::default();
            for d in first..=first + 9 {
                let b = schedule.bed_days(f, u, d, d);
                sum.beds += b.beds;
                sum.bassinets += b.bassinets;
            }
            assert_eq!(range, sum);
        }
    }
});
