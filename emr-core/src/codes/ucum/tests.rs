//! Unit tests of the atom table and the parser.

use super::atoms::Def;
use super::prefix::PREFIXES;
use super::table::{table, AtomSource};
use super::*;

fn dim(s: &str) -> [i32; 7] {
    Unit::parse(s).unwrap().dimension().exponents()
}

fn factor(s: &str) -> f64 {
    Unit::parse(s).unwrap().factor()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
}

#[test]
fn every_atom_resolves() {
    let mut count = 0;
    for (atom, resolved) in table().entries() {
        let resolved = resolved.unwrap_or_else(|| panic!("{} does not resolve", atom.code));
        assert!(resolved.factor.is_finite() && resolved.factor > 0.0, "{}", atom.code);
        count += 1;
    }
    assert!(count >= 250, "{count}");
}

#[test]
fn codes_are_unique_and_unambiguous() {
    let codes: Vec<&str> = atom_codes().collect();
    let mut sorted = codes.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), codes.len(), "duplicate atom code");
    for code in &codes {
        // An exponent is read from trailing digits, so no atom may end in one
        // outside square brackets.
        assert!(!code.ends_with(|c: char| c.is_ascii_digit()), "{code}");
        // No atom is also a prefix followed by a metric atom.
        for prefix in PREFIXES {
            if let Some(rest) = code.strip_prefix(prefix.code) {
                let clash = table().find(rest).and_then(|i| table().def(i)).is_some_and(|d| d.metric);
                assert!(!clash, "{code} is also {}+{rest}", prefix.code);
            }
        }
    }
}

#[test]
fn base_units_and_derived_dimensions() {
    assert_eq!(dim("m"), [1, 0, 0, 0, 0, 0, 0]);
    assert_eq!(dim("s"), [0, 1, 0, 0, 0, 0, 0]);
    assert_eq!(dim("g"), [0, 0, 1, 0, 0, 0, 0]);
    assert_eq!(dim("rad"), [0, 0, 0, 1, 0, 0, 0]);
    assert_eq!(dim("K"), [0, 0, 0, 0, 1, 0, 0]);
    assert_eq!(dim("C"), [0, 0, 0, 0, 0, 1, 0]);
    assert_eq!(dim("cd"), [0, 0, 0, 0, 0, 0, 1]);
    assert_eq!(dim("N"), dim("kg.m/s2"));
    assert_eq!(dim("Pa"), [-1, -2, 1, 0, 0, 0, 0]);
    assert_eq!(dim("J"), [2, -2, 1, 0, 0, 0, 0]);
    assert_eq!(dim("W"), [2, -3, 1, 0, 0, 0, 0]);
    assert_eq!(dim("V"), [2, -2, 1, 0, 0, -1, 0]);
    assert_eq!(dim("Ohm"), [2, -1, 1, 0, 0, -2, 0]);
    assert_eq!(dim("mol"), [0; 7]);
    assert_eq!(dim("kat"), [0, -1, 0, 0, 0, 0, 0]);
    assert_eq!(dim("U"), dim("kat"));
    assert_eq!(dim("Cel"), dim("K"));
    assert_eq!(dim("[degF]"), dim("K"));
    assert_eq!(dim("mm[Hg]"), dim("Pa"));
    assert_eq!(dim("cm[H2O]"), dim("Pa"));
    assert_eq!(dim("[psi]"), dim("Pa"));
    assert_eq!(dim("Oe"), dim("A/m"));
    assert_eq!(dim("[diop]"), dim("/m"));
    assert_eq!(dim("[pH]"), dim("mol/L"));
    assert_eq!(dim("[MET]"), dim("mL/(min.kg)"));
}

#[test]
fn factors_from_the_definitions() {
    assert!(close(factor("kg"), 1000.0));
    assert!(close(factor("L"), 1e-3));
    assert!(close(factor("dL"), 1e-4));
    assert!(close(factor("mol"), 6.0221367e23));
    assert!(close(factor("[lb_av]"), 453.592_37));
    assert!(close(factor("[oz_av]"), 453.592_37 / 16.0));
    assert!(close(factor("[in_i]"), 0.0254));
    assert!(close(factor("[ft_i]"), 0.3048));
    assert!(close(factor("[gal_us]"), 3.785_411_784e-3));
    assert!(close(factor("[foz_us]"), 29.573_529_562_5e-6));
    assert!(close(factor("mm[Hg]"), 133_322.0));
    assert!(close(factor("h"), 3600.0));
    assert!(close(factor("a"), 365.25 * 86_400.0));
    assert!(close(factor("%"), 0.01));
    assert!(close(factor("10*3/uL"), 1e9 * 1e3));
    assert!(close(factor("deg"), core::f64::consts::PI / 180.0));
    assert!(close(factor("[drp]"), 1e-6 / 20.0));
    assert!(close(factor("cal"), 4184.0));
    assert!(close(factor("[Cal]"), 4_184_000.0));
    assert!(close(factor("g%"), 1e4));
    assert!(close(factor("2+10"), 1024.0));
    assert!(close(factor("10^-3"), 1e-3));
    assert!(close(factor("/[pi]"), 1.0 / core::f64::consts::PI));
    assert!(close(factor("Oe"), 250.0 / core::f64::consts::PI));
}

