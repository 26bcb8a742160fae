//! Charts drawn on the server as inline SVG: no script, no inline style
//! (colours come from the stylesheet through classes `s0`, `s1`, ...), a
//! `viewBox` so they shrink to a phone's width, and a text alternative
//! (`<title>`, `<desc>`, and a table of the figures by day for the page to
//! put beside it). Pure: numbers in, markup out.

use crate::clock::Timestamp;
use crate::i18n::Tr;
use std::fmt::Write;

/// The drawing's own coordinates; the page scales it (see `.chart` in the
/// stylesheet).
const W: f64 = 480.0;
const H: f64 = 200.0;
/// Room for the value labels on the left and the dates below.
const LEFT: f64 = 52.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 26.0;

/// How a chart draws its series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Stacked bars, one per bucket (counts per hour).
    Bars,
    /// A line through each bucket's value (a daily gauge).
    Line,
}

/// One series: its name (in the legend and the table) and one value per
/// bucket.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub values: Vec<u64>,
}

/// A chart: `n` buckets of `step` seconds from `start`.
#[derive(Debug, Clone)]
pub struct Chart {
    /// The id prefix of its elements (unique on the page).
    pub id: String,
    pub title: String,
    pub kind: Kind,
    pub start: Timestamp,
    pub step: i64,
    pub series: Vec<Series>,
}

/// One row of a chart's table: a day and each series' figure for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub day: String,
    pub figures: Vec<String>,
}

/// What the page shows around the drawing.
#[derive(Debug, Clone)]
pub struct Drawn {
    pub id: String,
    pub title: String,
    /// The SVG element, escaped and ready to include unescaped.
    pub svg: String,
    /// One sentence: totals, or the last value, and the peak.
    pub summary: String,
    pub legend: Vec<(String, String)>,
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

/// `&`, `<`, `>`, `"` and `'` written as entities.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The top of the scale: the smallest 1, 2 or 5 times a power of ten at
/// or above `max` (at least 1, so an empty chart still has an axis).
pub fn nice_max(max: u64) -> u64 {
    let mut unit: u64 = 1;
    loop {
        for m in [1, 2, 5] {
            match unit.checked_mul(m) {
                Some(top) if top >= max => return top,
                None => return u64::MAX,
                _ => {}
            }
        }
        match unit.checked_mul(10) {
            Some(u) => unit = u,
            None => return u64::MAX,
        }
    }
}

/// A number in few characters: 950, 1.2k, 34M, ...
pub fn compact(n: u64) -> String {
    const UNITS: [(u64, &str); 6] = [
        (1_000_000_000_000_000_000, "E"),
        (1_000_000_000_000_000, "P"),
        (1_000_000_000_000, "T"),
        (1_000_000_000, "G"),
        (1_000_000, "M"),
        (1_000, "k"),
    ];
    for (size, unit) in UNITS {
        if n >= size {
            let v = n as f64 / size as f64;
            return if v < 10.0 {
                format!("{:.1}{unit}", (v * 10.0).floor() / 10.0)
            } else {
                format!("{}{unit}", v as u64)
            };
        }
    }
    n.to_string()
}

/// An axis date: "Dec 1" / "1 dec".
fn day_label(t: &Tr, ts: Timestamp) -> String {
    let Ok(d) = time::OffsetDateTime::from_unix_timestamp(ts) else { return ts.to_string() };
    let month = t.t(&format!("month-short-{}", u8::from(d.month())));
    t.t2("chart-axis-day", "day", d.day().to_string(), "month", month)
}

impl Chart {
    fn buckets(&self) -> usize {
        self.series.iter().map(|s| s.values.len()).max().unwrap_or(0)
    }

    /// The value of bucket `i` (the stack's height for bars).
    fn height(&self, i: usize) -> u64 {
        match self.kind {
            Kind::Bars => self.series.iter().fold(0u64, |a, s| a.saturating_add(s.values.get(i).copied().unwrap_or(0))),
            Kind::Line => self.series.iter().filter_map(|s| s.values.get(i).copied()).max().unwrap_or(0),
        }
    }

    fn time_of(&self, i: usize) -> Timestamp {
        self.start.saturating_add(self.step.saturating_mul(i as i64))
    }

    /// The drawing and its text alternative, in English.
    pub fn draw(&self) -> Drawn {
        match crate::i18n::Catalogue::load() {
            Ok(c) => self.draw_in(&Tr::new(std::sync::Arc::new(c), crate::i18n::Lang::En)),
            Err(e) => {
                tracing::warn!(error = %e, "the catalogue does not load");
                Drawn {
                    id: self.id.clone(),
                    title: self.title.clone(),
                    svg: String::new(),
                    summary: String::new(),
                    legend: vec![],
                    headers: vec![],
                    rows: vec![],
                }
            }
        }
    }

