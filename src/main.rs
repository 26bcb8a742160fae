/// mimalloc instead of the C library's allocator: the request paths make
/// many small, short-lived allocations across worker threads, where glibc
/// spends a large share of the time (measured with `cargo bench --bench http`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    latchkey::cli::main()
}
