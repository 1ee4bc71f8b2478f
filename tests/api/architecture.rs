//! The layering rule of DESIGN.md, checked by reading the sources: only `http/`, `app.rs` and
//! `error/` import actix; only `db/` imports diesel.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn layers_import_only_what_they_may() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut violations = Vec::new();
    for f in files {
        let rel = f
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(&f).unwrap();
        let actix_ok = rel.starts_with("http/")
            || rel == "app.rs"
            || rel.starts_with("error/")
            || rel == "main.rs";
        let diesel_ok = rel.starts_with("db/");
        for (n, line) in text.lines().enumerate() {
            let l = line.trim_start();
            if l.starts_with("//") {
                continue;
            }
            if !actix_ok && (l.contains("actix_web::") || l.contains("use actix")) {
                violations.push(format!("{rel}:{}: actix outside http: {l}", n + 1));
            }
            if !diesel_ok && (l.contains("diesel::") || l.contains("use diesel")) {
                violations.push(format!("{rel}:{}: diesel outside db: {l}", n + 1));
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn every_module_has_a_doc_comment() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let missing: Vec<String> = files
        .iter()
        .filter(|f| !f.ends_with("tests.rs"))
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            !text.trim_start().starts_with("//!")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(missing.is_empty(), "modules without //! doc: {missing:?}");
}