    /// The drawing and its text alternative in `t`'s language (the title
    /// and series names are taken as they are).
    pub fn draw_in(&self, t: &Tr) -> Drawn {
        let n = self.buckets();
        let max = (0..n).map(|i| self.height(i)).max().unwrap_or(0);
        let top = nice_max(max);
        let summary = self.summary(t, n, max);
        let id = escape(&self.id);
        let mut svg = String::new();
        let _ = write!(
            svg,
            "<svg class=\"chart-svg\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" focusable=\"false\">\
             <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
            escape(&self.title),
            escape(&summary)
        );
        let (pw, ph) = (W - LEFT - RIGHT, H - TOP - BOTTOM);
        let y = |v: u64| TOP + ph - (v as f64 / top as f64) * ph;
        // Grid lines and value labels at 0, half and the top.
        // (Half of 1 or 5 is no whole number: those scales get no middle line.)
        let marks: &[u64] = if top.is_multiple_of(2) { &[0, top / 2, top] } else { &[0, top] };
        for &v in marks {
            let yy = y(v);
            let _ = write!(
                svg,
                "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\"/><text class=\"axis\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
                W - RIGHT,
                LEFT - 4.0,
                yy + 4.0,
                escape(&compact(v))
            );
        }
        if n > 0 {
            let slot = pw / n as f64;
            // A date under the first bucket of each day, as many as fit.
            let every = ((n as f64 * self.step as f64 / 86_400.0) / 7.0).ceil().max(1.0) as i64 * 86_400;
            let mut shown = 0;
            let tr = t;
            for i in 0..n {
                let t = self.time_of(i);
                if t.rem_euclid(every) < self.step || (i == 0 && n == 1) {
                    // Every other date is hidden on a phone (the stylesheet's `.alt`).
                    let alt = if shown % 2 == 1 { " alt" } else { "" };
                    shown += 1;
                    let x = LEFT + slot * i as f64;
                    // A date near the right edge ends at it instead of running past.
                    let (label_x, anchor) = if x > W - 48.0 { (W - RIGHT, "end") } else { (x, "middle") };
                    let _ = write!(
                        svg,
                        "<line class=\"tick\" x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{:.1}\" y2=\"{:.1}\"/><text class=\"axis{alt}\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\">{}</text>",
                        TOP + ph,
                        TOP + ph + 4.0,
                        label_x,
                        H - 8.0,
                        escape(&day_label(tr, t))
                    );
                }
            }
            match self.kind {
                Kind::Bars => self.bars(&mut svg, n, slot, &y),
                Kind::Line => self.line(&mut svg, n, slot, &y),
            }
        }
        if max == 0 {
            let _ = write!(
                svg,
                "<text class=\"empty\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                LEFT + pw / 2.0,
                TOP + ph / 2.0,
                escape(&t.t("chart-empty"))
            );
        }
        svg.push_str("</svg>");
        Drawn {
            id: self.id.clone(),
            title: self.title.clone(),
            svg,
            summary,
            legend: self.series.iter().enumerate().map(|(i, s)| (format!("s{}", i % 4), s.name.clone())).collect(),
            headers: self.series.iter().map(|s| s.name.clone()).collect(),
            rows: self.rows(t, n),
        }
    }

    fn bars(&self, svg: &mut String, n: usize, slot: f64, y: &impl Fn(u64) -> f64) {
        let width = (slot * 0.8).max(0.5);
        for i in 0..n {
            let x = LEFT + slot * i as f64 + (slot - width) / 2.0;
            let mut below = 0u64;
            for (k, s) in self.series.iter().enumerate() {
                let v = s.values.get(i).copied().unwrap_or(0);
                if v == 0 {
                    continue;
                }
                let (y0, y1) = (y(below), y(below.saturating_add(v)));
                below = below.saturating_add(v);
                let _ = write!(
                    svg,
                    "<rect class=\"s{}\" x=\"{x:.2}\" y=\"{y1:.2}\" width=\"{width:.2}\" height=\"{:.2}\"/>",
                    k % 4,
                    (y0 - y1).max(0.5)
                );
            }
        }
    }

