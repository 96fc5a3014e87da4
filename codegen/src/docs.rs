//! Converts the HTML documentation strings of botocore service models into Markdown for rustdoc.
//!
//! Botocore documents shapes, members and operations with a small, loosely written subset of
//! HTML (`<p>`, `<code>`, `<a>`, lists, and the AWS-specific `<note>`, `<important>` and
//! `<fullname>`). Copying that HTML into `///` comments verbatim would render poorly and trip
//! rustdoc's lints (`invalid_html_tags`, `bare_urls`, broken intra-doc links from stray `[..]`),
//! so this module parses it leniently, never panicking on malformed input, into a small tree and
//! renders that tree as escaped Markdown lines. Code spans that name a model shape can become
//! intra-doc links through a caller-supplied callback.
//!
//! The only entry point is [`html_to_markdown`]; it depends on nothing outside `std`.

/// Stands for a `<br>` inside rendered inline text until paragraphs are split into lines.
const HARD_BREAK: char = '\0';

/// Open elements deeper than this are flattened into their parent, so adversarial nesting can
/// not exhaust the stack of the recursive renderer.
const MAX_DEPTH: usize = 64;

/// Converts a botocore HTML doc string into Markdown lines (no trailing newlines in the items, no
/// leading `///`).
///
/// `link` is asked, for the text inside each `<code>...</code>` element, whether it names a model
/// shape; when it returns `Some(rust_path)` the code span becomes an intra-doc link
/// ``[`Text`](rust_path)`` instead of plain `` `Text` ``. It is not consulted for code inside an
/// `<a>` element (links cannot nest) or inside `<pre>`, and the returned path is used verbatim.
///
/// Paragraphs are separated by exactly one empty line, lines carry no leading or trailing
/// whitespace beyond list indentation, and empty or whitespace-only input gives an empty `Vec`.
/// Plain text is escaped so that rustdoc renders it literally (`[`, `]`, `*`, `` ` ``, `\`,
/// `~`, `_` where it could start emphasis, `<` and `>` as entities) and bare `http(s)://` URLs
/// are wrapped in `<...>` autolinks.
pub fn html_to_markdown(html: &str, link: &dyn Fn(&str) -> Option<String>) -> Vec<String> {
    if html.trim().is_empty() {
        return Vec::new();
    }
    let nodes = build_tree(tokenize(html));
    let mut builder = Builder::new(link, false);
    builder.visit_all(&nodes);
    let blocks = builder.finish();

    let mut out = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        if i > 0 {
            out.push(String::new());
        }
        layout_block(block, "", &mut out);
    }
    for line in &mut out {
        let trimmed = line.trim_end().len();
        line.truncate(trimmed);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Tokenizer
// ---------------------------------------------------------------------------------------------

/// One lexical item of the HTML input.
#[derive(Debug, PartialEq)]
enum Token {
    /// Character data with entities already decoded.
    Text(String),
    /// An opening (or self-closing) tag; names are lower-cased.
    Start {
        name: String,
        attrs: Vec<(String, String)>,
        self_closing: bool,
    },
    /// A closing tag; the name is lower-cased.
    End(String),
}

/// Splits `html` into tokens. A `<` that does not begin a well-formed tag is kept as text.
fn tokenize(html: &str) -> Vec<Token> {
    let bytes = html.as_bytes();
    let mut tokens = Vec::new();
    let mut text_start = 0;
    let mut pending_text = String::new();
    let mut pos = 0;
    while let Some(offset) = html[pos..].find('<') {
        let lt = pos + offset;
        match parse_markup(html, bytes, lt) {
            Some((token, end)) => {
                pending_text.push_str(&html[text_start..lt]);
                if !pending_text.is_empty() {
                    tokens.push(Token::Text(decode_entities(&pending_text)));
                    pending_text.clear();
                }
                if let Some(token) = token {
                    tokens.push(token);
                }
                pos = end;
                text_start = end;
            }
            None => pos = lt + 1,
        }
    }
    pending_text.push_str(&html[text_start..]);
    if !pending_text.is_empty() {
        tokens.push(Token::Text(decode_entities(&pending_text)));
    }
    tokens
}

/// Parses the markup starting at the `<` at byte `lt`. Returns the token (`None` for comments
/// and declarations, which are skipped) and the byte offset just past it, or `None` when the `<`
/// does not start markup and is therefore literal text.
fn parse_markup(html: &str, bytes: &[u8], lt: usize) -> Option<(Option<Token>, usize)> {
    let rest = &html[lt..];
    if let Some(comment) = rest.strip_prefix("<!--") {
        let end = comment.find("-->").map_or(html.len(), |i| lt + 4 + i + 3);
        return Some((None, end));
    }
    match bytes.get(lt + 1) {
        Some(b'!') | Some(b'?') => {
            let close = rest.find('>')?;
            if rest[1..close].contains('<') {
                return None;
            }
            Some((None, lt + close + 1))
        }
        Some(b'/') => {
            let (name, mut i) = parse_name(bytes, lt + 2)?;
            while i < bytes.len() && bytes[i] != b'>' {
                if bytes[i] == b'<' {
                    return None;
                }
                i += 1;
            }
            if i >= bytes.len() {
                return None;
            }
            Some((Some(Token::End(name)), i + 1))
        }
        Some(_) => parse_start_tag(html, bytes, lt),
        None => None,
    }
}

/// Reads a tag name starting at byte `start`: an ASCII letter followed by letters, digits, `-`,
/// `_`, `:` or `.`, and then whitespace, `/` or `>`. Returns the lower-cased name and the offset
/// after it.
fn parse_name(bytes: &[u8], start: usize) -> Option<(String, usize)> {
    if !bytes.get(start)?.is_ascii_alphabetic() {
        return None;
    }
    let mut i = start;
    while i < bytes.len()
        && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'-' | b'_' | b':' | b'.'))
    {
        i += 1;
    }
    match bytes.get(i) {
        Some(b) if b.is_ascii_whitespace() || *b == b'/' || *b == b'>' => {}
        _ => return None,
    }
    let name = String::from_utf8_lossy(&bytes[start..i]).to_ascii_lowercase();
    Some((name, i))
}

