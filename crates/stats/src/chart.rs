//! An SVG line chart of the daily census and bed occupancy (people read the census as a line).
//!
//! Self-contained SVG 1.1 (no scripts, no external fonts or styles), a few kilobytes: the
//! facility-wide midnight census and inpatient service days on the left axis, occupancy (%) on
//! the right axis when bed counts are known.

use crate::report::DailyRow;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One day of the chart: census, service days and occupancy summed over units.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartPoint {
    /// The day (`YYYY-MM-DD`).
    pub date: String,
    /// Midnight census.
    pub census: i64,
    /// Inpatient service days.
    pub inpatient_service_days: u64,
    /// Occupancy (%) if beds are known.
    pub occupancy_rate: Option<f64>,
}

/// Sums daily unit rows into one point per day.
pub fn chart_points(rows: &[DailyRow]) -> Vec<ChartPoint> {
    let mut by_day: BTreeMap<String, (i64, u64, u64)> = BTreeMap::new();
    for r in rows {
        let e = by_day.entry(r.date.to_string()).or_default();
        e.0 += r.census;
        e.1 += r.inpatient_service_days;
        e.2 += r.beds;
    }
    by_day
        .into_iter()
        .map(|(date, (census, ipsd, beds))| ChartPoint {
            date,
            census,
            inpatient_service_days: ipsd,
            occupancy_rate: crate::rates::bed_occupancy_rate(ipsd, beds),
        })
        .collect()
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Renders the chart. `title` is escaped.
pub fn census_svg(title: &str, points: &[ChartPoint]) -> String {
    const W: f64 = 800.0;
    const H: f64 = 360.0;
    const L: f64 = 60.0;
    const R: f64 = 60.0;
    const T: f64 = 40.0;
    const B: f64 = 60.0;
    let pw = W - L - R;
    let ph = H - T - B;
    let n = points.len();
    let max_census = points
        .iter()
        .map(|p| p.inpatient_service_days.max(p.census.max(0) as u64))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    // A round top for the census axis.
    let step = nice_step(max_census / 5.0);
    let top = (max_census / step).ceil() * step;
    let max_occ = points
        .iter()
        .filter_map(|p| p.occupancy_rate)
        .fold(100.0f64, f64::max);
    let occ_top = (max_occ / 20.0).ceil() * 20.0;
    let x = |i: usize| {
        if n <= 1 {
            L + pw / 2.0
        } else {
            L + pw * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: f64| T + ph - ph * v / top;
    let yo = |v: f64| T + ph - ph * v / occ_top;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="11">"#
    );
    let _ = write!(s, r#"<title>{}</title>"#, esc(title));
    let _ = write!(s, r##"<rect width="{W}" height="{H}" fill="#ffffff"/>"##);
    let _ = write!(
        s,
        r#"<text x="{}" y="22" text-anchor="middle" font-size="14">{}</text>"#,
        W / 2.0,
        esc(title)
    );
    // Grid and left axis labels.
    let mut v = 0.0;
    while v <= top + 1e-9 {
        let yy = y(v);
        let _ = write!(
            s,
            r##"<line x1="{L}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="#dddddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            L + pw,
            L - 6.0,
            yy + 4.0,
            fmt_num(v)
        );
        v += step;
    }
    // Right axis (occupancy).
    let has_occ = points.iter().any(|p| p.occupancy_rate.is_some());
    if has_occ {
        let mut o = 0.0;
        while o <= occ_top + 1e-9 {
            let _ = write!(
                s,
                r##"<text x="{:.1}" y="{:.1}" fill="#b35900">{}%</text>"##,
                L + pw + 6.0,
                yo(o) + 4.0,
                fmt_num(o)
            );
            o += 20.0;
        }
    }
    // Axes.
    let _ = write!(
        s,
        r##"<line x1="{L}" y1="{T}" x2="{L}" y2="{:.1}" stroke="#333333"/><line x1="{L}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#333333"/>"##,
        T + ph,
        T + ph,
        L + pw,
        T + ph
    );
    // X labels: about 8 dates.
    if n > 0 {
        let every = n.div_ceil(8).max(1);
        for (i, p) in points.iter().enumerate() {
            if i % every == 0 || i + 1 == n {
                let _ = write!(
                    s,
                    r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                    x(i),
                    T + ph + 16.0,
                    esc(&p.date)
                );
            }
        }
    }
    let line =
        |vals: Vec<(usize, f64)>, color: &str, dash: &str, f: &dyn Fn(f64) -> f64| -> String {
            let pts: Vec<String> = vals
                .iter()
                .map(|(i, v)| format!("{:.1},{:.1}", x(*i), f(*v)))
                .collect();
            if pts.is_empty() {
                return String::new();
            }
            format!(
                r#"<polyline fill="none" stroke="{color}" stroke-width="2"{dash} points="{}"/>"#,
                pts.join(" ")
            )
        };
    s.push_str(&line(
        points
            .iter()
            .enumerate()
            .map(|(i, p)| (i, p.census as f64))
            .collect(),
        "#1f5fa8",
        "",
        &y,
    ));
    s.push_str(&line(
        points
            .iter()
            .enumerate()
            .map(|(i, p)| (i, p.inpatient_service_days as f64))
            .collect(),
        "#5aa02c",
        r#" stroke-dasharray="4 3""#,
        &y,
    ));
    if has_occ {
        s.push_str(&line(
            points
                .iter()
                .enumerate()
                .filter_map(|(i, p)| p.occupancy_rate.map(|o| (i, o)))
                .collect(),
            "#b35900",
            r#" stroke-dasharray="1 3""#,
            &yo,
        ));
    }
    // Legend.
    let ly = H - 18.0;
    let legend: &[(&str, &str)] = if has_occ {
        &[
            ("#1f5fa8", "midnight census"),
            ("#5aa02c", "inpatient service days"),
            ("#b35900", "occupancy % (right axis)"),
        ]
    } else {
        &[
            ("#1f5fa8", "midnight census"),
            ("#5aa02c", "inpatient service days"),
        ]
    };
    for (i, (color, label)) in legend.iter().enumerate() {
        let lx = L + i as f64 * 220.0;
        let _ = write!(
            s,
            r#"<line x1="{lx}" y1="{ly}" x2="{:.1}" y2="{ly}" stroke="{color}" stroke-width="3"/><text x="{:.1}" y="{:.1}">{label}</text>"#,
            lx + 24.0,
            lx + 30.0,
            ly + 4.0
        );
    }
    s.push_str("</svg>\n");
    s
}

fn nice_step(raw: f64) -> f64 {
    if raw <= 1.0 {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_is_well_formed_enough() {
        let pts = vec![
            ChartPoint {
                date: "2024-03-01".into(),
                census: 3,
                inpatient_service_days: 4,
                occupancy_rate: Some(40.0),
            },
            ChartPoint {
                date: "2024-03-02".into(),
                census: 5,
                inpatient_service_days: 5,
                occupancy_rate: Some(50.0),
            },
        ];
        let svg = census_svg("Census <March>", &pts);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("Census &lt;March&gt;"));
        assert_eq!(svg.matches("<polyline").count(), 3);
        // Empty input still renders a valid (empty) chart.
        let empty = census_svg("x", &[]);
        assert!(empty.contains("</svg>") && !empty.contains("<polyline"));
    }
}
