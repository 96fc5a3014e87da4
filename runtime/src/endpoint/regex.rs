//! A small regular-expression engine for the patterns endpoint data carries, such as
//! the `regionRegex` of each partition in `partitions.json`.
//!
//! The runtime stays free of a regex dependency (compile time is a product feature),
//! so this module supports the subset those patterns use, and refuses the rest with an
//! error instead of guessing:
//!
//! * anchors `^` and `$` (also `\A` and `\z`), which match only at the very start and
//!   very end of the text (no multi-line mode, and `$` does not match before a final
//!   newline);
//! * literals, `.` (any character but `\n`), and escapes: `\d`, `\w`, `\s` and their
//!   negations `\D`, `\W`, `\S` (ASCII definitions), `\n`, `\r`, `\t`, `\f`, `\v`,
//!   `\xHH`, and any escaped character that is not a letter or digit (`\-`, `\.`, …);
//! * classes `[a-z0-9-]` with ranges, negation `[^…]` and the escapes above;
//! * groups `( … )` and `(?: … )` with alternation `|`;
//! * quantifiers `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}` (a trailing lazy `?` is accepted;
//!   it cannot change whether a text matches).
//!
//! Matching runs the compiled program as a Thompson NFA (a Pike VM without captures):
//! every pattern position is tracked at once, so the work is bounded by
//! `text length × program size` and pathological patterns such as `(a+)+$` cannot
//! backtrack exponentially. Unanchored patterns search anywhere in the text, as
//! `Regex::is_match` does in every mainstream engine.

use std::fmt;

/// The most instructions a compiled pattern may have: keeps counted repetitions such
/// as `(a{1000}){1000}` from exhausting memory.
const MAX_INSTRUCTIONS: usize = 10_000;

/// The largest count accepted in `{n}`, `{n,}` and `{n,m}`.
const MAX_REPEAT: u32 = 1_000;

/// The deepest group nesting accepted, so parsing cannot overflow the stack.
const MAX_NESTING: usize = 64;

/// A compiled pattern, ready to test texts against.
#[derive(Clone)]
pub(crate) struct Regex {
    insts: Vec<Inst>,
    classes: Vec<Class>,
    /// True when every match must start at position 0, so the search can stop as soon
    /// as no thread is alive.
    anchored_start: bool,
}

impl fmt::Debug for Regex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Regex")
            .field("instructions", &self.insts.len())
            .finish()
    }
}

/// Compiles `pattern`, or says why this engine cannot run it.
pub(crate) fn compile(pattern: &str) -> Result<Regex, String> {
    let mut parser = Parser {
        chars: pattern.chars().collect(),
        pos: 0,
        depth: 0,
        classes: Vec::new(),
    };
    let node = parser.parse_alternation()?;
    if parser.pos < parser.chars.len() {
        // The only way the top-level alternation stops early is an unmatched `)`.
        return Err(format!(
            "unmatched `)` at offset {} in pattern `{pattern}`",
            parser.pos
        ));
    }
    let mut compiler = Compiler { insts: Vec::new() };
    compiler.emit_node(&node)?;
    compiler.push(Inst::Match)?;
    let anchored_start = matches!(compiler.insts.first(), Some(Inst::Start));
    Ok(Regex {
        insts: compiler.insts,
        classes: parser.classes,
        anchored_start,
    })
}

impl Regex {
    /// Whether the pattern matches anywhere in `text` (it is anchored only where it
    /// says `^` or `$`).
    pub(crate) fn is_match(&self, text: &str) -> bool {
        let mut current = ThreadSet::new(self.insts.len());
        let mut next = ThreadSet::new(self.insts.len());
        let mut stack = Vec::new();
        let mut chars = text.chars();
        let mut ch = chars.next();
        let mut at_start = true;
        loop {
            let at_end = ch.is_none();
            // Start a new attempt at this position: an unanchored search.
            if (at_start || !self.anchored_start)
                && self.add_thread(&mut current, 0, at_start, at_end, &mut stack)
            {
                return true;
            }
            let Some(c) = ch else { return false };
            if current.is_empty() && self.anchored_start {
                return false;
            }
            let following = chars.next();
            next.clear();
            for &pc in &current.dense {
                let advances = match self.insts[pc] {
                    Inst::Char(expected) => c == expected,
                    Inst::Any => c != '\n',
                    Inst::Class(index) => self.classes[index].matches(c),
                    _ => false,
                };
                if advances
                    && self.add_thread(&mut next, pc + 1, false, following.is_none(), &mut stack)
                {
                    return true;
                }
            }
            std::mem::swap(&mut current, &mut next);
            ch = following;
            at_start = false;
        }
    }