/// Parses `<name attr="value" ...>` or `<name .../>` at byte `lt`.
fn parse_start_tag(html: &str, bytes: &[u8], lt: usize) -> Option<(Option<Token>, usize)> {
    let (name, mut i) = parse_name(bytes, lt + 1)?;
    let mut attrs = Vec::new();
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        match bytes.get(i)? {
            b'>' => {
                let token = Token::Start {
                    name,
                    attrs,
                    self_closing: false,
                };
                return Some((Some(token), i + 1));
            }
            b'/' if bytes.get(i + 1) == Some(&b'>') => {
                let token = Token::Start {
                    name,
                    attrs,
                    self_closing: true,
                };
                return Some((Some(token), i + 2));
            }
            b'<' => return None,
            b'/' | b'"' | b'\'' | b'=' => {
                i += 1;
                continue;
            }
            _ => {}
        }
        let name_start = i;
        while i < bytes.len()
            && !bytes[i].is_ascii_whitespace()
            && !matches!(bytes[i], b'=' | b'>' | b'/' | b'<' | b'"' | b'\'')
        {
            i += 1;
        }
        let attr_name = html[name_start..i].to_ascii_lowercase();
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if bytes.get(i) == Some(&b'=') {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            match bytes.get(i)? {
                &quote @ (b'"' | b'\'') => {
                    let close = i + 1 + html[i + 1..].find(quote as char)?;
                    value = decode_entities(&html[i + 1..close]);
                    i = close + 1;
                }
                _ => {
                    let value_start = i;
                    while i < bytes.len()
                        && !bytes[i].is_ascii_whitespace()
                        && !matches!(bytes[i], b'>' | b'<')
                    {
                        i += 1;
                    }
                    value = decode_entities(&html[value_start..i]);
                }
            }
        }
        attrs.push((attr_name, value));
    }
}

/// Decodes character references; anything that is not a recognised, `;`-terminated reference
/// is kept literally. `&nbsp;` becomes a plain space.
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        match decode_entity(rest) {
            Some((ch, len)) => {
                out.push(ch);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Decodes the character reference at the start of `s` (which begins with `&`), returning the
/// character and the reference's length in bytes.
fn decode_entity(s: &str) -> Option<(char, usize)> {
    let semi = s.char_indices().take(34).find(|&(_, c)| c == ';')?.0;
    let body = &s[1..semi];
    let ch = if let Some(num) = body.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                u32::from_str_radix(hex, 16).ok()?
            }
            Some(_) => return None,
            None if !num.is_empty() && num.bytes().all(|b| b.is_ascii_digit()) => {
                num.parse().ok()?
            }
            None => return None,
        };
        match code {
            0 => return None,
            0xA0 => ' ',
            _ => char::from_u32(code)?,
        }
    } else {
        match body {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            "nbsp" => ' ',
            "ndash" => '\u{2013}',
            "mdash" => '\u{2014}',
            "hellip" => '\u{2026}',
            "lsquo" => '\u{2018}',
            "rsquo" => '\u{2019}',
            "ldquo" => '\u{201C}',
            "rdquo" => '\u{201D}',
            "bull" => '\u{2022}',
            "middot" => '\u{B7}',
            "copy" => '\u{A9}',
            "reg" => '\u{AE}',
            "trade" => '\u{2122}',
            "times" => '\u{D7}',
            "deg" => '\u{B0}',
            _ => return None,
        }
    };
    Some((ch, semi + 1))
}

// ---------------------------------------------------------------------------------------------
// Tree
// ---------------------------------------------------------------------------------------------

/// A node of the lenient document tree.
#[derive(Debug)]
enum Node {
    Text(String),
    Element(Element),
}

/// An element with its lower-cased name, attributes and children.
#[derive(Debug)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
}

impl Element {
    fn new(name: String, attrs: Vec<(String, String)>) -> Self {
        Element {
            name,
            attrs,
            children: Vec::new(),
        }
    }

    /// The value of attribute `name`, if present.
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Elements that never have content.
fn is_void(name: &str) -> bool {
    matches!(
        name,
        "br" | "hr"
            | "img"
            | "wbr"
            | "input"
            | "meta"
            | "link"
            | "col"
            | "area"
            | "base"
            | "embed"
            | "param"
            | "source"
            | "track"
    )
}

/// Builds the tree the way a forgiving browser would, in a much simplified form: end tags close
/// every element opened after their match (and are ignored without one), `<li>`, `<dt>` and
/// `<dd>` close an open sibling item, and everything still open at the end is closed.
fn build_tree(tokens: Vec<Token>) -> Vec<Node> {
    fn close_top(stack: &mut Vec<Element>) {
        if stack.len() > 1 {
            if let Some(done) = stack.pop() {
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(Node::Element(done));
                }
            }
        }
    }
    fn close_item(stack: &mut Vec<Element>, items: &[&str], boundaries: &[&str]) {
        for i in (1..stack.len()).rev() {
            let name = stack[i].name.as_str();
            if items.contains(&name) {
                while stack.len() > i {
                    close_top(stack);
                }
                return;
            }
            if boundaries.contains(&name) {
                return;
            }
        }
    }

    let mut stack = vec![Element::new(String::new(), Vec::new())];
    for token in tokens {
        match token {
            Token::Text(text) => {
                if let Some(current) = stack.last_mut() {
                    match current.children.last_mut() {
                        Some(Node::Text(prev)) => prev.push_str(&text),
                        _ => current.children.push(Node::Text(text)),
                    }
                }
            }
            Token::Start {
                name,
                attrs,
                self_closing,
            } => {
                match name.as_str() {
                    "li" => close_item(&mut stack, &["li"], &["ul", "ol"]),
                    "dt" | "dd" => close_item(&mut stack, &["dt", "dd"], &["dl"]),
                    _ => {}
                }
                let element = Element::new(name, attrs);
                if self_closing || is_void(&element.name) || stack.len() > MAX_DEPTH {
                    if let Some(current) = stack.last_mut() {
                        current.children.push(Node::Element(element));
                    }
                } else {
                    stack.push(element);
                }
            }
            Token::End(name) => {
                if let Some(pos) = stack.iter().rposition(|e| e.name == name) {
                    if pos > 0 {
                        while stack.len() > pos {
                            close_top(&mut stack);
                        }
                    }
                }
            }
        }
    }
    while stack.len() > 1 {
        close_top(&mut stack);
    }
    stack.pop().map(|root| root.children).unwrap_or_default()
}

