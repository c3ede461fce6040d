//! The UCUM prefixes: the SI decimal prefixes and the binary ones.

/// A prefix symbol (case-sensitive form) and its factor.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Prefix {
    /// The symbol, e.g. `m` for milli.
    pub code: &'static str,
    /// The factor, e.g. `1e-3`.
    pub factor: f64,
}

const fn p(code: &'static str, factor: f64) -> Prefix {
    Prefix { code, factor }
}

/// Every prefix, two-letter ones first: a prefix is matched by the longest
/// leading substring of a symbol whose remainder is a metric atom (UCUM §4),
/// so `da` must be tried before `d`.
pub(crate) const PREFIXES: [Prefix; 24] = [
    p("da", 1e1),
    p("Ki", 1024.0),
    p("Mi", 1_048_576.0),
    p("Gi", 1_073_741_824.0),
    p("Ti", 1_099_511_627_776.0),
    p("Y", 1e24),
    p("Z", 1e21),
    p("E", 1e18),
    p("P", 1e15),
    p("T", 1e12),
    p("G", 1e9),
    p("M", 1e6),
    p("k", 1e3),
    p("h", 1e2),
    p("d", 1e-1),
    p("c", 1e-2),
    p("m", 1e-3),
    p("u", 1e-6),
    p("n", 1e-9),
    p("p", 1e-12),
    p("f", 1e-15),
    p("a", 1e-18),
    p("z", 1e-21),
    p("y", 1e-24),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longer_prefixes_come_first() {
        let mut seen_short = false;
        for prefix in PREFIXES {
            if prefix.code.len() == 1 {
                seen_short = true;
            } else {
                assert!(!seen_short, "{}", prefix.code);
            }
        }
    }
}
