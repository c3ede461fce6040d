//! Warming: reading what a block of work will read before doing it, so that cache misses
//! overlap.

/// How many clusters are resolved, and view items built, at a time, after [`warm`]ing what
/// they read: 16 to 128 measured alike.
pub(super) const WARM: usize = 32;

/// Read words of entries, one independent read after another: a tight loop of these keeps many
/// cache misses in flight at once, where the work that follows, entry by entry, would wait for
/// each in turn. At 1M entries the view is bound by such misses (the entries of one fact's
/// sources lie far apart); warming a block before working on it halves the time of the loops
/// that do it. The words mean nothing: their sum is only kept from being optimized away.
pub(super) fn warm(words: impl Iterator<Item = usize>) {
    std::hint::black_box(words.fold(0usize, usize::wrapping_add));
}
