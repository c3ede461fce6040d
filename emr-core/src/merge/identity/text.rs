//! Text normalization and string similarity shared by the field comparators.

/// Longest normalized value kept, in characters: bounds the quadratic similarity measures.
const MAX_CHARS: usize = 64;

/// Jaro–Winkler similarity at or above which two spellings count as a typo of each other.
pub(super) const TYPO_JARO_WINKLER: f64 = 0.9;

/// Lower-case words of letters and digits, Latin accents folded (other scripts kept as they are);
/// punctuation separates words except apostrophes, which are dropped (`O'Brien` → `obrien`).
pub(super) fn words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut kept = 0usize;
    for c in text.chars() {
        if kept >= MAX_CHARS {
            break;
        }
        if c == '\'' || c == '’' {
            continue;
        }
        let mut pushed = false;
        for lower in c.to_lowercase() {
            if let Some(folded) = fold(lower) {
                current.push_str(folded);
                pushed = true;
            } else if lower.is_alphanumeric() {
                current.push(lower);
                pushed = true;
            }
        }
        if pushed {
            kept += 1;
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Latin letters with diacritics, and ligatures, as plain ASCII.
fn fold(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ł' | 'ľ' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ř' => "r",
        'ś' | 'š' | 'ş' => "s",
        'ß' => "ss",
        'ť' | 'ţ' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

/// Words without digits (for names).
pub(super) fn name_words(text: &str) -> Vec<String> {
    words(text)
        .into_iter()
        .map(|w| w.chars().filter(|c| c.is_alphabetic()).collect::<String>())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Only the digits of a text.
pub(super) fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).take(MAX_CHARS).collect()
}

/// Jaro–Winkler similarity in [0, 1].
pub(super) fn jaro_winkler(a: &str, b: &str) -> f64 {
    strsim::jaro_winkler(a, b)
}

/// True when two spellings are a typo apart: Jaro–Winkler at least [`TYPO_JARO_WINKLER`], or one
/// edit (insertion, deletion, substitution, adjacent transposition) between values of at least
/// four letters.
pub(super) fn is_typo(a: &str, b: &str) -> bool {
    if a.is_empty() || b.is_empty() {
        return false;
    }
    jaro_winkler(a, b) >= TYPO_JARO_WINKLER
        || (a.chars().count().min(b.chars().count()) >= 4 && strsim::osa_distance(a, b) <= 1)
}

/// True when two digit strings of the same length differ in one digit or by one adjacent
/// transposition, or their lengths differ by one inserted or deleted digit.
pub(super) fn one_digit_apart(a: &str, b: &str) -> bool {
    !a.is_empty() && !b.is_empty() && a != b && strsim::osa_distance(a, b) <= 1
}

/// American Soundex of an ASCII lower-case word (`robert` → `r163`); empty for an empty word.
pub(super) fn soundex(word: &str) -> String {
    let code = |c: u8| -> u8 {
        match c {
            b'b' | b'f' | b'p' | b'v' => b'1',
            b'c' | b'g' | b'j' | b'k' | b'q' | b's' | b'x' | b'z' => b'2',
            b'd' | b't' => b'3',
            b'l' => b'4',
            b'm' | b'n' => b'5',
            b'r' => b'6',
            b'h' | b'w' => b'h',
            _ => b'0',
        }
    };
    let bytes: Vec<u8> = word.bytes().filter(u8::is_ascii_lowercase).collect();
    let Some((&first, rest)) = bytes.split_first() else {
        return String::new();
    };
    let mut out = vec![first];
    let mut last = code(first);
    for &c in rest {
        let d = code(c);
        if d == b'h' {
            // h and w do not separate equal codes
            continue;
        }
        if d != b'0' && d != last {
            out.push(d);
            if out.len() == 4 {
                break;
            }
        }
        last = d;
    }
    while out.len() < 4 {
        out.push(b'0');
    }
    String::from_utf8(out).unwrap_or_default()
}

/// NYSIIS code of an ASCII lower-case word (New York State Identification and Intelligence
/// System, the original algorithm), truncated to six letters.
pub(super) fn nysiis(word: &str) -> String {
    let mut w: Vec<u8> = word.bytes().filter(u8::is_ascii_lowercase).collect();
    if w.is_empty() {
        return String::new();
    }
    let starts = |w: &[u8], p: &[u8]| w.starts_with(p);
    let replace_prefix = |w: &mut Vec<u8>, from: &[u8], to: &[u8]| {
        if w.starts_with(from) {
            w.splice(0..from.len(), to.iter().copied());
            true
        } else {
            false
        }
    };
    let _ = replace_prefix(&mut w, b"mac", b"mcc")
        || replace_prefix(&mut w, b"kn", b"nn")
        || (starts(&w, b"k") && replace_prefix(&mut w, b"k", b"c"))
        || replace_prefix(&mut w, b"ph", b"ff")
        || replace_prefix(&mut w, b"pf", b"ff")
        || replace_prefix(&mut w, b"sch", b"sss");
    let n = w.len();
    if w.ends_with(b"ee") || w.ends_with(b"ie") {
        w.truncate(n - 2);
        w.push(b'y');
    } else if [&b"dt"[..], b"rt", b"rd", b"nt", b"nd"].iter().any(|s| w.ends_with(s)) {
        w.truncate(n - 2);
        w.push(b'd');
    }
    let is_vowel = |c: u8| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u');
    let Some(&first) = w.first() else {
        return String::new();
    };
    let mut key = vec![first];
    let mut i = 1;
    while i < w.len() {
        let at = |k: usize| w.get(k).copied().unwrap_or(0);
        let c = at(i);
        let prev = at(i - 1);
        let mut step = 1;
        let repl: Vec<u8> = if c == b'e' && at(i + 1) == b'v' {
            step = 2;
            b"af".to_vec()
        } else if is_vowel(c) {
            b"a".to_vec()
        } else if c == b'q' {
            b"g".to_vec()
        } else if c == b'z' {
            b"s".to_vec()
        } else if c == b'm' {
            b"n".to_vec()
        } else if c == b'k' {
            if at(i + 1) == b'n' {
                b"n".to_vec()
            } else {
                b"c".to_vec()
            }
        } else if c == b's' && at(i + 1) == b'c' && at(i + 2) == b'h' {
            step = 3;
            b"sss".to_vec()
        } else if c == b'p' && at(i + 1) == b'h' {
            step = 2;
            b"ff".to_vec()
        } else if (c == b'h' && (!is_vowel(prev) || !is_vowel(at(i + 1)))) || (c == b'w' && is_vowel(prev)) {
            vec![prev]
        } else {
            vec![c]
        };
        for r in repl {
            if key.last() != Some(&r) {
                key.push(r);
            }
        }
        i += step;
    }
    if key.len() > 1 && key.last() == Some(&b's') {
        key.pop();
    }
    if key.ends_with(b"ay") {
        key.truncate(key.len() - 2);
        key.push(b'y');
    }
    if key.len() > 1 && key.last() == Some(&b'a') {
        key.pop();
    }
    key.truncate(6);
    String::from_utf8(key).unwrap_or_default()
}

/// True when two words sound alike by Soundex or NYSIIS.
pub(super) fn sounds_alike(a: &str, b: &str) -> bool {
    let same = |x: String, y: String| !x.is_empty() && x == y;
    same(soundex(a), soundex(b)) || same(nysiis(a), nysiis(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_fold_and_split() {
        assert_eq!(words("  Ana-María O'Brien  "), vec!["ana", "maria", "obrien"]);
        assert_eq!(name_words("Alexis123 Toy"), vec!["alexis", "toy"]);
        assert_eq!(name_words("Иванова Ōno"), vec!["иванова", "ono"]);
        assert_eq!(digits("+1 (555) 262-7029"), "15552627029");
    }

    #[test]
    fn soundex_matches_the_reference_codes() {
        for (w, code) in [
            ("robert", "r163"),
            ("rupert", "r163"),
            ("rubin", "r150"),
            ("ashcraft", "a261"),
            ("tymczak", "t522"),
            ("pfister", "p236"),
            ("a", "a000"),
        ] {
            assert_eq!(soundex(w), code, "{w}");
        }
        assert_eq!(soundex(""), "");
    }

    #[test]
    fn nysiis_groups_phonetic_variants() {
        assert_eq!(nysiis("phillip"), nysiis("fillip"));
        assert_eq!(nysiis("knight"), nysiis("night"));
        assert_eq!(nysiis("macdonald"), nysiis("mcdonald"));
        assert_ne!(nysiis("smith"), nysiis("jones"));
        assert_eq!(nysiis(""), "");
        // Never panics on short or odd words.
        for w in ["h", "ee", "ie", "k", "kn", "mac", "sch", "ph", "s", "a", "ev"] {
            let _ = nysiis(w);
        }
    }

    #[test]
    fn typos_and_digits() {
        assert!(is_typo("isabella", "isablela"));
        assert!(is_typo("waller", "wallner"));
        assert!(!is_typo("tim", "tom"));
        // Words outside ASCII have no phonetic code: never alike by sound.
        assert!(!sounds_alike("иванова", "петрова"));
        assert!(one_digit_apart("4814", "4184"));
        assert!(one_digit_apart("2745", "2475"));
        assert!(!one_digit_apart("2776", "2509"));
    }
}
