//! Packs the Swagger UI files that `/api/doc` serves (see
//! `src/api/swagger_ui.rs`): read out of the `utoipa-swagger-ui-vendored`
//! archive, checked, and written gzip-compressed to `OUT_DIR/swagger-ui/`,
//! so the binary carries 0.5 MiB of them instead of the 4.2 MiB archive.
//! And packs the committed OpenAPI document (`src/api/openapi.json`, see
//! `src/api/doc.rs`) the same way: 27 KiB instead of 284.

#[path = "src/api/swagger_zip.rs"]
mod swagger_zip;

use std::io::Write;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=src/api/swagger_zip.rs");
    println!("cargo::rerun-if-changed=src/api/openapi.json");
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("swagger-ui");
    std::fs::create_dir_all(&out).expect("OUT_DIR is writable");
    let files = swagger_zip::read_dist(utoipa_swagger_ui_vendored::SWAGGER_UI_VENDORED, swagger_zip::FROM_ARCHIVE)
        .unwrap_or_else(|e| panic!("{e}"));
    for (name, bytes) in files {
        std::fs::write(out.join(format!("{name}.gz")), gzip(&bytes)).expect("OUT_DIR is writable");
    }
    let doc = std::fs::read("src/api/openapi.json").expect("src/api/openapi.json is readable");
    let out = out.parent().expect("OUT_DIR/swagger-ui").join("openapi.json.gz");
    std::fs::write(out, gzip(&doc)).expect("OUT_DIR is writable");
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(vec![], flate2::Compression::best());
    gz.write_all(bytes).expect("gzip into memory");
    gz.finish().expect("gzip into memory")
}
