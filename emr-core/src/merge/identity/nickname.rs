//! A compact table of common English given names and their nicknames.
//!
//! Each group lists a formal name first, then its usual short forms and spelling variants. A
//! nickname may belong to several groups (`al`: albert, alan, alfred…); two names are
//! equivalent when some group holds both.

const GROUPS: &[&[&str]] = &[
    &["abigail", "abby", "abbie", "gail"],
    &["albert", "al", "bert", "bertie"],
    &["alan", "al", "allan", "allen"],
    &["alexander", "alex", "alec", "sandy", "xander", "lex"],
    &["alexandra", "alex", "alexa", "sandra", "sandy", "lexie", "lexi"],
    &["alfred", "al", "alf", "alfie", "fred", "freddie"],
    &["andrew", "andy", "drew"],
    &["angela", "angie"],
    &["anthony", "tony", "antony"],
    &["arthur", "art", "artie"],
    &["barbara", "barb", "babs", "barbie"],
    &["benjamin", "ben", "benny", "benji"],
    &["bernard", "bernie", "bern"],
    &["bradley", "brad"],
    &["bridget", "biddy", "bridie"],
    &["calvin", "cal"],
    &["cameron", "cam"],
    &["caroline", "carol", "carrie", "caro"],
    &["catherine", "katherine", "kathryn", "catharine", "cathy", "kathy", "kate", "katie", "kat", "kitty", "cate"],
    &["charles", "charlie", "chuck", "chas", "chaz"],
    &["charlotte", "charlie", "lottie", "lotte"],
    &["christina", "christine", "chris", "chrissy", "tina", "kristina", "kristine"],
    &["christopher", "chris", "kit", "topher"],
    &["cynthia", "cindy"],
    &["daniel", "dan", "danny"],
    &["danielle", "dani", "elle"],
    &["david", "dave", "davey", "davy"],
    &["deborah", "debra", "deb", "debbie", "debby"],
    &["donald", "don", "donnie"],
    &["dorothy", "dot", "dottie", "dolly"],
    &["douglas", "doug"],
    &["edward", "ed", "eddie", "ned", "ted", "teddy"],
    &["edmund", "ed", "eddie", "ned"],
    &["edwin", "ed", "eddie"],
    &["eleanor", "ellie", "nell", "nellie", "elle", "nora"],
    &[
        "elizabeth",
        "liz",
        "lizzie",
        "lizzy",
        "beth",
        "betty",
        "bess",
        "bessie",
        "eliza",
        "libby",
        "elsie",
        "lisa",
        "elisabeth",
        "betsy",
    ],
    &["emily", "em", "emmy", "millie"],
    &["emma", "em", "emmy"],
    &["eugene", "gene"],
    &["frances", "fran", "frankie", "fanny"],
    &["francis", "frank", "frankie", "fran"],
    &["frederick", "fred", "freddie", "freddy", "fritz"],
    &["gabriel", "gabe"],
    &["gabrielle", "gabby", "gabi", "elle"],
    &["geoffrey", "jeffrey", "geoff", "jeff"],
    &["gerald", "gerry", "jerry"],
    &["gregory", "greg"],
    &["harold", "harry", "hal"],
    &["henry", "harry", "hank", "hal"],
    &["isabella", "isabel", "isabelle", "izzy", "bella", "belle", "isobel"],
    &["jacob", "jake", "jack"],
    &["james", "jim", "jimmy", "jamie", "jimmie"],
    &["janet", "jan", "jenny"],
    &["jennifer", "jen", "jenny", "jenn", "jennie"],
    &["jessica", "jess", "jessie"],
    &["john", "jack", "johnny", "jon", "jonny"],
    &["jonathan", "jon", "jonny", "nathan", "nate"],
    &["joseph", "joe", "joey", "jo"],
    &["josephine", "jo", "josie", "jos"],
    &["joshua", "josh"],
    &["judith", "judy", "jude"],
    &["kenneth", "ken", "kenny"],
    &["kimberley", "kimberly", "kim", "kimmy"],
    &["lawrence", "laurence", "larry", "laurie", "lawrie"],
    &["leonard", "len", "lenny", "leo"],
    &["louis", "lou", "louie"],
    &["louise", "lou", "lulu"],
    &["margaret", "maggie", "meg", "megan", "peggy", "peg", "marge", "margie", "greta", "madge", "maisie", "rita"],
    &["matthew", "matt", "matty"],
    &["maximilian", "max"],
    &["maxwell", "max"],
    &["michael", "mike", "mikey", "mick", "micky", "mickey", "mitch"],
    &["mitchell", "mitch"],
    &["nathaniel", "nathan", "nate", "nat"],
    &["nicholas", "nick", "nicky", "nico", "nic"],
    &["nicole", "nicky", "nikki", "nic"],
    &["oliver", "ollie", "olly"],
    &["olivia", "liv", "livvy", "ollie"],
    &["patricia", "pat", "patty", "patsy", "trish", "tricia"],
    &["patrick", "pat", "paddy", "patty"],
    &["penelope", "penny", "pen"],
    &["peter", "pete"],
    &["philip", "phillip", "phil", "pip"],
    &["raymond", "ray"],
    &["rebecca", "becky", "becca", "bec"],
    &["richard", "rick", "ricky", "rich", "richie", "dick", "dickie"],
    &["robert", "rob", "robbie", "bob", "bobby", "bert", "robby"],
    &["ronald", "ron", "ronnie"],
    &["samantha", "sam", "sammy"],
    &["samuel", "sam", "sammy"],
    &["sarah", "sara", "sally", "sadie"],
    &["stephanie", "steph", "stephie"],
    &["stephen", "steven", "steve", "stevie"],
    &["susan", "sue", "susie", "suzy", "suzanne", "susanna", "susannah"],
    &["theodore", "theo", "ted", "teddy"],
    &["thomas", "tom", "tommy", "thom"],
    &["timothy", "tim", "timmy"],
    &["valerie", "val"],
    &["victoria", "vicky", "vickie", "tori", "vic"],
    &["vincent", "vince", "vinnie"],
    &["walter", "walt", "wally"],
    &["william", "will", "willy", "willie", "bill", "billy", "liam"],
    &["zachary", "zach", "zack", "zac"],
];

/// True when the two (normalized, lower-case) given names are nicknames of one another or
/// variants of one formal name.
pub(super) fn equivalent(a: &str, b: &str) -> bool {
    if a.is_empty() || b.is_empty() || a == b {
        return false;
    }
    GROUPS.iter().any(|group| group.contains(&a) && group.contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nicknames_are_symmetric_and_specific() {
        assert!(equivalent("bill", "william"));
        assert!(equivalent("william", "bill"));
        assert!(equivalent("peggy", "margaret"));
        assert!(equivalent("bob", "bert"));
        assert!(!equivalent("bill", "robert"));
        assert!(!equivalent("", "william"));
        assert!(!equivalent("william", "william"));
    }

    #[test]
    fn table_is_normalized() {
        for group in GROUPS {
            for name in *group {
                assert!(!name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase()), "{name}");
            }
        }
    }
}
