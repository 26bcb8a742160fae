//! The import rules of DESIGN.md ("Architecture"), checked on the source:
//! a module imports only from its own layer or below, and no two modules
//! import each other (directly or around a circle). The rules live in
//! `LAYERS`, the one table of them; a module is the longest entry that its
//! path starts with. Every `crate::` and `super::` path in `src/` counts,
//! in `use` lines and in code alike (comments do not).

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module path prefix -> layer, bottom (1) to top (9). Mirror of DESIGN.md.
const LAYERS: &[(&str, u8)] = &[
    // 1: vocabulary and pure rules, importing nothing above them.
    ("config", 1),
    ("config_tests", 1),
    ("config_show", 1),
    ("config_values", 1),
    ("clock", 1),
    ("ids", 1),
    ("scopes", 1),
    ("uri", 1),
    ("tasks", 1),
    ("fsutil", 1),
    ("site", 1),
    ("i18n", 1),
    ("oauth1::signature", 1),
    ("oauth1::params", 1),
    ("oauth1::client", 1),
    ("oauth2::pkce", 1),
    ("push::apns_cert", 1),
    // 2: the store owns every stored type.
    ("store", 2),
    // 3: mechanisms below any protocol or page.
    ("auth", 3),
    ("keys", 3),
    ("outbound", 3),
    // 4: the handles.
    ("app", 4),
    ("metrics", 4),
    // 5: protocol-neutral operations.
    ("registry", 5),
    ("accounts", 5),
    ("social", 5),
    ("connections", 5),
    // 6: the protocols' flows.
    ("oauth1", 6),
    ("oauth2", 6),
    ("push", 6),
    ("connect", 6),
    // 7: request plumbing.
    ("http", 7),
    // 8: the faces: pages, the JSON API, the protocol endpoints.
    ("web", 8),
    ("api", 8),
    ("oauth1::endpoints", 8),
    ("oauth1::authorize", 8),
    ("oauth2::endpoints", 8),
    ("oauth2::authorize", 8),
    // 9: start-up and the command line.
    ("tls", 9),
    ("server", 9),
    ("manage", 9),
    ("ops", 9),
    ("cli", 9),
];

/// The table entry a module path belongs to: the longest prefix.
fn unit_of(path: &str) -> Option<(&'static str, u8)> {
    LAYERS
        .iter()
        .filter(|(prefix, _)| path == *prefix || path.starts_with(&format!("{prefix}::")))
        .max_by_key(|(prefix, _)| prefix.len())
        .copied()
}

/// `src/oauth2/grants/mod.rs` -> `oauth2::grants`.
fn module_of(rel: &Path) -> String {
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let file = parts.pop().unwrap_or_default();
    let stem = file.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" && stem != "main" {
        parts.push(stem.to_string());
    }
    parts.join("::")
}

/// The module paths one file refers to (`crate::a::b`, `super::c`, and the
/// members of `crate::{a, b}` groups), resolved from `module`.
fn references(module: &str, source: &str) -> BTreeSet<String> {
    let code: String = source.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n");
    let mut out = BTreeSet::new();
    let ident = |s: &str| -> String { s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect() };
    // `super` is the parent module; inside an inline module (`mod tests {`)
    // it is the file's own module.
    let mut base: Vec<&str> = if module.is_empty() { vec![] } else { module.split("::").collect() };
    base.pop();
    let parent = base.join("::");
    let inline_start = code
        .match_indices("mod ")
        .find(|(i, _)| {
            let line_start = code[..*i].rfind('\n').map_or(0, |n| n + 1);
            let line = code[line_start..].lines().next().unwrap_or("");
            line.trim_end().ends_with('{') && !line.contains("fn ")
        })
        .map_or(code.len(), |(i, _)| i);
    for anchor in ["crate::", "super::"] {
        let mut rest = code.as_str();
        while let Some(i) = rest.find(anchor) {
            let at = code.len() - rest.len() + i;
            let root = match anchor {
                "crate::" => String::new(),
                _ if at >= inline_start => module.to_string(),
                _ => parent.clone(),
            };
            let before = rest[..i].chars().last();
            rest = &rest[i + anchor.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let mut names = vec![];
            if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for item in group[..end].split(',') {
                    let item = item.trim();
                    let path: String =
                        item.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
                    if !path.is_empty() {
                        names.push(path);
                    }
                }
            } else {
                let first = ident(rest);
                let mut path = first.clone();
                let mut more = &rest[first.len()..];
                while let Some(m) = more.strip_prefix("::") {
                    let next = ident(m);
                    if next.is_empty() {
                        break;
                    }
                    path = format!("{path}::{next}");
                    more = &m[next.len()..];
                }
                names.push(path);
            }
            for n in names {
                let full = if root.is_empty() { n } else { format!("{root}::{n}") };
                out.insert(full.trim_end_matches("::").to_string());
            }
        }
    }
    out
}

