//! Demographics normalized once for comparison: lower-case words, digits only, parts split out.

use crate::model::{Address, Demographics, HumanName, PartialDate};

use super::text::{digits, name_words, words};

/// At most this many names, addresses, phones and identifiers of a side are compared: bounds the
/// work on hostile input while covering every real record.
const MAX_ITEMS: usize = 8;

/// One person's demographics, normalized.
#[derive(Debug, Clone, Default)]
pub(super) struct Profile {
    pub(super) names: Vec<Name>,
    pub(super) birth: Option<Birth>,
    pub(super) sex: Option<Sex>,
    pub(super) places: Vec<Place>,
    pub(super) phones: Vec<String>,
    /// (system, value), both trimmed and non-empty.
    pub(super) identifiers: Vec<(String, String)>,
}

/// A name as words; `given` and `family` are the words run together (so spacing typos vanish).
#[derive(Debug, Clone, Default)]
pub(super) struct Name {
    pub(super) given_words: Vec<String>,
    pub(super) given: String,
    pub(super) family_words: Vec<String>,
    pub(super) family: String,
}

/// A birth date as far as it is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Birth {
    pub(super) year: i32,
    pub(super) month: Option<u32>,
    pub(super) day: Option<u32>,
}

/// Administrative sex, when known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sex {
    Male,
    Female,
    Other,
}

/// An address in parts; every part is words run together, empty when absent.
#[derive(Debug, Clone, Default)]
pub(super) struct Place {
    pub(super) number: String,
    pub(super) street: String,
    pub(super) other: String,
    pub(super) city: String,
    pub(super) state: String,
    pub(super) postcode: String,
}

impl Profile {
    pub(super) fn new(d: &Demographics) -> Profile {
        Profile {
            names: d.names.iter().filter_map(Name::new).take(MAX_ITEMS).collect(),
            birth: d.birth_date.as_ref().map(Birth::new),
            sex: d.gender.as_deref().and_then(Sex::new),
            places: d.addresses.iter().filter_map(Place::new).take(MAX_ITEMS).collect(),
            phones: d
                .telecom
                .iter()
                .filter(|t| matches!(t.system.as_deref(), None | Some("phone" | "sms")))
                .filter_map(|t| t.value.as_deref())
                .map(phone_digits)
                .filter(|p| p.len() >= 7)
                .take(MAX_ITEMS)
                .collect(),
            identifiers: d
                .identifiers
                .iter()
                .filter_map(|i| {
                    let system = i.system.as_deref()?.trim();
                    let value = i.value.as_deref()?.trim();
                    (!system.is_empty() && !value.is_empty()).then(|| (system.to_owned(), value.to_owned()))
                })
                .take(MAX_ITEMS)
                .collect(),
        }
    }
}

/// The last nine digits: a national number written with a country code (`+61 2 …`), a trunk
/// prefix (`02 …`) or neither agrees with itself (for ten-digit North American numbers this drops
/// the first digit of the area code).
fn phone_digits(value: &str) -> String {
    let d = digits(value);
    let skip = d.len().saturating_sub(9);
    d.chars().skip(skip).collect()
}

impl Name {
    fn new(n: &HumanName) -> Option<Name> {
        let mut given_words: Vec<String> = n.given.iter().flat_map(|g| name_words(g)).collect();
        let mut family_words = n.family.as_deref().map(name_words).unwrap_or_default();
        if given_words.is_empty() && family_words.is_empty() {
            // Only text: "Given Middle Family".
            let mut all = n.text.as_deref().map(name_words).unwrap_or_default();
            let family = all.pop()?;
            family_words = vec![family];
            given_words = all;
        }
        if given_words.is_empty() && family_words.is_empty() {
            return None;
        }
        Some(Name { given: given_words.concat(), given_words, family: family_words.concat(), family_words })
    }
}

impl Birth {
    fn new(d: &PartialDate) -> Birth {
        use chrono::Datelike;
        match *d {
            PartialDate::Year(year) => Birth { year, month: None, day: None },
            PartialDate::YearMonth(year, month) => Birth { year, month: Some(month), day: None },
            PartialDate::Date(date) => Birth { year: date.year(), month: Some(date.month()), day: Some(date.day()) },
            PartialDate::DateTime(t) => Birth { year: t.year(), month: Some(t.month()), day: Some(t.day()) },
        }
    }

    /// `YYYYMMDD` for a full date.
    pub(super) fn digits(&self) -> Option<String> {
        Some(format!("{:04}{:02}{:02}", self.year, self.month?, self.day?))
    }
}

