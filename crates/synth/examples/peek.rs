//! Prints a summary of a small population (development aid).
fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(400);
    let pop = medrec_synth::Population::new(medrec_synth::PopulationConfig {
        patients: n,
        ..medrec_synth::PopulationConfig::demo()
    })
    .unwrap();
    let t0 = std::time::Instant::now();
    let truth = pop.truth();
    eprintln!("generated in {:?}", t0.elapsed());
    println!("{}", serde_json::to_string_pretty(&truth.counts).unwrap());
    println!(
        "patients {} encounters {} notes {} spans {} deficiencies {}",
        truth.patients, truth.encounters, truth.notes, truth.phi_spans, truth.deficiencies
    );
    truth.check_census_balance().unwrap();
    let h = pop.household(3);
    for p in &h.patients {
        for e in &p.encounters {
            println!(
                "{} {:?} {} {} {:?} {:?}",
                e.id,
                e.class,
                pop.datetime(e.start),
                pop.datetime(e.end),
                e.diagnoses.iter().map(|d| d.code).collect::<Vec<_>>(),
                e.deficiencies
            );
            if let Some(n) = e.notes.first() {
                println!("{}", n.text);
                for s in &n.phi {
                    println!("  {:?} {:?}", s.kind, s.text(&n.text));
                }
            }
        }
    }
}