#[derive(Debug, Default)]
struct Report {
    upward: Vec<String>,
    cycles: Vec<String>,
    unplaced: Vec<String>,
}

/// Checks `files` (module path, source).
fn check(files: &[(String, String)]) -> Report {
    let mut report = Report::default();
    let mut edges: BTreeMap<&'static str, BTreeSet<&'static str>> = BTreeMap::new();
    for (module, source) in files {
        if module.is_empty() || module == "main" {
            continue; // lib.rs declares the modules; main.rs is the binary.
        }
        let Some((unit, layer)) = unit_of(module) else {
            report.unplaced.push(module.clone());
            continue;
        };
        for r in references(module, source) {
            let Some((to_unit, to_layer)) = unit_of(&r) else { continue };
            if to_unit == unit {
                continue;
            }
            if to_layer > layer {
                report.upward.push(format!("{module} (layer {layer}) imports {r} (layer {to_layer})"));
            }
            edges.entry(unit).or_default().insert(to_unit);
        }
    }
    // A circle: a unit that reaches itself.
    for &start in edges.keys() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<Vec<&str>> = vec![vec![start]];
        while let Some(path) = stack.pop() {
            let last = *path.last().unwrap();
            for &next in edges.get(last).into_iter().flatten() {
                if next == start {
                    let mut circle = path.clone();
                    circle.push(start);
                    let text = circle.join(" -> ");
                    if !report.cycles.iter().any(|c| same_circle(c, &text)) {
                        report.cycles.push(text);
                    }
                } else if seen.insert(next) {
                    let mut longer = path.clone();
                    longer.push(next);
                    stack.push(longer);
                }
            }
        }
    }
    report
}

/// Whether two circle texts name the same set of units.
fn same_circle(a: &str, b: &str) -> bool {
    fn set(s: &str) -> BTreeSet<&str> {
        s.split(" -> ").collect()
    }
    set(a) == set(b)
}

fn sources(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path.strip_prefix(root).unwrap();
            out.push((module_of(rel), std::fs::read_to_string(&path).unwrap()));
        }
    }
}

#[test]
fn imports_go_down_the_layers_and_never_in_a_circle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![];
    sources(&root, &root, &mut files);
    assert!(files.len() > 50, "read the whole source tree");
    let report = check(&files);
    assert!(report.unplaced.is_empty(), "modules with no layer in LAYERS: {:#?}", report.unplaced);
    assert!(report.upward.is_empty(), "imports that go up a layer:\n{}", report.upward.join("\n"));
    assert!(report.cycles.is_empty(), "modules that import each other:\n{}", report.cycles.join("\n"));
}

#[test]
fn the_checker_catches_an_upward_import_and_a_circle() {
    let f = |m: &str, src: &str| (m.to_string(), src.to_string());
    let report = check(&[
        f("store::users", "use crate::web::Visitor;\nfn x() { crate::clock::now(); }"),
        f("registry::grants", "use crate::{accounts::members, store};"),
        f("accounts::members", "fn y() { crate::registry::grants::list(); }"),
        f("oauth2::tokens", "// crate::web::ignored in a comment\nuse super::error::ErrorResponse;"),
    ]);
    assert_eq!(report.upward, ["store::users (layer 2) imports web::Visitor (layer 8)"]);
    assert_eq!(report.cycles.len(), 1, "{:?}", report.cycles);
    assert!(report.cycles[0].contains("registry") && report.cycles[0].contains("accounts"));
}

#[test]
fn modules_resolve_to_the_longest_entry() {
    assert_eq!(unit_of("oauth1::signature::percent_encode"), Some(("oauth1::signature", 1)));
    assert_eq!(unit_of("oauth1::flow"), Some(("oauth1", 6)));
    assert_eq!(unit_of("oauth2::endpoints"), Some(("oauth2::endpoints", 8)));
    assert_eq!(unit_of("storey"), None);
    assert_eq!(module_of(Path::new("oauth2/grants/mod.rs")), "oauth2::grants");
    let refs = references("oauth2::grants::password", "use super::{allowed_scopes, server_error};");
    assert!(refs.contains("oauth2::grants::allowed_scopes"), "{refs:?}");
    let refs = references("oauth2::grants", "use super::error::X;\nmod tests {\n    use super::Y;\n}");
    assert!(refs.contains("oauth2::error::X"), "{refs:?}");
    assert!(refs.contains("oauth2::grants::Y"), "inside `mod tests` super is the file: {refs:?}");
}
