/// mimalloc instead of the C library's allocator: the request paths make
/// many small, short-lived allocations across worker threads, where glibc
/// spends a large share of the time (measured with `cargo bench --bench http`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    no_huge_pages();
    latchkey::cli::main()
}

/// mimalloc reserves its memory as a 1 GiB arena aligned to 2 MiB. With
/// transparent huge pages (the kernel's "always" mode, or "madvise", which
/// mimalloc answers by advising the arena), the first touch of a 2 MiB
/// stretch faults in a whole 2 MiB page: an idle server held 14 MiB of
/// huge pages around about 2 MiB of live data (scripts/footprint, idle RSS
/// 28 MB against 16 MB without). This heap is far too small for huge pages
/// to pay back in TLB misses (no change in requests/s was measurable), so
/// the process turns them off before anything sizeable is allocated; the
/// `no_thp` feature keeps mimalloc from advising them in the first place.
/// A kernel without the setting just keeps its default.
fn no_huge_pages() {
    let _ = rustix::thread::disable_transparent_huge_pages(true);
}