impl Sex {
    fn new(gender: &str) -> Option<Sex> {
        match gender.trim().to_ascii_lowercase().as_str() {
            "male" | "m" => Some(Sex::Male),
            "female" | "f" => Some(Sex::Female),
            "other" => Some(Sex::Other),
            _ => None,
        }
    }
}

/// Street types written out, so `Smith St` and `Smith Street` agree.
fn street_type(word: &str) -> &str {
    match word {
        "st" | "str" => "street",
        "rd" => "road",
        "ave" | "av" => "avenue",
        "dr" | "drv" => "drive",
        "ct" | "crt" => "court",
        "pl" => "place",
        "cres" | "cr" | "cresc" => "crescent",
        "hwy" => "highway",
        "ln" => "lane",
        "blvd" => "boulevard",
        "pde" => "parade",
        "tce" | "terr" => "terrace",
        "cct" | "cir" => "circuit",
        "cl" => "close",
        "sq" => "square",
        "pkwy" | "pwy" => "parkway",
        "gr" => "grove",
        "wy" => "way",
        other => other,
    }
}

impl Place {
    fn new(a: &Address) -> Option<Place> {
        let mut lines = a.line.iter().take(MAX_ITEMS);
        let mut first = lines.next().map(|l| words(l)).unwrap_or_default();
        let starts_with_digit = first.first().is_some_and(|w| w.starts_with(|c: char| c.is_ascii_digit()));
        let number = if starts_with_digit && !first.is_empty() { first.remove(0) } else { String::new() };
        if let Some(last) = first.last_mut() {
            *last = street_type(last).to_owned();
        }
        let street = first.concat();
        let other: String = lines.flat_map(|l| words(l)).collect();
        let joined = |v: Option<&String>| v.map(|s| words(s).concat()).unwrap_or_default();
        let mut postcode = joined(a.postal_code.as_ref());
        if postcode.len() == 9 && postcode.bytes().all(|b| b.is_ascii_digit()) {
            // ZIP+4: the first five digits are the ZIP code.
            postcode.truncate(5);
        }
        let place =
            Place { number, street, other, city: joined(a.city.as_ref()), state: joined(a.state.as_ref()), postcode };
        let empty = [&place.number, &place.street, &place.other, &place.city, &place.state, &place.postcode]
            .iter()
            .all(|s| s.is_empty());
        (!empty).then_some(place)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Identifier, Telecom};

    #[test]
    fn normalizes_each_part() {
        let d = Demographics {
            names: vec![HumanName {
                family: Some("van't Hof".into()),
                given: vec!["Mary Anne".into()],
                ..HumanName::default()
            }],
            birth_date: "1970-03".parse().ok(),
            gender: Some("female".into()),
            addresses: vec![Address {
                line: vec!["12a Smith St".into(), "Flat 3".into()],
                city: Some("St James".into()),
                postal_code: Some("02334-1234".into()),
                ..Address::default()
            }],
            telecom: vec![
                Telecom { system: Some("phone".into()), value: Some("+61 (2) 9876-5432".into()) },
                Telecom { system: Some("email".into()), value: Some("a@b.c".into()) },
            ],
            identifiers: vec![
                Identifier { system: Some(" urn:x ".into()), value: Some(" 42 ".into()) },
                Identifier { system: None, value: Some("7".into()) },
            ],
            ..Demographics::default()
        };
        let p = Profile::new(&d);
        let n = &p.names[0];
        assert_eq!((n.given.as_str(), n.family.as_str()), ("maryanne", "vanthof"));
        assert_eq!(p.birth, Some(Birth { year: 1970, month: Some(3), day: None }));
        assert_eq!(p.sex, Some(Sex::Female));
        let a = &p.places[0];
        assert_eq!(
            (a.number.as_str(), a.street.as_str(), a.other.as_str(), a.city.as_str(), a.postcode.as_str()),
            ("12a", "smithstreet", "flat3", "stjames", "02334")
        );
        assert_eq!(p.phones, vec!["298765432".to_owned()]);
        assert_eq!(p.identifiers, vec![("urn:x".to_owned(), "42".to_owned())]);
    }

    #[test]
    fn text_only_names_split_into_given_and_family() {
        let n = Name::new(&HumanName { text: Some("Ana Maria Rivera".into()), ..HumanName::default() });
        let n = n.unwrap();
        assert_eq!((n.given.as_str(), n.family.as_str()), ("anamaria", "rivera"));
        assert!(Name::new(&HumanName::default()).is_none());
    }
}
