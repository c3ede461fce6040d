//! Conversions that need to know the analyte: mass ↔ substance
//! concentrations by molar mass, and the HbA1c NGSP ↔ IFCC master equation.
//!
//! | analyte | LOINC | rule |
//! |---|---|---|
//! | glucose | `2339-0`, `2345-7` | 180.16 g/mol (mg/dL ÷ 18.016 = mmol/L) |
//! | total, HDL, LDL cholesterol | `2093-3`, `2085-9`, `18262-6` | 386.7 g/mol (÷ 38.67) |
//! | triglycerides | `2571-8` | 885.7 g/mol (÷ 88.57) |
//! | creatinine | `2160-0` | 10 000 / 88.42 g/mol (mg/dL × 88.42 = µmol/L) |
//! | HbA1c | `4548-4` | IFCC mmol/mol = (NGSP % − 2.15) × 10.929 |
//! | hemoglobin | `718-7` | plain UCUM (g/dL × 10 = g/L) |

use super::canonical::Canonical;
use super::convert::convert_canonical;
use super::dimension::{BaseUnit, Dimension};
use super::Unit;

/// UCUM's mole: 6.0221367 × 10²³ (a pure number in UCUM).
const MOLE: f64 = 6.0221367e23;

/// HbA1c master equation (IFCC–NGSP): IFCC = (NGSP − 2.15) × 10.929.
const HBA1C_OFFSET: f64 = 2.15;
const HBA1C_SLOPE: f64 = 10.929;

/// What is known about one analyte.
struct Analyte {
    loincs: &'static [&'static str],
    /// Molar mass in g/mol, for mass ↔ substance conversions.
    molar_mass: Option<f64>,
    /// True for HbA1c: NGSP fractions ↔ IFCC substance ratios.
    hba1c: bool,
}

const ANALYTES: [Analyte; 6] = [
    Analyte { loincs: &["2339-0", "2345-7"], molar_mass: Some(180.16), hba1c: false },
    Analyte { loincs: &["2093-3", "2085-9", "18262-6"], molar_mass: Some(386.7), hba1c: false },
    Analyte { loincs: &["2571-8"], molar_mass: Some(885.7), hba1c: false },
    Analyte { loincs: &["2160-0"], molar_mass: Some(10_000.0 / 88.42), hba1c: false },
    Analyte { loincs: &["4548-4"], molar_mass: None, hba1c: true },
    Analyte { loincs: &["718-7"], molar_mass: None, hba1c: false },
];

/// Converts a value of the analyte `loinc` from unit `from` to unit `to`
/// (both UCUM codes).
///
/// Plain UCUM conversion is tried first (`g/dL` → `g/L`, `[lb_av]` → `kg`,
/// `[degF]` → `Cel` work for any code); then, for the analytes in the table
/// above, a conversion between mass and substance concentration by molar
/// mass (`mg/dL` ↔ `mmol/L`, `mg/dL` ↔ `umol/L`), in both directions. For
/// HbA1c (`4548-4`) a fraction (`%`) and a substance ratio (`mmol/mol`) are
/// related by the IFCC–NGSP master equation, never by plain scaling.
///
/// `None` when a unit does not parse or no rule relates the two units.
///
/// # Example
///
/// ```
/// use emr_core::codes::ucum::convert_analyte;
///
/// let mmol = convert_analyte("2345-7", 100.0, "mg/dL", "mmol/L").unwrap();
/// assert!((mmol - 100.0 / 18.016).abs() < 1e-9);
/// let umol = convert_analyte("2160-0", 1.0, "mg/dL", "umol/L").unwrap();
/// assert!((umol - 88.42).abs() < 1e-9);
/// let ifcc = convert_analyte("4548-4", 7.0, "%", "mmol/mol").unwrap();
/// assert!((ifcc - (7.0 - 2.15) * 10.929).abs() < 1e-9);
/// assert_eq!(convert_analyte("2345-7", 1.0, "mg/dL", "mmol/mol"), None);
/// ```
pub fn convert_analyte(loinc: &str, value: f64, from: &str, to: &str) -> Option<f64> {
    let from = Unit::parse(from).ok()?;
    let to = Unit::parse(to).ok()?;
    let analyte = ANALYTES.iter().find(|a| a.loincs.contains(&loinc));
    let (f, t) = (&from.canonical, &to.canonical);
    if analyte.is_some_and(|a| a.hba1c) {
        match (hba1c_scale(f), hba1c_scale(t)) {
            (Some(Hba1c::Ngsp), Some(Hba1c::Ifcc)) => {
                let percent = convert_canonical(value, f, &percent()?).ok()?;
                let ifcc = (percent - HBA1C_OFFSET) * HBA1C_SLOPE;
                return convert_canonical(ifcc, &mmol_per_mol()?, t).ok();
            }
            (Some(Hba1c::Ifcc), Some(Hba1c::Ngsp)) => {
                let ifcc = convert_canonical(value, f, &mmol_per_mol()?).ok()?;
                let ngsp = ifcc / HBA1C_SLOPE + HBA1C_OFFSET;
                return convert_canonical(ngsp, &percent()?, t).ok();
            }
            _ => {}
        }
    }
    if let Ok(out) = convert_canonical(value, f, t) {
        return Some(out);
    }
    let molar_mass = analyte?.molar_mass?;
    let gram = Dimension::of(BaseUnit::Gram);
    let plain = |c: &Canonical| c.specials == 0 && c.arbitrary.is_empty();
    if !(plain(f) && plain(t) && value.is_finite()) {
        return None;
    }
    let out = if f.dim == t.dim.plus(gram) && t.substance {
        // mass → substance: grams, moles, then UCUM's count of entities.
        value * f.factor / molar_mass * MOLE / t.factor
    } else if t.dim == f.dim.plus(gram) && f.substance {
        value * f.factor / MOLE * molar_mass / t.factor
    } else {
        return None;
    };
    out.is_finite().then_some(out)
}