/// Appends the text of `nodes` without markup; `<br>` becomes `br` and `<fullname>` is skipped.
fn text_content(nodes: &[Node], br: &str, out: &mut String) {
    for node in nodes {
        match node {
            Node::Text(text) => out.push_str(text),
            Node::Element(e) => match e.name.as_str() {
                "br" => out.push_str(br),
                "fullname" => {}
                _ => text_content(&e.children, br, out),
            },
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Inline rendering
// ---------------------------------------------------------------------------------------------

/// What encloses the inline content being rendered.
#[derive(Clone, Copy, Default)]
struct InlineState {
    in_link: bool,
    bold: bool,
    italic: bool,
}

/// Elements that end a paragraph; met in inline context they only separate words.
fn is_blockish(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "ul"
            | "ol"
            | "li"
            | "dl"
            | "dd"
            | "table"
            | "thead"
            | "tbody"
            | "tfoot"
            | "tr"
            | "td"
            | "th"
            | "caption"
            | "blockquote"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "hr"
    )
}

/// True for `h1`..`h6`.
fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

/// Renders `node` as inline Markdown into `out`; whitespace is collapsed later.
fn render_inline(
    node: &Node,
    state: InlineState,
    link: &dyn Fn(&str) -> Option<String>,
    out: &mut String,
) {
    let element = match node {
        Node::Text(text) => {
            escape_text(text, !state.in_link, out);
            return;
        }
        Node::Element(element) => element,
    };
    let children = |state: InlineState, out: &mut String| {
        for child in &element.children {
            render_inline(child, state, link, out);
        }
    };
    let bold = InlineState {
        bold: true,
        ..state
    };
    // The children rendered in `state`, wrapped in `marker`.
    let wrapped = |state: InlineState, marker: &str, out: &mut String| {
        let mut inner = String::new();
        children(state, &mut inner);
        wrap_into(out, marker, &inner);
    };
    match element.name.as_str() {
        "fullname" => {}
        "br" => out.push(HARD_BREAK),
        "code" | "tt" => render_code(element, state, link, out),
        "a" => render_anchor(element, state, link, out),
        "b" | "strong" if !state.bold => wrapped(bold, "**", out),
        "i" | "em" if !state.italic => {
            let italic = InlineState {
                italic: true,
                ..state
            };
            wrapped(italic, "*", out);
        }
        "pre" => {
            let mut raw = String::new();
            text_content(&element.children, " ", &mut raw);
            out.push(' ');
            push_code_span(&collapse_whitespace(&raw), out);
            out.push(' ');
        }
        "note" | "important" => {
            let label = if element.name == "note" {
                "Note:"
            } else {
                "Important:"
            };
            out.push(' ');
            if state.bold {
                out.push_str(label);
            } else {
                out.push_str("**");
                out.push_str(label);
                out.push_str("**");
            }
            out.push(' ');
            children(state, out);
            out.push(' ');
        }
        name if is_heading(name) || name == "dt" => {
            out.push(' ');
            if state.bold {
                children(state, out);
            } else {
                wrapped(bold, "**", out);
            }
            out.push(' ');
        }
        name if is_blockish(name) => {
            out.push(' ');
            children(state, out);
            out.push(' ');
        }
        _ => children(state, out),
    }
}

/// Renders `<code>`: a code span, or an intra-doc link when `link` recognises the text.
fn render_code(
    element: &Element,
    state: InlineState,
    link: &dyn Fn(&str) -> Option<String>,
    out: &mut String,
) {
    let mut raw = String::new();
    text_content(&element.children, " ", &mut raw);
    let text = collapse_whitespace(&raw);
    if text.is_empty() {
        if !raw.is_empty() {
            out.push(' ');
        }
        return;
    }
    if raw.starts_with(char::is_whitespace) {
        out.push(' ');
    }
    let target = if state.in_link { None } else { link(&text) };
    match target {
        Some(path) => {
            out.push('[');
            push_code_span(&text, out);
            out.push_str("](");
            out.push_str(&path);
            out.push(')');
        }
        None => push_code_span(&text, out),
    }
    if raw.ends_with(char::is_whitespace) {
        out.push(' ');
    }
}

/// Renders `<a href>`: a Markdown link for absolute URLs, otherwise just its content.
fn render_anchor(
    element: &Element,
    state: InlineState,
    link: &dyn Fn(&str) -> Option<String>,
    out: &mut String,
) {
    let href = element.attr("href").unwrap_or("").trim();
    if state.in_link || !is_absolute_url(href) {
        for child in &element.children {
            render_inline(child, state, link, out);
        }
        return;
    }
    let mut inner = String::new();
    let link_state = InlineState {
        in_link: true,
        ..state
    };
    for child in &element.children {
        render_inline(child, link_state, link, &mut inner);
    }
    let mut plain = String::new();
    text_content(&element.children, " ", &mut plain);
    let trimmed = inner.trim_matches(is_space_or_break);
    if trimmed.is_empty() || collapse_whitespace(&plain) == href {
        push_leading_space(&inner, out);
        out.push('<');
        for c in href.chars() {
            match c {
                '<' => out.push_str("%3C"),
                '>' => out.push_str("%3E"),
                c if c.is_whitespace() => out.push_str("%20"),
                c => out.push(c),
            }
        }
        out.push('>');
        push_trailing_space(&inner, out);
        return;
    }
    push_leading_space(&inner, out);
    out.push('[');
    out.push_str(trimmed);
    out.push_str("](");
    for c in href.chars() {
        match c {
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '\\' => out.push_str("%5C"),
            c if c.is_whitespace() => out.push_str("%20"),
            c => out.push(c),
        }
    }
    out.push(')');
    push_trailing_space(&inner, out);
}

/// Whether `href` is a URL rustdoc can link to; relative references are rendered as text.
fn is_absolute_url(href: &str) -> bool {
    let lower = href.to_ascii_lowercase();
    ["http://", "https://", "mailto:", "ftp://"]
        .iter()
        .any(|scheme| lower.len() > scheme.len() && lower.starts_with(scheme))
}

/// Whitespace or a pending hard break: both must stay outside emphasis and link delimiters.
fn is_space_or_break(c: char) -> bool {
    c.is_whitespace() || c == HARD_BREAK
}

/// Re-emits the whitespace/hard breaks that lead `inner`.
fn push_leading_space(inner: &str, out: &mut String) {
    let body = inner.trim_start_matches(is_space_or_break);
    out.push_str(&inner[..inner.len() - body.len()]);
}

/// Re-emits the whitespace/hard breaks that end `inner`.
fn push_trailing_space(inner: &str, out: &mut String) {
    let body = inner.trim_end_matches(is_space_or_break);
    out.push_str(&inner[body.len()..]);
}

/// Appends `inner` wrapped in `marker` (`**` or `*`), keeping surrounding whitespace outside the
/// delimiters so that they stay valid emphasis delimiters.
fn wrap_into(out: &mut String, marker: &str, inner: &str) {
    let trimmed = inner.trim_matches(is_space_or_break);
    if trimmed.is_empty() {
        out.push_str(inner);
        return;
    }
    push_leading_space(inner, out);
    out.push_str(marker);
    out.push_str(trimmed);
    out.push_str(marker);
    push_trailing_space(inner, out);
}

/// Appends `text` as a code span, using a longer delimiter when it contains backticks.
fn push_code_span(text: &str, out: &mut String) {
    if text.is_empty() {
        return;
    }
    let longest = longest_run(text, '`');
    let delimiter = "`".repeat(longest + 1);
    out.push_str(&delimiter);
    if longest > 0 {
        out.push(' ');
    }
    out.push_str(text);
    if longest > 0 {
        out.push(' ');
    }
    out.push_str(&delimiter);
}

/// The length of the longest run of `c` in `text`.
fn longest_run(text: &str, c: char) -> usize {
    let (mut longest, mut current) = (0, 0);
    for ch in text.chars() {
        if ch == c {
            current += 1;
            longest = longest.max(current);
        } else {
            current = 0;
        }
    }
    longest
}

/// Collapses every run of whitespace to one space and trims the ends.
fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Escapes plain text for Markdown, wrapping bare `http(s)://` URLs in `<...>` when `autolink`.
fn escape_text(text: &str, autolink: bool, out: &mut String) {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if autolink {
            if let Some(len) = bare_url_len(&chars[i..]) {
                out.push('<');
                out.extend(&chars[i..i + len]);
                out.push('>');
                i += len;
                continue;
            }
        }
        let c = chars[i];
        match c {
            '\\' | '`' | '*' | '[' | ']' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '_' => {
                let prev = i > 0 && chars[i - 1].is_alphanumeric();
                let next = chars.get(i + 1).is_some_and(|c| c.is_alphanumeric());
                if !(prev && next) {
                    out.push('\\');
                }
                out.push('_');
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' if looks_like_entity(&chars[i + 1..]) => out.push_str("&amp;"),
            HARD_BREAK => out.push(' '),
            c => out.push(c),
        }
        i += 1;
    }
}

/// Whether the text after an `&` would be read by Markdown as a character reference.
fn looks_like_entity(rest: &[char]) -> bool {
    let body = rest.strip_prefix(&['#']).unwrap_or(rest);
    let len = body
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    len > 0 && body.get(len) == Some(&';')
}

/// The length in chars of the bare `http://`/`https://` URL at the start of `chars`, if any.
/// Trailing sentence punctuation and unbalanced closing brackets are not part of the URL.
fn bare_url_len(chars: &[char]) -> Option<usize> {
    let scheme = ["https://", "http://"].iter().find_map(|scheme| {
        let n = scheme.len();
        let matches = chars.len() > n
            && chars[..n]
                .iter()
                .zip(scheme.chars())
                .all(|(a, b)| a.to_ascii_lowercase() == b);
        matches.then_some(n)
    })?;
    let mut end = scheme;
    while end < chars.len() {
        let c = chars[end];
        if c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`' | HARD_BREAK) {
            break;
        }
        end += 1;
    }
    loop {
        let url = &chars[..end];
        let count = |c: char| url.iter().filter(|&&x| x == c).count();
        let strip = match url.last() {
            Some('.' | ',' | ';' | ':' | '!' | '?' | '\'' | '*' | '_' | '~') => true,
            Some(')') => count(')') > count('('),
            Some(']') => count(']') > count('['),
            Some('}') => count('}') > count('{'),
            _ => false,
        };
        if !strip || end <= scheme {
            break;
        }
        end -= 1;
    }
    chars[scheme..end]
        .iter()
        .any(|c| c.is_alphanumeric())
        .then_some(end)
}

// ---------------------------------------------------------------------------------------------
// Blocks
// ---------------------------------------------------------------------------------------------

/// A rendered block, laid out into lines by [`layout_block`].
#[derive(Debug)]
enum Block {
    /// One paragraph; several lines when it holds hard breaks. Lines are collapsed and trimmed.
    Para(Vec<String>),
    /// A list; each item is a sequence of blocks.
    List {
        ordered: bool,
        items: Vec<Vec<Block>>,
    },
    /// A fenced code block's raw lines.
    Code(Vec<String>),
}

/// Turns a sequence of nodes into blocks.
struct Builder<'a> {
    link: &'a dyn Fn(&str) -> Option<String>,
    blocks: Vec<Block>,
    /// Inline Markdown of the paragraph being collected.
    inline: String,
    /// `**Note:** ` style labels waiting for the next block of an admonition.
    prefix: Option<String>,
    /// Inside a list item: paragraphs are joined with spaces instead of separated.
    flatten: bool,
}

impl<'a> Builder<'a> {
    fn new(link: &'a dyn Fn(&str) -> Option<String>, flatten: bool) -> Self {
        Builder {
            link,
            blocks: Vec::new(),
            inline: String::new(),
            prefix: None,
            flatten,
        }
    }

    fn finish(mut self) -> Vec<Block> {
        self.flush();
        self.blocks
    }

    fn visit_all(&mut self, nodes: &[Node]) {
        for node in nodes {
            self.visit(node);
        }
    }

    fn visit(&mut self, node: &Node) {
        let element = match node {
            Node::Text(text) => {
                escape_text(text, true, &mut self.inline);
                return;
            }
            Node::Element(element) => element,
        };
        match element.name.as_str() {
            "fullname" => {}
            "br" => self.inline.push(HARD_BREAK),
            "hr" => self.flush(),
            "ul" => self.list(&element.children, false),
            "ol" => self.list(&element.children, true),
            "li" => self.list(std::slice::from_ref(node), false),
            "pre" => self.code_block(element),
            "note" => self.admonition(element, "**Note:** "),
            "important" => self.admonition(element, "**Important:** "),
            "code" | "tt" | "a" | "b" | "strong" | "i" | "em" => {
                render_inline(node, InlineState::default(), self.link, &mut self.inline);
            }
            name if is_heading(name) || name == "dt" => {
                let mut inner = String::new();
                let bold = InlineState {
                    bold: true,
                    ..InlineState::default()
                };
                for child in &element.children {
                    render_inline(child, bold, self.link, &mut inner);
                }
                self.paragraph_break();
                wrap_into(&mut self.inline, "**", &inner);
                self.paragraph_break();
            }
            "td" | "th" => {
                self.inline.push(' ');
                self.visit_all(&element.children);
                self.inline.push(' ');
            }
            name if is_blockish(name) => {
                self.paragraph_break();
                self.visit_all(&element.children);
                self.paragraph_break();
            }
            _ => self.visit_all(&element.children),
        }
    }

    /// Ends the current paragraph, or only separates words inside a list item.
    fn paragraph_break(&mut self) {
        if self.flatten {
            self.inline.push(' ');
        } else {
            self.flush();
        }
    }

    /// Moves the collected inline text into a paragraph block, if it has any content.
    fn flush(&mut self) {
        let inline = std::mem::take(&mut self.inline);
        let mut lines: Vec<String> = inline
            .split(HARD_BREAK)
            .map(collapse_whitespace)
            .filter(|line| !line.is_empty())
            .collect();
        if lines.is_empty() {
            return;
        }
        if let Some(prefix) = self.prefix.take() {
            lines[0].insert_str(0, &prefix);
        }
        self.blocks.push(Block::Para(lines));
    }

    /// Adds a non-paragraph block, first emitting any pending admonition label on its own.
    fn push_block(&mut self, block: Block) {
        self.flush();
        if let Some(prefix) = self.prefix.take() {
            self.blocks
                .push(Block::Para(vec![prefix.trim_end().to_string()]));
        }
        self.blocks.push(block);
    }

    /// `<note>`/`<important>`: the label starts the first paragraph of the content.
    fn admonition(&mut self, element: &Element, label: &str) {
        if self.flatten {
            let mark = self.inline.len();
            let blocks_before = self.blocks.len();
            self.inline.push(' ');
            self.inline.push_str(label);
            let content_start = self.inline.len();
            self.visit_all(&element.children);
            let empty = self.blocks.len() == blocks_before
                && self.inline.len() >= content_start
                && self.inline[content_start..].trim().is_empty();
            if empty {
                self.inline.truncate(mark);
            }
            self.inline.push(' ');
            return;
        }
        self.flush();
        let saved = self.prefix.clone();
        let mut prefix = saved.clone().unwrap_or_default();
        prefix.push_str(label);
        self.prefix = Some(prefix);
        self.visit_all(&element.children);
        self.flush();
        if self.prefix.is_some() {
            // Nothing was emitted: drop this label but keep an enclosing one.
            self.prefix = saved;
        }
    }

    /// `<ul>`/`<ol>`: content outside `<li>` becomes its own item, except that a stray nested
    /// list is attached to the preceding item.
    fn list(&mut self, children: &[Node], ordered: bool) {
        let mut items: Vec<Vec<Block>> = Vec::new();
        let mut loose: Vec<&Node> = Vec::new();
        for child in children {
            match child {
                Node::Element(li) if li.name == "li" => {
                    self.loose_item(&mut loose, &mut items);
                    let mut builder = Builder::new(self.link, true);
                    builder.visit_all(&li.children);
                    items.push(builder.finish());
                }
                Node::Text(text) if loose.is_empty() && text.trim().is_empty() => {}
                other => loose.push(other),
            }
        }
        self.loose_item(&mut loose, &mut items);
        items.retain(|item| !item.is_empty());
        if !items.is_empty() {
            self.push_block(Block::List { ordered, items });
        } else {
            self.paragraph_break();
        }
    }

    fn loose_item(&self, loose: &mut Vec<&Node>, items: &mut Vec<Vec<Block>>) {
        if loose.is_empty() {
            return;
        }
        let mut builder = Builder::new(self.link, true);
        for node in loose.drain(..) {
            builder.visit(node);
        }
        let blocks = builder.finish();
        match (items.last_mut(), blocks.first()) {
            (Some(last), Some(Block::List { .. })) if !last.is_empty() => last.extend(blocks),
            _ => items.push(blocks),
        }
    }

    /// `<pre>`: a fenced `text` block with common indentation and blank edges removed.
    fn code_block(&mut self, element: &Element) {
        let mut raw = String::new();
        text_content(&element.children, "\n", &mut raw);
        let raw = raw.replace("\r\n", "\n").replace(HARD_BREAK, " ");
        let mut lines: Vec<&str> = raw.lines().map(str::trim_end).collect();
        while lines.first().is_some_and(|l| l.is_empty()) {
            lines.remove(0);
        }
        while lines.last().is_some_and(|l| l.is_empty()) {
            lines.pop();
        }
        if lines.is_empty() {
            self.paragraph_break();
            return;
        }
        let indent = lines
            .iter()
            .filter(|l| !l.is_empty())
            .map(|l| l.len() - l.trim_start().len())
            .min()
            .unwrap_or(0);
        let lines = lines
            .iter()
            .map(|l| l.get(indent..).unwrap_or("").to_string())
            .collect();
        self.push_block(Block::Code(lines));
    }
}

// ---------------------------------------------------------------------------------------------
// Layout
// ---------------------------------------------------------------------------------------------

/// Appends the lines of `block`, each prefixed with `indent`.
fn layout_block(block: &Block, indent: &str, out: &mut Vec<String>) {
    match block {
        Block::Para(lines) => layout_para(lines, indent, indent, out),
        Block::Code(lines) => {
            let fence =
                "`".repeat(3.max(lines.iter().map(|l| longest_run(l, '`')).max().unwrap_or(0) + 1));
            out.push(format!("{indent}{fence}text"));
            for line in lines {
                if line.is_empty() {
                    out.push(String::new());
                } else {
                    out.push(format!("{indent}{line}"));
                }
            }
            out.push(format!("{indent}{fence}"));
        }
        Block::List { ordered, items } => {
            for (n, item) in items.iter().enumerate() {
                let marker = if *ordered {
                    format!("{}.", n + 1)
                } else {
                    "-".to_string()
                };
                layout_item(item, indent, &marker, out);
            }
        }
    }
}

/// Lays out paragraph lines: the first after `first_prefix`, the rest after `indent`; all but
/// the last end in a backslash hard break.
fn layout_para(lines: &[String], first_prefix: &str, indent: &str, out: &mut Vec<String>) {
    for (i, line) in lines.iter().enumerate() {
        let prefix = if i == 0 { first_prefix } else { indent };
        let brk = if i + 1 < lines.len() { "\\" } else { "" };
        out.push(format!("{prefix}{}{brk}", escape_line_start(line)));
    }
}

/// Lays out one list item: its blocks are indented to the item's content column, which for
/// `- ` is two spaces and for `N. ` the marker width plus one.
fn layout_item(blocks: &[Block], indent: &str, marker: &str, out: &mut Vec<String>) {
    let child_indent = format!("{indent}{}", " ".repeat(marker.len() + 1));
    let mut previous: Option<&Block> = None;
    for block in blocks {
        match previous {
            None => match block {
                Block::Para(lines) => {
                    layout_para(lines, &format!("{indent}{marker} "), &child_indent, out)
                }
                _ => {
                    out.push(format!("{indent}{marker}"));
                    layout_block(block, &child_indent, out);
                }
            },
            Some(prev) => {
                // A paragraph after a nested list would otherwise continue the nested item.
                let blank = !matches!(
                    (prev, block),
                    (Block::Para(_), Block::List { .. })
                        | (Block::Code(_), _)
                        | (_, Block::Code(_))
                );
                if blank {
                    out.push(String::new());
                }
                layout_block(block, &child_indent, out);
            }
        }
        previous = Some(block);
    }
}

/// Escapes what would make the start of a line a heading, list item, or similar block marker.
fn escape_line_start(line: &str) -> String {
    if line.starts_with(['#', '-', '+', '=', ':', '|']) {
        return format!("\\{line}");
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 {
        let rest = &line[digits..];
        if rest.starts_with(['.', ')']) && (rest.len() == 1 || rest[1..].starts_with(' ')) {
            return format!("{}\\{rest}", &line[..digits]);
        }
    }
    line.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_links(_: &str) -> Option<String> {
        None
    }

    fn md(html: &str) -> Vec<String> {
        html_to_markdown(html, &no_links)
    }

    fn md_text(html: &str) -> String {
        md(html).join("\n")
    }

    fn shapes(text: &str) -> Option<String> {
        match text {
            "CustomerIdentifier" | "LicenseArn" | "CustomerAWSAccountId" | "Foo" => {
                Some(format!("crate::types::{text}"))
            }
            _ => None,
        }
    }

    /// Invariants that must hold for every output.
    fn check_shape(lines: &[String]) {
        if let Some(first) = lines.first() {
            assert!(!first.is_empty(), "leading blank line in {lines:?}");
        }
        if let Some(last) = lines.last() {
            assert!(!last.is_empty(), "trailing blank line in {lines:?}");
        }
        for pair in lines.windows(2) {
            assert!(
                !(pair[0].is_empty() && pair[1].is_empty()),
                "double blank line in {lines:?}"
            );
        }
        for line in lines {
            assert_eq!(line.trim_end(), line, "trailing whitespace in {lines:?}");
            assert!(!line.contains(HARD_BREAK));
        }
    }

    #[test]
    fn empty_and_whitespace_input() {
        assert!(md("").is_empty());
        assert!(md("   \n\t ").is_empty());
        assert!(md("<p> </p>").is_empty());
        assert!(md("<p></p><ul><li> </li></ul><fullname>X</fullname>").is_empty());
        assert!(md("<!-- only a comment -->").is_empty());
    }

    #[test]
    fn real_sample_with_important() {
        let html = "<p>The <code>CustomerIdentifier</code> is used to identify an individual \
                    customer in your application.</p> <important> <p>For new SaaS product \
                    integrations, this field is not populated. Use \
                    <code>CustomerAWSAccountId</code> and <code>LicenseArn</code> to identify \
                    customers instead.</p> </important>";
        assert_eq!(
            md(html),
            vec![
                "The `CustomerIdentifier` is used to identify an individual customer in your \
                 application.",
                "",
                "**Important:** For new SaaS product integrations, this field is not populated. \
                 Use `CustomerAWSAccountId` and `LicenseArn` to identify customers instead.",
            ]
        );
        assert_eq!(
            html_to_markdown(html, &shapes),
            vec![
                "The [`CustomerIdentifier`](crate::types::CustomerIdentifier) is used to \
                 identify an individual customer in your application.",
                "",
                "**Important:** For new SaaS product integrations, this field is not populated. \
                 Use [`CustomerAWSAccountId`](crate::types::CustomerAWSAccountId) and \
                 [`LicenseArn`](crate::types::LicenseArn) to identify customers instead.",
            ]
        );
    }

    #[test]
    fn real_sample_with_link_and_list() {
        let html = "<p>See <a href=\"https://docs.aws.amazon.com/x.html\">the guide</a> [ID] and \
                    a_b.</p><ul><li><p>One</p></li><li><p>Two <i>it</i></p></li></ul>";
        assert_eq!(
            md(html),
            vec![
                "See [the guide](https://docs.aws.amazon.com/x.html) \\[ID\\] and a_b.",
                "",
                "- One",
                "- Two *it*",
            ]
        );
    }

    #[test]
    fn paragraphs_and_whitespace() {
        assert_eq!(
            md("<p>One\n   two</p>\n\n<p>  Three  </p><p>Four</p>"),
            vec!["One two", "", "Three", "", "Four"]
        );
        assert_eq!(
            md("Plain text\nwithout tags"),
            vec!["Plain text without tags"]
        );
        assert_eq!(
            md("Before<p>inside</p>after"),
            vec!["Before", "", "inside", "", "after"]
        );
        assert_eq!(md("<div>A</div><div><p>B</p></div>"), vec!["A", "", "B"]);
    }

    #[test]
    fn code_spans() {
        assert_eq!(md("<p>Use <code>Foo</code>.</p>"), vec!["Use `Foo`."]);
        assert_eq!(
            md("<p><code> a\n  b </code>x</p>"),
            vec!["`a b` x"],
            "whitespace collapsed and moved outside"
        );
        assert_eq!(md("<code>a`b</code>"), vec!["`` a`b ``"]);
        assert_eq!(md("<code>``</code>"), vec!["``` `` ```"]);
        assert_eq!(
            md("<code>&lt;T&gt; [x] *y* a_b &amp;</code>"),
            vec!["`<T> [x] *y* a_b &`"],
            "no escaping inside code spans"
        );
        assert_eq!(md("<code><i>nested</i> text</code>"), vec!["`nested text`"]);
        assert!(md("<code> </code>").is_empty());
    }

    #[test]
    fn shape_links_via_callback() {
        let seen = std::cell::RefCell::new(Vec::new());
        let link = |text: &str| {
            seen.borrow_mut().push(text.to_string());
            shapes(text)
        };
        assert_eq!(
            html_to_markdown("<p>A <code> Foo </code> and <code>Bar</code>.</p>", &link),
            vec!["A [`Foo`](crate::types::Foo) and `Bar`."]
        );
        assert_eq!(*seen.borrow(), vec!["Foo", "Bar"]);
    }

    #[test]
    fn code_inside_link_is_not_a_shape_link() {
        let html = "<a href=\"https://e.com/a\">the <code>Foo</code> API</a>";
        assert_eq!(
            html_to_markdown(html, &shapes),
            vec!["[the `Foo` API](https://e.com/a)"]
        );
    }

    #[test]
    fn links() {
        assert_eq!(
            md("<a href=\"https://e.com/a_(b) c\">x</a>"),
            vec!["[x](https://e.com/a_%28b%29%20c)"]
        );
        assert_eq!(md("<a>no href</a>"), vec!["no href"]);
        assert_eq!(md("<a href=\"\">empty</a>"), vec!["empty"]);
        assert_eq!(md("<a href=\"../x.html\">relative</a>"), vec!["relative"]);
        assert_eq!(
            md("<a href=\"#anchor\">anchor [1]</a>"),
            vec!["anchor \\[1\\]"]
        );
        assert_eq!(
            md("<a href='https://e.com'>https://e.com</a>"),
            vec!["<https://e.com>"]
        );
        assert_eq!(
            md("<a href=\"https://e.com\"> </a>"),
            vec!["<https://e.com>"]
        );
        assert_eq!(
            md("<a href=\"https://e.com\">[a] *b* c_</a>"),
            vec!["[\\[a\\] \\*b\\* c\\_](https://e.com)"]
        );
        assert_eq!(
            md("see<a href=\"https://e.com\"> the guide </a>now"),
            vec!["see [the guide](https://e.com) now"]
        );
        assert_eq!(
            md("<a href=\"https://e.com\">a <b>bold</b> https://x.y word</a>"),
            vec!["[a **bold** https://x.y word](https://e.com)"],
            "no autolinks inside link text"
        );
        assert_eq!(
            md("<a href=\"mailto:a@b.c\">mail</a>"),
            vec!["[mail](mailto:a@b.c)"]
        );
        assert_eq!(
            md("<a href=\"https://a.com\">outer <a href=\"https://b.com\">inner</a></a>"),
            vec!["[outer inner](https://a.com)"]
        );
        assert_eq!(
            md("<a href=\"https://e.com/?a=1&amp;b=2\">q</a>"),
            vec!["[q](https://e.com/?a=1&b=2)"]
        );
    }

    #[test]
    fn bare_urls_become_autolinks() {
        assert_eq!(
            md("<p>Visit https://aws.amazon.com/x_y?a=b. Or (http://e.com/p).</p>"),
            vec!["Visit <https://aws.amazon.com/x_y?a=b>. Or (<http://e.com/p>)."]
        );
        assert_eq!(
            md("<p>https://en.wikipedia.org/wiki/A_(b)</p>"),
            vec!["<https://en.wikipedia.org/wiki/A_(b)>"]
        );
        assert_eq!(md("https:// nothing"), vec!["https:// nothing"]);
        assert_eq!(md("<code>https://e.com</code>"), vec!["`https://e.com`"]);
    }

    #[test]
    fn emphasis() {
        assert_eq!(
            md("<b>bold</b> <strong>strong</strong> <i>it</i> <em>em</em>"),
            vec!["**bold** **strong** *it* *em*"]
        );
        assert_eq!(md("a<b> b </b>c"), vec!["a **b** c"]);
        assert_eq!(md("<b><b>x</b></b>"), vec!["**x**"]);
        assert_eq!(md("<i>a <b>b</b> c</i>"), vec!["*a **b** c*"]);
        assert_eq!(md("x<b> </b>y"), vec!["x y"]);
        assert_eq!(md("<b><code>Foo</code></b>"), vec!["**`Foo`**"]);
        assert_eq!(md("<p> <b>Heading</b> </p>"), vec!["**Heading**"]);
    }

    #[test]
    fn escaping_plain_text() {
        assert_eq!(
            md("a [b] *c* `d` \\e ~f~ &lt;g&gt; h_i _j_"),
            vec!["a \\[b\\] \\*c\\* \\`d\\` \\\\e \\~f\\~ &lt;g&gt; h_i \\_j\\_"]
        );
        assert_eq!(md("a &lt;b&gt; c"), vec!["a &lt;b&gt; c"]);
        assert_eq!(
            md("AT&amp;T &amp;copy; &amp;#1;"),
            vec!["AT&T &amp;copy; &amp;#1;"]
        );
        assert_eq!(md("snake_case __x"), vec!["snake_case \\_\\_x"]);
    }

    #[test]
    fn escaping_line_starts() {
        assert_eq!(md("<p># not a heading</p>"), vec!["\\# not a heading"]);
        assert_eq!(md("<p>- not a list</p>"), vec!["\\- not a list"]);
        assert_eq!(md("<p>+1</p>"), vec!["\\+1"]);
        assert_eq!(md("<p>1. not a list</p>"), vec!["1\\. not a list"]);
        assert_eq!(md("<p>2019) x</p>"), vec!["2019\\) x"]);
        assert_eq!(md("<p>1.5 GB</p>"), vec!["1.5 GB"]);
        assert_eq!(md("<ul><li>- x</li></ul>"), vec!["- \\- x"]);
    }

    #[test]
    fn entities() {
        assert_eq!(
            md("&lt;&gt;&amp;&quot;&apos;&#39;&#65;&#x42;&#X43;a&nbsp;b&#160;c"),
            vec!["&lt;&gt;&\"''ABCa b c"]
        );
        assert_eq!(
            md("&mdash;&hellip;&rsquo;"),
            vec!["\u{2014}\u{2026}\u{2019}"]
        );
        assert_eq!(
            md("&bogus; &amp &#; &#xZZ; &#0; &#1114112;"),
            vec!["&amp;bogus; &amp &#; &amp;#xZZ; &amp;#0; &amp;#1114112;"]
        );
        assert_eq!(md("<code>&lt;T&gt;&nbsp;&nbsp;x</code>"), vec!["`<T> x`"]);
    }

    #[test]
    fn unordered_and_ordered_lists() {
        assert_eq!(
            md("<p>Intro</p><ul><li>a</li><li>b</li></ul><p>After</p>"),
            vec!["Intro", "", "- a", "- b", "", "After"]
        );
        assert_eq!(
            md("<ol><li>first</li><li>second</li></ol>"),
            vec!["1. first", "2. second"]
        );
        assert_eq!(
            md("<ul><li><p>A</p><p>B</p></li></ul>"),
            vec!["- A B"],
            "paragraphs inside an item are flattened"
        );
        assert_eq!(md("<ul><li>a<li>b</ul>"), vec!["- a", "- b"]);
        assert_eq!(md("<ul><li></li><li>x</li></ul>"), vec!["- x"]);
    }

    #[test]
    fn nested_lists() {
        assert_eq!(
            md("<ul><li>a<ul><li>b<ul><li>c</li></ul></li></ul></li><li>d</li></ul>"),
            vec!["- a", "  - b", "    - c", "- d"]
        );
        assert_eq!(
            md("<ul><li>a<ul><li>b</li></ul>tail</li></ul>"),
            vec!["- a", "  - b", "", "  tail"]
        );
        assert_eq!(
            md("<ol><li>a<ul><li>b</li></ul></li></ol>"),
            vec!["1. a", "   - b"],
            "nested content aligns with the ordered item's text"
        );
        assert_eq!(
            md("<ul><li><ul><li>only nested</li></ul></li></ul>"),
            vec!["-", "  - only nested"]
        );
        assert_eq!(
            md("<ul><li>a</li><ul><li>stray nested</li></ul><li>b</li></ul>"),
            vec!["- a", "  - stray nested", "- b"]
        );
    }

    #[test]
    fn notes_and_important() {
        assert_eq!(md("<note>Careful.</note>"), vec!["**Note:** Careful."]);
        assert_eq!(
            md("<note><p>One.</p><p>Two.</p></note>"),
            vec!["**Note:** One.", "", "Two."]
        );
        assert_eq!(
            md("<p>Text</p><important><p>Do it.</p></important><p>More</p>"),
            vec!["Text", "", "**Important:** Do it.", "", "More"]
        );
        assert!(md("<note> </note>").is_empty());
        assert_eq!(
            md("<note><important>x</important></note>"),
            vec!["**Note:** **Important:** x"]
        );
    }

    #[test]
    fn list_inside_note() {
        assert_eq!(
            md("<note><p>Intro:</p><ul><li>a</li><li>b</li></ul></note>"),
            vec!["**Note:** Intro:", "", "- a", "- b"]
        );
        assert_eq!(
            md("<note><ul><li>a</li></ul></note>"),
            vec!["**Note:**", "", "- a"]
        );
    }

    #[test]
    fn note_inside_list_item() {
        assert_eq!(
            md("<ul><li>Item <note><p>careful</p></note></li><li><note> </note>x</li></ul>"),
            vec!["- Item **Note:** careful", "- x"]
        );
    }

    #[test]
    fn fullname_is_dropped() {
        assert_eq!(
            md("<fullname>AWS Marketplace Metering Service</fullname> <p>Docs.</p>"),
            vec!["Docs."]
        );
        assert_eq!(
            md("<p>a <fullname>b <i>c</i></fullname> d</p>"),
            vec!["a d"]
        );
    }

    #[test]
    fn line_breaks() {
        assert_eq!(
            md("<p>one<br/>two<br>three</p>"),
            vec!["one\\", "two\\", "three"]
        );
        assert_eq!(md("<p><br/>one<br/> <br/></p>"), vec!["one"]);
        assert_eq!(md("<ul><li>a<br/>b</li></ul>"), vec!["- a\\", "  b"]);
        assert_eq!(md("<b>a<br/></b>b"), vec!["**a**\\", "b"]);
        assert_eq!(md("x<br/>- y"), vec!["x\\", "\\- y"]);
    }

    #[test]
    fn definition_lists() {
        assert_eq!(
            md("<dl><dt>Term</dt><dd>Definition</dd><dt>T2<dd>D2</dl>"),
            vec!["**Term**", "", "Definition", "", "**T2**", "", "D2"]
        );
    }

    #[test]
    fn headings() {
        assert_eq!(
            md("<h1>Title</h1><p>x</p><h3> Sub <b>b</b></h3>"),
            vec!["**Title**", "", "x", "", "**Sub b**"]
        );
        assert_eq!(md("<ul><li><h2>H</h2>text</li></ul>"), vec!["- **H** text"]);
    }

    #[test]
    fn preformatted_blocks() {
        assert_eq!(
            md("<p>Example:</p><pre><code>\n  {\n    \"a\": [1]\n  }\n</code></pre><p>End</p>"),
            vec![
                "Example:",
                "",
                "```text",
                "{",
                "  \"a\": [1]",
                "}",
                "```",
                "",
                "End"
            ]
        );
        assert_eq!(
            md("<pre>a &lt;b&gt; ```c```\n\n  d   </pre>"),
            vec!["````text", "a <b> ```c```", "", "  d", "````"]
        );
        assert_eq!(
            md("<ul><li>Run:<pre>ls -l</pre>done</li></ul>"),
            vec!["- Run:", "  ```text", "  ls -l", "  ```", "  done"]
        );
        assert!(md("<pre>  \n </pre>").is_empty());
        assert_eq!(md("<b>x <pre>a\n b</pre></b>"), vec!["**x `a b`**"]);
    }

    #[test]
    fn unknown_tags_keep_content() {
        assert_eq!(
            md("<p><span class=\"x\">kept</span> <u>too</u> <custom-tag a=b>yes</custom-tag></p>"),
            vec!["kept too yes"]
        );
        assert_eq!(
            md("<section><p>a</p><p>b</p></section>"),
            vec!["a", "", "b"]
        );
        assert_eq!(
            md("<table><tr><th>K</th><th>V</th></tr><tr><td>a</td><td>1</td></tr></table>"),
            vec!["K V", "", "a 1"]
        );
    }

    #[test]
    fn malformed_html() {
        assert_eq!(md("<p>unclosed <b>bold"), vec!["unclosed **bold**"]);
        assert_eq!(md("</p>stray</p> end</b>"), vec!["stray end"]);
        assert_eq!(md("a < b and c > d"), vec!["a &lt; b and c &gt; d"]);
        assert_eq!(md("1 <2 and x<y"), vec!["1 &lt;2 and x&lt;y"]);
        assert_eq!(md("<p>x <b"), vec!["x &lt;b"]);
        assert_eq!(
            md("mail <user@example.com>"),
            vec!["mail &lt;user@example.com&gt;"]
        );
        assert_eq!(
            md("<a href=\"unterminated>x</a>"),
            vec!["&lt;a href=\"unterminated&gt;x"]
        );
        assert_eq!(md("<p>a <b <i>c</i></p>"), vec!["a &lt;b *c*"]);
        assert_eq!(md("<p>a</b></i></p>b"), vec!["a", "", "b"]);
        assert_eq!(md("<ul><li><p>a</ul>b"), vec!["- a", "", "b"]);
        assert_eq!(md("<li>stray item</li>"), vec!["- stray item"]);
        assert_eq!(
            md("x <!-- comment <p> --> y <!DOCTYPE html> z"),
            vec!["x y z"]
        );
        assert_eq!(md("x <!-- never closed"), vec!["x"]);
        assert_eq!(md("<"), vec!["&lt;"]);
        assert_eq!(md("</"), vec!["&lt;/"]);
        assert_eq!(md("<P>Upper <B>case</B></P>"), vec!["Upper **case**"]);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let html = "<b><i>".repeat(10_000) + "x";
        assert_eq!(md(&html), vec!["***x***"]);
        let html = "<ul><li>".repeat(5_000) + "deep";
        let lines = md(&html);
        check_shape(&lines);
        assert!(lines.last().is_some_and(|l| l.ends_with("- deep")));
    }

    #[test]
    fn multibyte_text() {
        assert_eq!(
            md("<p>caf\u{e9} \u{2014} \u{1F600}_x</p>"),
            vec!["caf\u{e9} \u{2014} \u{1F600}\\_x"]
        );
    }

    #[test]
    fn never_panics_on_truncated_input() {
        let samples = [
            "<p>See <a href=\"https://docs.aws.amazon.com/x.html\">the guide</a> [ID] and a_b.</p>\
             <ul><li><p>One</p></li><li><p>Two <i>it</i></p></li></ul>",
            "<note><p>x &amp; <code>a`b</code></p><ol><li>1<pre>\n q\n</pre></li></ol></note>\
             <dl><dt>t</dt><dd>d<br/>e</dd></dl><!-- c --> &#x41; https://e.com/(a)",
        ];
        for sample in samples {
            for (start, _) in sample.char_indices() {
                for (end, _) in sample.char_indices().skip(start) {
                    if end > start {
                        check_shape(&html_to_markdown(&sample[start..end], &shapes));
                    }
                }
            }
        }
    }

    #[test]
    fn output_is_deterministic_and_well_formed() {
        let html = "<p>A <code>Foo</code></p><note><ul><li>x<ul><li>y</li></ul>z</li></ul></note>";
        let first = html_to_markdown(html, &shapes);
        check_shape(&first);
        assert_eq!(first, html_to_markdown(html, &shapes));
        assert_eq!(md_text(html), "A `Foo`\n\n**Note:**\n\n- x\n  - y\n\n  z");
    }

    #[test]
    fn tokenizer_attributes() {
        let tokens = tokenize("<a HREF = 'x&amp;y' data-x=1 checked/>t</A>");
        assert_eq!(
            tokens,
            vec![
                Token::Start {
                    name: "a".into(),
                    attrs: vec![
                        ("href".into(), "x&y".into()),
                        ("data-x".into(), "1".into()),
                        ("checked".into(), String::new()),
                    ],
                    self_closing: true,
                },
                Token::Text("t".into()),
                Token::End("a".into()),
            ]
        );
    }
}