    fn line(&self, svg: &mut String, n: usize, slot: f64, y: &impl Fn(u64) -> f64) {
        for (k, s) in self.series.iter().enumerate() {
            let points: Vec<String> = (0..n.min(s.values.len()))
                .map(|i| format!("{:.1},{:.1}", LEFT + slot * (i as f64 + 0.5), y(s.values[i])))
                .collect();
            if points.len() == 1 {
                let (cx, cy) = points[0].split_once(',').unwrap_or(("0", "0"));
                let _ = write!(svg, "<circle class=\"s{}\" cx=\"{cx}\" cy=\"{cy}\" r=\"3\"/>", k % 4);
            } else if !points.is_empty() {
                let _ = write!(svg, "<polyline class=\"line s{}\" points=\"{}\"/>", k % 4, points.join(" "));
            }
        }
    }

    /// Totals (bars) or the latest value (line), and the peak with its time.
    fn summary(&self, t: &Tr, n: usize, max: u64) -> String {
        if max == 0 {
            return t.t1("chart-summary-empty", "title", self.title.as_str());
        }
        let peak = (0..n).max_by_key(|&i| (self.height(i), std::cmp::Reverse(i))).unwrap_or(0);
        let num = |v: u64| crate::i18n::group_digits(t.lang, i128::from(v));
        match self.kind {
            Kind::Bars => {
                let parts: Vec<String> = self
                    .series
                    .iter()
                    .map(|s| format!("{} {}", num(s.values.iter().fold(0u64, |a, v| a.saturating_add(*v))), s.name))
                    .collect();
                let at = t.when(self.time_of(peak));
                let title = self.title.as_str();
                t.with_pairs(
                    "chart-summary-bars",
                    &[("title", title), ("parts", &parts.join(", ")), ("at", &at), ("max", &num(max))],
                )
            }
            Kind::Line => {
                let last = (0..n).rev().map(|i| self.height(i)).next().unwrap_or(0);
                let day = t.day(self.time_of(peak));
                let title = self.title.as_str();
                t.with_pairs(
                    "chart-summary-line",
                    &[("title", title), ("last", &num(last)), ("max", &num(max)), ("day", &day)],
                )
            }
        }
    }