#[test]
fn special_and_arbitrary_atoms_are_marked() {
    for (atom, resolved) in table().entries() {
        let resolved = resolved.unwrap();
        let special = matches!(atom.def, Def::Affine { .. } | Def::NonLinear(_));
        assert_eq!(resolved.specials > 0, special, "{}", atom.code);
        if matches!(atom.def, Def::Arbitrary) {
            assert_eq!(resolved.arbitrary, vec![(atom.code, 1)]);
        }
    }
    assert!(Unit::parse("[IU]").unwrap().is_arbitrary());
    assert!(Unit::parse("mCel").unwrap().is_special());
}

#[test]
fn error_kinds_and_offsets() {
    use UcumErrorKind as K;
    let cases: &[(&str, K, usize)] = &[
        ("", K::Empty, 0),
        ("mgg", K::UnknownAtom, 0),
        ("kg//m", K::MissingComponent, 3),
        ("kg/", K::MissingComponent, 3),
        (".kg", K::MissingComponent, 0),
        ("/", K::MissingComponent, 1),
        ("()", K::MissingComponent, 1),
        ("10*", K::MissingExponent, 3),
        ("mL/10^", K::MissingExponent, 6),
        ("{unclosed", K::UnclosedAnnotation, 0),
        ("m^", K::UnknownAtom, 0),
        ("kilogram", K::UnknownAtom, 0),
        ("k[in_i]", K::PrefixOnNonMetric, 0),
        ("kh", K::PrefixOnNonMetric, 0),
        ("m-", K::BadExponent, 1),
        ("m100", K::BadExponent, 1),
        ("s-1000", K::BadExponent, 1),
        ("-3", K::BadExponent, 0),
        ("m[Hg", K::UnclosedBracket, 1),
        ("m]", K::UnmatchedBracket, 1),
        ("(m", K::UnmatchedParenthesis, 0),
        ("m)", K::UnmatchedParenthesis, 1),
        ("(m/s)2", K::UnexpectedChar, 5),
        ("m s", K::UnexpectedChar, 1),
        ("mg /dL", K::UnexpectedChar, 2),
        ("µg", K::UnexpectedChar, 0),
        ("{kapsler, hårde}", K::AnnotationChar, 9),
        ("{a{b}}", K::AnnotationChar, 2),
        ("{a}{b}", K::UnexpectedChar, 3),
        ("kg}", K::UnexpectedChar, 2),
        ("0", K::OutOfRange, 0),
        ("10*99.10*99.10*99.10*99", K::OutOfRange, 0),
        ("mcg", K::UnknownAtom, 0),
        ("mEq", K::UnknownAtom, 0),
        ("ml/hr", K::UnknownAtom, 3),
    ];
    for (expr, kind, offset) in cases {
        let err = Unit::parse(expr).unwrap_err();
        assert_eq!((err.kind, err.offset), (*kind, *offset), "{expr:?}");
        // The message is built from the kind and offset only: no input text.
        assert_eq!(err.to_string(), format!("{kind} at byte {offset}"));
    }
    let long = "m.".repeat(500) + "m";
    assert_eq!(Unit::parse(&long).unwrap_err().kind, K::TooLong);
    let deep = "(".repeat(40) + "m" + &")".repeat(40);
    assert_eq!(Unit::parse(&deep).unwrap_err().kind, K::TooDeep);
    let ok_deep = "(".repeat(30) + "m" + &")".repeat(30);
    assert!(Unit::parse(&ok_deep).is_ok());
}

#[test]
fn grammar_corners() {
    for expr in [
        "1",
        "/min",
        "%{vol}",
        "kg{total}",
        "{RBC}",
        "10*3{cells}/uL",
        "4.[pi].10*-7.N/A2",
        "(mg/dL)",
        "((kg)/(m.m))",
        "m+2",
        "s-1",
        "2.5",
        "B[10.nV]",
        "cal_[15]",
        "kcal_[15]",
        "%[slope]",
        "[in_i'H2O]",
        "[anti'Xa'U]",
        "[Amb'a'1'U]",
        "u[IU]/mL",
        "mg%",
        "dB",
        "''",
        "'",
        "KiBy",
        "da[iU]",
    ] {
        assert!(Unit::parse(expr).is_ok(), "{expr}");
    }
    assert_eq!(dim("m+2"), dim("m2"));
    assert_eq!(dim("/s.m"), dim("m/s"));
    assert!(close(factor("2.5"), 10.0));
}