    /// Adds `pc` and everything reachable from it without consuming a character to
    /// `set`; true when that reaches `Match`.
    fn add_thread(
        &self,
        set: &mut ThreadSet,
        pc: usize,
        at_start: bool,
        at_end: bool,
        stack: &mut Vec<usize>,
    ) -> bool {
        stack.clear();
        stack.push(pc);
        while let Some(pc) = stack.pop() {
            if !set.insert(pc) {
                continue;
            }
            match self.insts[pc] {
                Inst::Match => return true,
                Inst::Jump(target) => stack.push(target),
                Inst::Split(first, second) => {
                    stack.push(second);
                    stack.push(first);
                }
                Inst::Start if at_start => stack.push(pc + 1),
                Inst::End if at_end => stack.push(pc + 1),
                _ => {}
            }
        }
        false
    }
}

/// One instruction of the compiled program.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Inst {
    /// Consume this character.
    Char(char),
    /// Consume any character but `\n`.
    Any,
    /// Consume a character of the class at this index.
    Class(usize),
    /// Assert the start of the text.
    Start,
    /// Assert the end of the text.
    End,
    /// Continue at both targets.
    Split(usize, usize),
    /// Continue at the target.
    Jump(usize),
    /// The pattern matched.
    Match,
}

/// A set of program counters with O(1) insert and clear proportional to its size.
struct ThreadSet {
    dense: Vec<usize>,
    present: Vec<bool>,
}

impl ThreadSet {
    fn new(size: usize) -> Self {
        ThreadSet {
            dense: Vec::with_capacity(size),
            present: vec![false; size],
        }
    }

    fn insert(&mut self, pc: usize) -> bool {
        if self.present[pc] {
            return false;
        }
        self.present[pc] = true;
        self.dense.push(pc);
        true
    }

    fn is_empty(&self) -> bool {
        self.dense.is_empty()
    }

    fn clear(&mut self) {
        for &pc in &self.dense {
            self.present[pc] = false;
        }
        self.dense.clear();
    }
}

/// A bracket class or a class escape such as `\d`.
#[derive(Clone, Debug, PartialEq)]
struct Class {
    negated: bool,
    items: Vec<ClassItem>,
}

