//! Integration tests of `medrec demo`.

use assert_cmd::Command;

#[test]
fn demo_runs_every_stage_and_finds_the_injected_deficiencies() {
    let out = Command::cargo_bin("medrec")
        .unwrap()
        .args(["demo", "--patients", "40", "--seed", "11"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    for stage in ["Records", "Codes", "Review", "De-id", "Stats"] {
        assert!(text.contains(stage), "no {stage} line in:\n{text}");
    }
    assert!(text.contains(", 0 parse errors"), "{text}");
    // The review finds exactly what the generator injected.
    let review = text.lines().find(|l| l.starts_with("Review")).unwrap();
    // "Review    42 encounters reviewed, 4 incomplete, 5 deficiencies (ground truth injected 5)"
    let words: Vec<&str> = review.split_whitespace().collect();
    let at = words.iter().position(|w| *w == "deficiencies").unwrap();
    let found: u64 = words[at - 1].parse().unwrap();
    let injected: u64 = words.last().unwrap().trim_end_matches(')').parse().unwrap();
    assert_eq!(found, injected, "{review}");
}

#[test]
fn demo_is_deterministic_for_a_seed() {
    let run = || {
        let out = Command::cargo_bin("medrec")
            .unwrap()
            .args(["demo", "--patients", "20", "--seed", "3"])
            .output()
            .unwrap();
        assert!(out.status.success());
        // Drop the timing line.
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with("Done in"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(run(), run());
}
