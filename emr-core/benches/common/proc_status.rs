//! What the benchmarks read of their own process (Linux `/proc`), shared with `#[path]` by the
//! benchmarks that measure peak memory in a child process.

/// `VmHWM` (peak resident set) and `VmRSS` of this process, in KiB (0 where `/proc` says nothing).
pub fn proc_status() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}