impl Class {
    fn matches(&self, c: char) -> bool {
        self.items.iter().any(|item| item.matches(c)) != self.negated
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum ClassItem {
    /// An inclusive range; a single character is a range of one.
    Range(char, char),
    /// `\d`, `\w` or `\s`, negated for `\D`, `\W`, `\S`.
    Perl(Perl, bool),
}

impl ClassItem {
    fn matches(self, c: char) -> bool {
        match self {
            ClassItem::Range(low, high) => low <= c && c <= high,
            ClassItem::Perl(perl, negated) => perl.matches(c) != negated,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Perl {
    Digit,
    Word,
    Space,
}

impl Perl {
    fn matches(self, c: char) -> bool {
        match self {
            Perl::Digit => c.is_ascii_digit(),
            Perl::Word => c.is_ascii_alphanumeric() || c == '_',
            Perl::Space => matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0B' | '\x0C'),
        }
    }
}

/// The parsed pattern.
#[derive(Debug, PartialEq)]
enum Node {
    Empty,
    Char(char),
    Any,
    /// Index into the parser's classes.
    Class(usize),
    Start,
    End,
    Concat(Vec<Node>),
    Alternation(Vec<Node>),
    Repeat {
        node: Box<Node>,
        min: u32,
        max: Option<u32>,
    },
}

/// What an escape outside a class stands for.
enum Escape {
    Char(char),
    Perl(Perl, bool),
    Start,
    End,
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    depth: usize,
    classes: Vec<Class>,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.pos + offset).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        Some(c)
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn error(&self, message: &str) -> String {
        let pattern: String = self.chars.iter().collect();
        format!("{message} at offset {} in pattern `{pattern}`", self.pos)
    }

    /// `concat ( '|' concat )*`, stopping before `)` or the end.
    fn parse_alternation(&mut self) -> Result<Node, String> {
        let mut branches = vec![self.parse_concat()?];
        while self.eat('|') {
            branches.push(self.parse_concat()?);
        }
        Ok(if branches.len() == 1 {
            branches.remove(0)
        } else {
            Node::Alternation(branches)
        })
    }

    fn parse_concat(&mut self) -> Result<Node, String> {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            items.push(self.parse_repeat()?);
        }
        Ok(match items.len() {
            0 => Node::Empty,
            1 => items.remove(0),
            _ => Node::Concat(items),
        })
    }

    /// An atom followed by at most one quantifier (and its optional lazy `?`).
    fn parse_repeat(&mut self) -> Result<Node, String> {
        let atom = self.parse_atom()?;
        let Some((min, max)) = self.parse_quantifier()? else {
            return Ok(atom);
        };
        // A lazy quantifier finds the same matches for `is_match`; accept and ignore it.
        self.eat('?');
        if matches!(self.peek(), Some('*' | '+' | '?' | '{')) {
            return Err(self
                .error("nested quantifier (possessive and stacked quantifiers are unsupported)"));
        }
        Ok(Node::Repeat {
            node: Box::new(atom),
            min,
            max,
        })
    }

    fn parse_quantifier(&mut self) -> Result<Option<(u32, Option<u32>)>, String> {
        let bounds = match self.peek() {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            Some('{') => {
                self.pos += 1;
                return self.parse_counted().map(Some);
            }
            _ => return Ok(None),
        };
        self.pos += 1;
        Ok(Some(bounds))
    }

    /// The rest of `{n}`, `{n,}` or `{n,m}` after the `{`.
    fn parse_counted(&mut self) -> Result<(u32, Option<u32>), String> {
        let min = self.parse_count()?;
        let max = if self.eat(',') {
            if self.peek() == Some('}') {
                None
            } else {
                Some(self.parse_count()?)
            }
        } else {
            Some(min)
        };
        if !self.eat('}') {
            return Err(
                self.error("malformed counted repetition (expected `{n}`, `{n,}` or `{n,m}`)")
            );
        }
        if max.is_some_and(|max| max < min) {
            return Err(self.error("counted repetition with max < min"));
        }
        Ok((min, max))
    }

    fn parse_count(&mut self) -> Result<u32, String> {
        let start = self.pos;
        let mut value: u32 = 0;
        while let Some(digit) = self.peek().and_then(|c| c.to_digit(10)) {
            self.pos += 1;
            value = value.saturating_mul(10).saturating_add(digit);
        }
        if self.pos == start {
            return Err(self.error("expected a number in counted repetition"));
        }
        if value > MAX_REPEAT {
            return Err(self.error(&format!("repetition count above {MAX_REPEAT}")));
        }
        Ok(value)
    }

    fn parse_atom(&mut self) -> Result<Node, String> {
        let Some(c) = self.bump() else {
            return Err(self.error("expected an expression"));
        };
        match c {
            '(' => self.parse_group(),
            '[' => {
                let class = self.parse_class()?;
                self.classes.push(class);
                Ok(Node::Class(self.classes.len() - 1))
            }
            '.' => Ok(Node::Any),
            '^' => Ok(Node::Start),
            '$' => Ok(Node::End),
            '\\' => Ok(match self.parse_escape()? {
                Escape::Char(c) => Node::Char(c),
                Escape::Perl(perl, negated) => {
                    self.classes.push(Class {
                        negated: false,
                        items: vec![ClassItem::Perl(perl, negated)],
                    });
                    Node::Class(self.classes.len() - 1)
                }
                Escape::Start => Node::Start,
                Escape::End => Node::End,
            }),
            '*' | '+' | '?' | '{' => {
                self.pos -= 1;
                Err(self.error("quantifier with nothing to repeat"))
            }
            other => Ok(Node::Char(other)),
        }
    }

    /// The rest of a group after its `(`.
    fn parse_group(&mut self) -> Result<Node, String> {
        if self.eat('?') && !self.eat(':') {
            return Err(self.error("unsupported group syntax (only `( … )` and `(?: … )`)"));
        }
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(self.error("groups nested too deeply"));
        }
        let inner = self.parse_alternation()?;
        if !self.eat(')') {
            return Err(self.error("unclosed group"));
        }
        self.depth -= 1;
        Ok(inner)
    }

    /// The rest of an escape after its `\`, outside a class.
    fn parse_escape(&mut self) -> Result<Escape, String> {
        let Some(c) = self.bump() else {
            return Err(self.error("pattern ends with `\\`"));
        };
        Ok(match c {
            'd' => Escape::Perl(Perl::Digit, false),
            'D' => Escape::Perl(Perl::Digit, true),
            'w' => Escape::Perl(Perl::Word, false),
            'W' => Escape::Perl(Perl::Word, true),
            's' => Escape::Perl(Perl::Space, false),
            'S' => Escape::Perl(Perl::Space, true),
            'A' => Escape::Start,
            'z' => Escape::End,
            _ => Escape::Char(self.escaped_char(c)?),
        })
    }

    /// A character escape (`\n`, `\xHH`, `\.`, …) whose letter `c` was just read.
    fn escaped_char(&mut self, c: char) -> Result<char, String> {
        Ok(match c {
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'f' => '\x0C',
            'v' => '\x0B',
            'x' => {
                let high = self.peek().and_then(|c| c.to_digit(16));
                let low = self.peek_at(1).and_then(|c| c.to_digit(16));
                match (high, low) {
                    (Some(high), Some(low)) => {
                        self.pos += 2;
                        // Two hex digits are at most 0xFF, always a valid char.
                        char::from_u32(high * 16 + low).unwrap_or('\0')
                    }
                    _ => return Err(self.error("`\\x` needs exactly two hex digits")),
                }
            }
            c if c.is_ascii_alphanumeric() => {
                self.pos -= 1;
                return Err(self.error(&format!("unsupported escape `\\{c}`")));
            }
            // Escaped punctuation, space or non-ASCII stands for itself.
            other => other,
        })
    }

    /// The rest of a bracket class after its `[`.
    fn parse_class(&mut self) -> Result<Class, String> {
        let negated = self.eat('^');
        let mut items = Vec::new();
        let mut first = true;
        loop {
            let Some(c) = self.bump() else {
                return Err(self.error("unclosed character class"));
            };
            if c == ']' && !first {
                break;
            }
            first = false;
            let low = match c {
                '\\' => match self.parse_class_escape()? {
                    ClassItem::Range(low, _) => low,
                    perl => {
                        if self.peek() == Some('-') && !matches!(self.peek_at(1), Some(']') | None)
                        {
                            return Err(self.error("class escape used as a range bound"));
                        }
                        items.push(perl);
                        continue;
                    }
                },
                '[' if self.peek() == Some(':') => {
                    return Err(self.error("POSIX classes like `[:alpha:]` are unsupported"));
                }
                other => other,
            };
            // `a-z` is a range unless the `-` is last, as in `[a-]`.
            if self.peek() == Some('-') && !matches!(self.peek_at(1), Some(']') | None) {
                self.pos += 1;
                let high = match self.bump() {
                    Some('\\') => match self.parse_class_escape()? {
                        ClassItem::Range(high, _) => high,
                        ClassItem::Perl(..) => {
                            return Err(self.error("class escape used as a range bound"))
                        }
                    },
                    Some(high) => high,
                    None => return Err(self.error("unclosed character class")),
                };
                if high < low {
                    return Err(self.error(&format!("invalid range `{low}-{high}`")));
                }
                items.push(ClassItem::Range(low, high));
            } else {
                items.push(ClassItem::Range(low, low));
            }
        }
        Ok(Class { negated, items })
    }

    /// An escape inside a class, after its `\`.
    fn parse_class_escape(&mut self) -> Result<ClassItem, String> {
        let Some(c) = self.bump() else {
            return Err(self.error("pattern ends with `\\`"));
        };
        Ok(match c {
            'd' => ClassItem::Perl(Perl::Digit, false),
            'D' => ClassItem::Perl(Perl::Digit, true),
            'w' => ClassItem::Perl(Perl::Word, false),
            'W' => ClassItem::Perl(Perl::Word, true),
            's' => ClassItem::Perl(Perl::Space, false),
            'S' => ClassItem::Perl(Perl::Space, true),
            _ => {
                let c = self.escaped_char(c)?;
                ClassItem::Range(c, c)
            }
        })
    }
}

struct Compiler {
    insts: Vec<Inst>,
}

impl Compiler {
    fn push(&mut self, inst: Inst) -> Result<usize, String> {
        if self.insts.len() >= MAX_INSTRUCTIONS {
            return Err(format!("pattern too large (more than {MAX_INSTRUCTIONS} instructions once repetitions are expanded)"));
        }
        self.insts.push(inst);
        Ok(self.insts.len() - 1)
    }

    /// Points the split or jump at `at` to `target` (for a split, its second branch).
    fn patch(&mut self, at: usize, target: usize) {
        match &mut self.insts[at] {
            Inst::Split(_, second) => *second = target,
            Inst::Jump(to) => *to = target,
            _ => {}
        }
    }

    fn emit_node(&mut self, node: &Node) -> Result<(), String> {
        match node {
            Node::Empty => {}
            Node::Char(c) => {
                self.push(Inst::Char(*c))?;
            }
            Node::Any => {
                self.push(Inst::Any)?;
            }
            Node::Class(index) => {
                self.push(Inst::Class(*index))?;
            }
            Node::Start => {
                self.push(Inst::Start)?;
            }
            Node::End => {
                self.push(Inst::End)?;
            }
            Node::Concat(items) => {
                for item in items {
                    self.emit_node(item)?;
                }
            }
            Node::Alternation(branches) => self.emit_alternation(branches)?,
            Node::Repeat { node, min, max } => self.emit_repeat(node, *min, *max)?,
        }
        Ok(())
    }

    fn emit_alternation(&mut self, branches: &[Node]) -> Result<(), String> {
        let mut jumps_to_end = Vec::new();
        let (last, rest) = branches
            .split_last()
            .expect("an alternation has at least two branches");
        for branch in rest {
            let split = self.push(Inst::Split(0, 0))?;
            self.insts[split] = Inst::Split(split + 1, 0);
            self.emit_node(branch)?;
            jumps_to_end.push(self.push(Inst::Jump(0))?);
            let next_branch = self.insts.len();
            self.patch(split, next_branch);
        }
        self.emit_node(last)?;
        let end = self.insts.len();
        for jump in jumps_to_end {
            self.patch(jump, end);
        }
        Ok(())
    }

    fn emit_repeat(&mut self, node: &Node, min: u32, max: Option<u32>) -> Result<(), String> {
        match max {
            None if min == 0 => {
                // loop: split(body, out); body; jump loop; out:
                let split = self.push(Inst::Split(0, 0))?;
                self.insts[split] = Inst::Split(split + 1, 0);
                self.emit_node(node)?;
                self.push(Inst::Jump(split))?;
                let out = self.insts.len();
                self.patch(split, out);
            }
            None => {
                // min - 1 copies, then body; split(body, out).
                for _ in 1..min {
                    self.emit_node(node)?;
                }
                let body = self.insts.len();
                self.emit_node(node)?;
                let split = self.push(Inst::Split(body, 0))?;
                self.patch(split, split + 1);
            }
            Some(max) => {
                for _ in 0..min {
                    self.emit_node(node)?;
                }
                // Each optional copy may be skipped to the common end.
                let mut splits = Vec::new();
                for _ in min..max {
                    let split = self.push(Inst::Split(0, 0))?;
                    self.insts[split] = Inst::Split(split + 1, 0);
                    splits.push(split);
                    self.emit_node(node)?;
                }
                let out = self.insts.len();
                for split in splits {
                    self.patch(split, out);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn matches(pattern: &str, text: &str) -> bool {
        compile(pattern)
            .unwrap_or_else(|e| panic!("{e}"))
            .is_match(text)
    }

    /// Every `regionRegex` in botocore's partitions.json, as of the model in this repo.
    const AWS: &str = r"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$";
    const AWS_CN: &str = r"^cn\-\w+\-\d+$";
    const AWS_EUSC: &str = r"^eusc\-(de)\-\w+\-\d+$";
    const AWS_ISO: &str = r"^us\-iso\-\w+\-\d+$";
    const AWS_ISO_B: &str = r"^us\-isob\-\w+\-\d+$";
    const AWS_ISO_E: &str = r"^eu\-isoe\-\w+\-\d+$";
    const AWS_ISO_F: &str = r"^us\-isof\-\w+\-\d+$";
    const AWS_US_GOV: &str = r"^us\-gov\-\w+\-\d+$";

    #[test]
    fn partition_regexes_match_their_regions() {
        for region in [
            "us-east-1",
            "eu-west-3",
            "ap-southeast-7",
            "mx-central-1",
            "il-central-1",
            "us-east-99",
        ] {
            assert!(matches(AWS, region), "{region}");
        }
        assert!(matches(AWS_CN, "cn-north-1"));
        assert!(matches(AWS_CN, "cn-south-9"));
        assert!(matches(AWS_EUSC, "eusc-de-east-1"));
        assert!(matches(AWS_EUSC, "eusc-de-west-1"));
        assert!(matches(AWS_ISO, "us-iso-east-1"));
        assert!(matches(AWS_ISO_B, "us-isob-west-9"));
        assert!(matches(AWS_ISO_E, "eu-isoe-west-1"));
        assert!(matches(AWS_ISO_F, "us-isof-south-1"));
        assert!(matches(AWS_US_GOV, "us-gov-north-3"));
        // `\w` includes `_` and digits, but not `-`.
        assert!(matches(AWS, "us-east_2x-10"));
        assert!(!matches(AWS, "us-gov-west-1"));
        assert!(!matches(AWS, "us-iso-east-1"));
    }

    #[test]
    fn partition_regexes_reject_other_strings() {
        for region in [
            "",
            "us-east",
            "us-east-",
            "us--1",
            "us-east-1a",
            "xus-east-1",
            "us-east-1\n",
            " us-east-1",
            "US-EAST-1",
            "cn-north-1",
            "aws-global",
            "us-east-١", // an Arabic-Indic digit is not `\d`
            "us-east-1-",
        ] {
            assert!(!matches(AWS, region), "{region:?}");
        }
        assert!(!matches(AWS_CN, "us-east-1"));
        assert!(!matches(AWS_CN, "cn-north"));
        assert!(!matches(AWS_EUSC, "eusc-fr-east-1"));
        assert!(!matches(AWS_EUSC, "eusc-de-1"));
        assert!(!matches(AWS_ISO, "us-isob-east-1"));
        assert!(!matches(AWS_ISO_B, "us-iso-east-1"));
        assert!(!matches(AWS_ISO_E, "eu-west-1"));
        assert!(!matches(AWS_ISO_F, "us-isof-south"));
        assert!(!matches(AWS_US_GOV, "us-east-1"));
    }

    #[test]
    fn anchors_and_unanchored_search() {
        assert!(matches("abc", "xxabcxx"));
        assert!(!matches("^abc", "xabc"));
        assert!(!matches("abc$", "abcx"));
        assert!(matches("abc$", "xabc"));
        assert!(matches("^$", ""));
        assert!(!matches("^$", "a"));
        assert!(matches("", "anything"));
        assert!(matches("a|^b", "xa"));
        assert!(!matches("a|^b", "xb"));
        assert!(matches(r"\Aab\z", "ab"));
        assert!(!matches(r"\Aab\z", "abc"));
        // `$` is the very end, not before a trailing newline.
        assert!(!matches("^a$", "a\n"));
    }

    #[test]
    fn literals_dot_and_escapes() {
        assert!(matches("a.c", "abc"));
        assert!(!matches("a.c", "a\nc"));
        assert!(matches("a.c", "aéc"));
        assert!(matches(r"a\.c", "a.c"));
        assert!(!matches(r"a\.c", "abc"));
        assert!(matches(r"^\d\D\w\W\s\S$", "1a_- x"));
        assert!(!matches(r"^\d$", "a"));
        assert!(matches(r"^\x41\t$", "A\t"));
        assert!(matches(
            r"^\(\)\[\]\{\}\*\+\?\|\^\$\\\/$",
            r"()[]{}*+?|^$\/"
        ));
        assert!(matches("^a]}$", "a]}"));
        assert!(matches("^é+$", "ééé"));
    }

    #[test]
    fn classes() {
        assert!(matches("^[a-z0-9-]+$", "us-east-1"));
        assert!(!matches("^[a-z0-9-]+$", "us_east"));
        assert!(matches("^[^a-z]$", "A"));
        assert!(!matches("^[^a-z]$", "q"));
        assert!(matches("^[]a]+$", "]a]"));
        assert!(matches("^[-a]+$", "-a"));
        assert!(matches("^[a-]+$", "-a"));
        assert!(matches(r"^[\w.-]+$", "a.b-c_d"));
        assert!(!matches(r"^[\w.-]+$", "a b"));
        assert!(matches(r"^[\D]+$", "ab"));
        assert!(!matches(r"^[\D]+$", "a1"));
        assert!(matches(r"^[^\d]$", "x"));
        assert!(matches(r"^[\]\\]+$", r"]\"));
        assert!(matches(r"^[\x30-\x39]$", "7"));
        assert!(matches("^[.]$", "."));
        assert!(!matches("^[.]$", "a"));
    }

    #[test]
    fn groups_alternation_and_quantifiers() {
        assert!(matches("^(ab|cd)+$", "abcdab"));
        assert!(!matches("^(ab|cd)+$", "abc"));
        assert!(matches("^(?:ab|)c$", "c"));
        assert!(matches("^(|x)y$", "xy"));
        assert!(matches("^a?b*c+$", "c"));
        assert!(matches("^a?b*c+$", "abbcc"));
        assert!(!matches("^a?b*c+$", "aab"));
        assert!(matches("^a{3}$", "aaa"));
        assert!(!matches("^a{3}$", "aa"));
        assert!(!matches("^a{3}$", "aaaa"));
        assert!(matches("^a{2,}$", "aaaaa"));
        assert!(!matches("^a{2,}$", "a"));
        assert!(matches("^a{2,3}$", "aa"));
        assert!(matches("^a{2,3}$", "aaa"));
        assert!(!matches("^a{2,3}$", "aaaa"));
        assert!(matches("^a{0}b$", "b"));
        assert!(matches("^(a|b){1,2}c$", "bac"));
        assert!(matches("^a+?b*?c??$", "aab"));
        assert!(matches("^(a*)*$", "aaa"));
        assert!(matches("^(a*)+b$", "b"));
        assert!(matches("^((a|b)(c|d))*$", "acbdad"));
        // Quantified anchors are harmless empty loops.
        assert!(matches("^*a", "ba"));
        assert!(matches("(?:$){2}", "ab"));
        assert!(!matches("(^)+a", "ba"));
        assert!(!matches("^((a|b)(c|d))*$", "acb"));
    }

    #[test]
    fn unsupported_or_malformed_patterns_are_errors() {
        for pattern in [
            "(",
            "(a",
            "a)",
            "[a",
            "[",
            "[z-a]",
            "*a",
            "a**",
            "a+*",
            "a{",
            "a{x}",
            "a{2,1}",
            "a{1001}",
            "\\",
            r"\b",
            r"\p{L}",
            r"\1",
            "(?=a)",
            "(?i)a",
            "(?<n>a)",
            "[[:alpha:]]",
            r"\x4",
            r"[\d-z]",
            "a|*",
        ] {
            assert!(compile(pattern).is_err(), "{pattern:?} should be rejected");
        }
        let deep = format!("{}a{}", "(".repeat(100), ")".repeat(100));
        assert!(compile(&deep).is_err());
        assert!(compile("(a{1000}){1000}").is_err());
        assert!(compile("a{1000}").is_ok());
    }

    #[test]
    fn pathological_patterns_finish_quickly() {
        let start = Instant::now();
        let text = format!("{}b", "a".repeat(30));
        assert!(!matches("^(a+)+$", &text));
        assert!(!matches("(a+)+$", &format!("{}!", "a".repeat(30))));
        assert!(matches("(a+)+$", &text.replace('b', "")));
        assert!(!matches("^(a|a)*$", &text));
        assert!(!matches("^(a*)*b$", &"a".repeat(5_000)));
        assert!(!matches("(x+x+)+y", &"x".repeat(5_000)));
        assert!(matches("^(.*a){20}$", &"a".repeat(40)));
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "took {:?}",
            start.elapsed()
        );
    }
}
