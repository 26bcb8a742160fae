//! Packs the Swagger UI files that `/api/doc` serves (see
//! `src/api/swagger_ui.rs`): read out of the `utoipa-swagger-ui-vendored`
//! archive, checked, and written gzip-compressed to `OUT_DIR/swagger-ui/`,
//! so the binary carries 0.5 MiB of them instead of the 4.2 MiB archive.

#[path = "src/api/swagger_zip.rs"]
mod swagger_zip;

use std::io::Write;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=src/api/swagger_zip.rs");
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("swagger-ui");
    std::fs::create_dir_all(&out).expect("OUT_DIR is writable");
    let files = swagger_zip::read_dist(utoipa_swagger_ui_vendored::SWAGGER_UI_VENDORED, swagger_zip::FROM_ARCHIVE)
        .unwrap_or_else(|e| panic!("{e}"));
    for (name, bytes) in files {
        let mut gz = flate2::write::GzEncoder::new(vec![], flate2::Compression::best());
        gz.write_all(&bytes).expect("gzip into memory");
        std::fs::write(out.join(format!("{name}.gz")), gz.finish().expect("gzip into memory"))
            .expect("OUT_DIR is writable");
    }
}