    /// One row per day: sums of the day's buckets (bars) or the day's last
    /// value (line).
    fn rows(&self, t: &Tr, n: usize) -> Vec<Row> {
        let mut rows: Vec<(Timestamp, Vec<u64>)> = vec![];
        for i in 0..n {
            let day = self.time_of(i).div_euclid(86_400) * 86_400;
            if rows.last().is_none_or(|(d, _)| *d != day) {
                rows.push((day, vec![0; self.series.len()]));
            }
            if let Some((_, figures)) = rows.last_mut() {
                for (k, s) in self.series.iter().enumerate() {
                    let v = s.values.get(i).copied().unwrap_or(0);
                    figures[k] = match self.kind {
                        Kind::Bars => figures[k].saturating_add(v),
                        Kind::Line => v,
                    };
                }
            }
        }
        rows.into_iter()
            .map(|(day, figures)| Row {
                day: t.day(day),
                figures: figures.iter().map(|f| crate::i18n::group_digits(t.lang, i128::from(*f))).collect(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY0: Timestamp = 1_764_547_200; // 2025-12-01 00:00 UTC

    fn chart(kind: Kind, series: Vec<(&str, Vec<u64>)>) -> Chart {
        Chart {
            id: "c".into(),
            title: "Tokens".into(),
            kind,
            start: DAY0,
            step: if kind == Kind::Bars { 3600 } else { 86_400 },
            series: series.into_iter().map(|(n, v)| Series { name: n.into(), values: v }).collect(),
        }
    }

    #[test]
    fn scales_end_on_round_numbers() {
        assert_eq!(nice_max(0), 1);
        assert_eq!(nice_max(1), 1);
        assert_eq!(nice_max(3), 5);
        assert_eq!(nice_max(7), 10);
        assert_eq!(nice_max(11), 20);
        assert_eq!(nice_max(1_000_001), 2_000_000);
        assert_eq!(nice_max(u64::MAX), u64::MAX);
        assert_eq!(compact(950), "950");
        assert_eq!(compact(1_250), "1.2k");
        assert_eq!(compact(34_000_000), "34M");
        assert_eq!(compact(u64::MAX), "18E");
        assert_eq!(compact(9_999), "9.9k");
    }

    #[test]
    fn an_empty_chart_says_so_and_draws_only_its_axis() {
        let d = chart(Kind::Bars, vec![("OAuth 2.0", vec![0; 168]), ("OAuth 1.0a", vec![])]).draw();
        assert!(d.svg.contains("Nothing counted yet"));
        assert!(!d.svg.contains("<rect"));
        assert_eq!(d.summary, "Tokens: nothing counted yet.");
        assert_eq!(d.rows.len(), 7);
        let none = chart(Kind::Line, vec![("Grants", vec![])]).draw();
        assert!(none.svg.starts_with("<svg") && none.svg.ends_with("</svg>") && none.rows.is_empty());
    }

    #[test]
    fn bars_stack_and_the_summary_gives_totals_and_the_peak() {
        let mut a = vec![0; 48];
        let mut b = vec![0; 48];
        a[3] = 6;
        b[3] = 4;
        a[30] = 2;
        let d = chart(Kind::Bars, vec![("OAuth 2.0", a), ("OAuth 1.0a", b)]).draw();
        assert_eq!(d.svg.matches("<rect").count(), 3);
        assert!(d.svg.contains("class=\"s1\""));
        let c = std::sync::Arc::new(crate::i18n::Catalogue::load().unwrap());
        let nl = chart(Kind::Bars, vec![("OAuth 2.0", vec![1_234, 0]), ("OAuth 1.0a", vec![0, 1])])
            .draw_in(&Tr::new(c, crate::i18n::Lang::Nl));
        assert_eq!(
            nl.summary,
            "Tokens: 1.234 OAuth 2.0, 1 OAuth 1.0a in totaal; het drukste uur, vanaf 1 december 2025 00:00 UTC, had er 1.234."
        );
        assert!(nl.svg.contains(">1 dec</text>"), "{}", nl.svg);
        assert_eq!(nl.rows[0].figures, ["1.234", "1"]);
        assert_eq!(
            d.summary,
            "Tokens: 8 OAuth 2.0, 4 OAuth 1.0a in all; the busiest hour, from 1 December 2025, 03:00 UTC, had 10."
        );
        assert_eq!(
            d.rows,
            [
                Row { day: "1 December 2025".into(), figures: vec!["6".into(), "4".into()] },
                Row { day: "2 December 2025".into(), figures: vec!["2".into(), "0".into()] },
            ]
        );
        // The scale's top is 10: the tallest stack reaches the top line.
        assert!(d.svg.contains(">10</text>") && d.svg.contains(">5</text>"));
        // The second date is the phone's to hide.
        assert!(d.svg.contains("class=\"axis\" x=\"52.0\"") && d.svg.contains("class=\"axis alt\""), "{}", d.svg);
        // A scale of 5 has no middle line (2.5 is no count).
        let small = chart(Kind::Bars, vec![("a", vec![4])]).draw();
        assert_eq!(small.svg.matches("class=\"grid\"").count(), 2);
        assert!(d.svg.contains(">Dec 1</text>") && d.svg.contains(">Dec 2</text>"));
    }

    #[test]
    fn one_point_and_huge_values_stay_inside_the_drawing() {
        let d = chart(Kind::Line, vec![("Grants", vec![u64::MAX])]).draw();
        assert!(d.svg.contains("<circle"), "{}", d.svg);
        assert!(d.summary.contains("18,446,744,073,709,551,615"), "{}", d.summary);
        let d = chart(Kind::Bars, vec![("a", vec![u64::MAX, 1]), ("b", vec![u64::MAX, 0])]).draw();
        let drawing = d.svg.split("</desc>").nth(1).unwrap();
        for n in drawing.split('"').flat_map(|w| w.split([' ', ','])).filter_map(|w| w.parse::<f64>().ok()) {
            assert!(n.is_finite() && (-1.0..=W + 1.0).contains(&n), "{n} in {}", d.svg);
        }
        let line = chart(Kind::Line, vec![("Grants", vec![1, 5, 3])]).draw();
        assert!(line.svg.contains("<polyline"));
        assert_eq!(line.summary, "Tokens: 3 now; the most was 5, on 2 December 2025.");
    }

    #[test]
    fn labels_are_escaped() {
        let mut c = chart(Kind::Bars, vec![("<b>\"x\" & 'y'</b>", vec![1])]);
        c.title = "<script>alert(1)</script>".into();
        c.id = "a\"b".into();
        let d = c.draw();
        assert!(!d.svg.contains("<script>") && !d.svg.contains("<b>"));
        assert!(d.svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(d.svg.contains("aria-labelledby=\"a&quot;b-t a&quot;b-d\""));
        assert!(d.summary.contains("<b>"), "the summary is plain text; the template escapes it");
    }
}