/// The two ways of reporting HbA1c.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hba1c {
    /// A fraction of total hemoglobin (`%`, `1`).
    Ngsp,
    /// A substance ratio (`mmol/mol`).
    Ifcc,
}

fn hba1c_scale(unit: &Canonical) -> Option<Hba1c> {
    if !unit.dim.is_dimensionless() || unit.specials > 0 || !unit.arbitrary.is_empty() {
        return None;
    }
    Some(if unit.substance { Hba1c::Ifcc } else { Hba1c::Ngsp })
}

fn percent() -> Option<Canonical> {
    Unit::parse("%").ok().map(|u| u.canonical)
}

fn mmol_per_mol() -> Option<Canonical> {
    Unit::parse("mmol/mol").ok().map(|u| u.canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
    }

    #[test]
    fn domain_table_both_directions() {
        let cases: [(&str, f64, &str, &str, f64); 9] = [
            ("2339-0", 90.0, "mg/dL", "mmol/L", 90.0 / 18.016),
            ("2093-3", 200.0, "mg/dL", "mmol/L", 200.0 / 38.67),
            ("2085-9", 50.0, "mg/dL", "mmol/L", 50.0 / 38.67),
            ("18262-6", 130.0, "mg/dL", "mmol/L", 130.0 / 38.67),
            ("2571-8", 150.0, "mg/dL", "mmol/L", 150.0 / 88.57),
            ("2160-0", 1.2, "mg/dL", "umol/L", 1.2 * 88.42),
            ("4548-4", 6.5, "%", "mmol/mol", (6.5 - 2.15) * 10.929),
            ("718-7", 13.5, "g/dL", "g/L", 135.0),
            ("29463-7", 150.0, "[lb_av]", "kg", 150.0 * 0.453_592_37),
        ];
        for (loinc, value, from, to, expected) in cases {
            let out = convert_analyte(loinc, value, from, to).unwrap();
            assert!(close(out, expected), "{loinc} {from}->{to}: {out} vs {expected}");
            let back = convert_analyte(loinc, out, to, from).unwrap();
            assert!(close(back, value), "{loinc} {to}->{from}: {back} vs {value}");
        }
    }

    #[test]
    fn hba1c_is_never_scaled_plainly() {
        let out = convert_analyte("4548-4", 53.0, "mmol/mol", "%").unwrap();
        assert!(close(out, 53.0 / 10.929 + 2.15));
        let frac = convert_analyte("4548-4", 0.07, "1", "mmol/mol").unwrap();
        assert!(close(frac, (7.0 - 2.15) * 10.929));
        assert!(close(convert_analyte("4548-4", 7.0, "%", "%").unwrap(), 7.0));
        // Other analytes have no such rule: UCUM scales.
        assert!(close(convert_analyte("2345-7", 7.0, "%", "mmol/mol").unwrap(), 70.0));
    }

    #[test]
    fn unknown_or_unrelated() {
        assert_eq!(convert_analyte("2345-7", 1.0, "mg/dL", "kg"), None);
        assert_eq!(convert_analyte("9999-9", 1.0, "mg/dL", "mmol/L"), None);
        assert_eq!(convert_analyte("2345-7", 1.0, "mcg/dL", "mmol/L"), None);
        assert_eq!(convert_analyte("2345-7", 1.0, "mg/dL", "/L"), None);
        assert_eq!(convert_analyte("2345-7", f64::NAN, "mg/dL", "mmol/L"), None);
        // Equivalents and moles are the same in UCUM.
        assert!(convert_analyte("2345-7", 100.0, "mg/dL", "meq/L").is_some());
    }
}
