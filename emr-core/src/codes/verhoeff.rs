//! The Verhoeff check digit (dihedral group D5), used by SNOMED CT identifiers.
//!
//! The tables are *computed*, not typed in: the multiplication of D5 from its
//! definition (rotations `0–4`, reflections `5–9`), the permutation table from
//! its second row `1 5 7 6 2 8 3 0 9 4` by `p[i][j] = p[i-1][p[1][j]]`, and the
//! inverses by search. All three are `const`, evaluated at compile time.

/// The second row of the permutation table; every other row follows from it.
const P1: [u8; 10] = [1, 5, 7, 6, 2, 8, 3, 0, 9, 4];

/// Multiplication in D5: `0–4` are the rotations, `5–9` the reflections,
/// labelled so that the table is the classical Verhoeff `d` table:
/// `d(j, k) = (j + k) mod 5` for two rotations, `5 + (j + k) mod 5` for a
/// rotation times a reflection, `5 + (j − k) mod 5` for a reflection times a
/// rotation, and `(j − k) mod 5` for two reflections.
const fn d5(j: u8, k: u8) -> u8 {
    let (j, k) = (j % 10, k % 10);
    match (j < 5, k < 5) {
        (true, true) => (j + k) % 5,
        (true, false) => 5 + (j + k) % 5,
        // `j + 5 - k % 5` cannot underflow: j >= 5 here.
        (false, true) => 5 + (j + 5 - k % 5) % 5,
        (false, false) => (j + 5 - k % 5) % 5,
    }
}

/// The permutation table `p[i]`, `i` in `0..8`, built from [`P1`].
// Evaluated only in `const` items: an index out of range would stop the
// build, it cannot panic at run time.
#[allow(clippy::indexing_slicing)]
const fn build_permutations() -> [[u8; 10]; 8] {
    let mut p = [[0u8; 10]; 8];
    let mut j = 0;
    while j < 10 {
        p[0][j] = j as u8;
        p[1][j] = P1[j];
        j += 1;
    }
    let mut i = 2;
    while i < 8 {
        let mut j = 0;
        while j < 10 {
            p[i][j] = p[i - 1][p[1][j] as usize];
            j += 1;
        }
        i += 1;
    }
    p
}

/// The inverse of every element of D5, found by search.
#[allow(clippy::indexing_slicing)]
const fn build_inverses() -> [u8; 10] {
    let mut inv = [0u8; 10];
    let mut j = 0u8;
    while j < 10 {
        let mut k = 0u8;
        while k < 10 {
            if d5(j, k) == 0 {
                inv[j as usize] = k;
            }
            k += 1;
        }
        j += 1;
    }
    inv
}

const P: [[u8; 10]; 8] = build_permutations();
const INV: [u8; 10] = build_inverses();

/// `p[position mod 8][digit]`, or `None` for a non-digit.
fn permute(position: usize, digit: u8) -> Option<u8> {
    P.get(position % 8).and_then(|row| row.get(usize::from(digit))).copied()
}

/// Runs the Verhoeff accumulator over `digits` (right to left), with the
/// rightmost digit at position `first`.
fn accumulate(digits: &str, first: usize) -> Option<u8> {
    let mut c = 0u8;
    for (i, byte) in digits.bytes().rev().enumerate() {
        if !byte.is_ascii_digit() {
            return None;
        }
        c = d5(c, permute(i + first, byte - b'0')?);
    }
    Some(c)
}

/// True when the last digit of `digits` is its Verhoeff check digit. False for
/// an empty string or anything but ASCII digits.
pub(crate) fn is_valid(digits: &str) -> bool {
    !digits.is_empty() && accumulate(digits, 0) == Some(0)
}

/// The Verhoeff check digit to append to `payload`, or `None` if `payload` is
/// empty or holds anything but ASCII digits.
pub(crate) fn check_digit(payload: &str) -> Option<u8> {
    if payload.is_empty() {
        return None;
    }
    let c = accumulate(payload, 1)?;
    INV.get(usize::from(c)).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_have_the_group_properties() {
        // Identity, closure, inverses, and every row of p a permutation.
        for j in 0..10u8 {
            assert_eq!(d5(0, j), j);
            assert_eq!(d5(j, 0), j);
            assert_eq!(d5(j, INV[j as usize]), 0);
            let mut row: Vec<u8> = (0..10).map(|k| d5(j, k)).collect();
            row.sort_unstable();
            assert_eq!(row, (0..10).collect::<Vec<_>>());
        }
        for p in P {
            let mut row = p.to_vec();
            row.sort_unstable();
            assert_eq!(row, (0..10).collect::<Vec<_>>());
        }
        // p has period 8.
        let p8: Vec<u8> = (0..10).map(|j| P[7][P1[j] as usize]).collect();
        assert_eq!(p8, (0..10).collect::<Vec<_>>());
        // Associativity.
        for a in 0..10 {
            for b in 0..10 {
                for c in 0..10 {
                    assert_eq!(d5(d5(a, b), c), d5(a, d5(b, c)));
                }
            }
        }
        // Not commutative (D5 is not abelian).
        assert_ne!(d5(1, 5), d5(5, 1));
    }

    #[test]
    fn check_digit_round_trips() {
        for payload in ["13887500", "40468400", "7321100", "42819100012410", "236"] {
            let c = check_digit(payload).unwrap();
            assert!(is_valid(&format!("{payload}{c}")), "{payload}{c}");
        }
        assert_eq!(check_digit("236"), Some(3)); // the classic worked example: 2363
    }

    #[test]
    fn detects_all_single_errors_and_adjacent_transpositions() {
        let good = "138875005";
        assert!(is_valid(good));
        let bytes = good.as_bytes();
        for i in 0..bytes.len() {
            for d in b'0'..=b'9' {
                if d == bytes[i] {
                    continue;
                }
                let mut v = bytes.to_vec();
                v[i] = d;
                assert!(!is_valid(std::str::from_utf8(&v).unwrap()));
            }
            if i + 1 < bytes.len() && bytes[i] != bytes[i + 1] {
                let mut v = bytes.to_vec();
                v.swap(i, i + 1);
                assert!(!is_valid(std::str::from_utf8(&v).unwrap()));
            }
        }
    }

    #[test]
    fn non_digits_are_invalid() {
        for s in ["", "12a4", "１２３", "-1"] {
            assert!(!is_valid(s));
            assert_eq!(check_digit(s), None);
        }
    }
}
