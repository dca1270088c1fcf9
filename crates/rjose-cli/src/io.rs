//! Reading inputs (files, stdin, tokens) and writing outputs.

use std::fs::File;
use std::io::{IsTerminal, Read, Write};
use std::sync::OnceLock;

use rjose::Error;

use crate::failure::{ERR_IO, EXIT_USAGE, Failure};

/// The most bytes read from a key, JWK Set or secret file: far beyond any
/// real key (an RSA 16384 private key is 12 KiB of PEM), so that a wrong
/// path such as `/dev/zero` fails at once instead of filling the memory.
pub const MAX_KEY_BYTES: u64 = 1 << 20;

/// The most bytes read, by default, from a token, payload, plaintext or
/// claims input; `--max-input-size` changes it.
pub const DEFAULT_MAX_INPUT_BYTES: u64 = 64 << 20;

static MAX_INPUT_BYTES: OnceLock<u64> = OnceLock::new();

/// Sets the limit of `--max-input-size`. Called once, before any input is
/// read; later calls change nothing.
pub fn limit_inputs(max_bytes: u64) {
    let _ = MAX_INPUT_BYTES.set(max_bytes);
}

/// How much of one input is read, and what to say when there is more.
#[derive(Debug, Clone, Copy)]
struct Limit {
    bytes: u64,
    advice: &'static str,
}

impl Limit {
    const KEY: Limit = Limit {
        bytes: MAX_KEY_BYTES,
        advice: "no key is that large",
    };

    fn input() -> Limit {
        Limit {
            bytes: MAX_INPUT_BYTES.get().copied().unwrap_or(DEFAULT_MAX_INPUT_BYTES),
            advice: "raise the limit with --max-input-size",
        }
    }

    fn exceeded(self, what: &str, from: &str) -> Failure {
        Failure::new(
            ERR_IO,
            format!(
                "{what} from {from} is larger than the limit of {}; {}",
                describe_size(self.bytes),
                self.advice
            ),
            EXIT_USAGE,
        )
    }
}

/// A size for messages: `64 MiB`, `1 KiB`, `1000 bytes`.
fn describe_size(bytes: u64) -> String {
    for (unit, name) in [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")] {
        if bytes >= unit && bytes.is_multiple_of(unit) {
            return format!("{} {name}", bytes / unit);
        }
    }
    format!("{bytes} bytes")
}

/// Reads `reader` to its end, or fails once it gives more than `limit`
/// bytes. `known_len` is the size of a regular file: one over the limit is
/// refused without reading it.
fn read_bounded(
    reader: impl Read,
    known_len: Option<u64>,
    limit: Limit,
    what: &str,
    from: &str,
) -> Result<Vec<u8>, Failure> {
    if known_len.is_some_and(|len| len > limit.bytes) {
        return Err(limit.exceeded(what, from));
    }
    let capacity = known_len.map_or(0, |len| usize::try_from(len).unwrap_or(0).saturating_add(1));
    let mut bytes = Vec::with_capacity(capacity);
    reader
        .take(limit.bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::io(format!("reading {what} from {from}"), &e))?;
    if bytes.len() as u64 > limit.bytes {
        return Err(limit.exceeded(what, from));
    }
    Ok(bytes)
}

/// The bytes of a file, or of stdin for `-`, up to `limit`. Opening a FIFO
/// waits for its writer, as any reader of it does.
fn read_limited(spec: &str, what: &str, limit: Limit) -> Result<Vec<u8>, Failure> {
    if is_stdin(spec) {
        return read_bounded(std::io::stdin().lock(), None, limit, what, "stdin");
    }
    let from = format!("{spec:?}");
    let file = File::open(spec).map_err(|e| Failure::io(format!("reading {what} from {from}"), &e))?;
    let metadata = file
        .metadata()
        .map_err(|e| Failure::io(format!("reading {what} from {from}"), &e))?;
    let known_len = metadata.is_file().then_some(metadata.len());
    read_bounded(file, known_len, limit, what, &from)
}

/// True for the argument that names stdin.
pub fn is_stdin(spec: &str) -> bool {
    spec == "-"
}

/// True when a token comes from stdin (no argument, or `-`), as
/// [`read_token`] reads it: commands check this before reading, so that
/// two inputs never both wait on stdin.
pub fn token_reads_stdin(arg: Option<&str>) -> bool {
    arg.is_none_or(is_stdin)
}

/// Refuses a command that would read more than one input from stdin.
/// `inputs` names each input and says whether it comes from stdin.
pub fn one_stdin(inputs: &[(&str, bool)]) -> Result<(), Failure> {
    let from_stdin: Vec<&str> = inputs
        .iter()
        .filter_map(|&(name, stdin)| stdin.then_some(name))
        .collect();
    if from_stdin.len() > 1 {
        return Err(Failure::usage(format!(
            "only one input can come from stdin, but {} all do",
            from_stdin.join(" and ")
        )));
    }
    Ok(())
}

/// Everything on stdin, up to the input limit.
pub fn read_stdin(what: &str) -> Result<Vec<u8>, Failure> {
    read_limited("-", what, Limit::input())
}

/// The bytes of a file, or of stdin for `-`, up to the input limit.
pub fn read_source(spec: &str, what: &str) -> Result<Vec<u8>, Failure> {
    read_limited(spec, what, Limit::input())
}

/// The bytes of a key, JWK Set or secret file, or of stdin for `-`, up to
/// [`MAX_KEY_BYTES`].
pub fn read_key_source(spec: &str, what: &str) -> Result<Vec<u8>, Failure> {
    read_limited(spec, what, Limit::KEY)
}

/// A token or serialized message from the argument, or from stdin when
/// the argument is absent or `-`. Surrounding whitespace (a trailing
/// newline) is ignored. An empty input is a usage error; bytes that are
/// not UTF-8 are a malformed token, reported with `malformed`.
///
/// A compact token pasted with what is not part of it (`Bearer `, quotes)
/// and the name of a file given where the token itself goes are usage
/// errors that say what to do instead: the token may well be good, the
/// command line is wrong. Line breaks inside a token make it malformed,
/// with a hint.
pub fn read_token(arg: Option<&str>, what: &str, malformed: fn(String) -> Error) -> Result<String, Failure> {
    let bytes = match arg {
        Some(text) if !is_stdin(text) => {
            if !text.starts_with('{') && !looks_compact(text) && std::path::Path::new(text).is_file() {
                return Err(Failure::usage(format!(
                    "the argument is the {what} itself, and {text:?} is a file; pass the file on stdin: < {text}"
                )));
            }
            text.as_bytes().to_vec()
        }
        _ => {
            if stdin_is_terminal() {
                return Err(Failure::usage(format!("no {what}: pass it as an argument or on stdin")));
            }
            read_stdin(&format!("the {what}"))?
        }
    };
    let trimmed = bytes.trim_ascii();
    if trimmed.is_empty() {
        return Err(Failure::usage(format!("no {what}: the input is empty")));
    }
    let text = std::str::from_utf8(trimmed)
        .map_err(|_| Failure::refused(malformed(format!("the {what} is not UTF-8 text"))))?;
    match pasted(text) {
        Some(Pasted::Scheme(prefix)) => Err(Failure::usage(format!(
            "the {what} starts with {prefix:?}, which is not part of it; remove the `{prefix}` prefix \
             and pass the {what} alone"
        ))),
        Some(Pasted::Quoted) => Err(Failure::usage(format!(
            "the {what} is in quotes, which are not part of it; remove the quotes"
        ))),
        Some(Pasted::Whitespace) => Err(Failure::refused(malformed(format!(
            "the {what} contains whitespace (a line break?), which no compact serialization has; remove it"
        )))),
        None => Ok(text.to_owned()),
    }
}

/// An access token given on the command line (`text`), or read from the
/// file or stdin `file`, as sent in `Authorization: DPoP <token>`: opaque
/// or a JWT, but always a `token68` (RFC 7235 section 2.1), so anything
/// else is a usage error. Surrounding whitespace is ignored; the scheme
/// (`Bearer `, `DPoP `) or quotes pasted with it get a hint, since the
/// hash of the token with them would match nothing.
pub fn read_access_token(text: Option<&str>, file: Option<&str>) -> Result<Option<String>, Failure> {
    let bytes = match (text, file) {
        (Some(text), _) => text.as_bytes().to_vec(),
        (None, Some(spec)) => read_source(spec, "the access token")?,
        (None, None) => return Ok(None),
    };
    let text =
        std::str::from_utf8(bytes.trim_ascii()).map_err(|_| Failure::usage("the access token is not UTF-8 text"))?;
    if text.is_empty() {
        return Err(Failure::usage("no access token: the input is empty"));
    }
    if is_token68(text) {
        return Ok(Some(text.to_owned()));
    }
    let mut rest = text;
    let mut prefix = String::new();
    if let Some((header, after)) = split_word(rest)
        && header.eq_ignore_ascii_case("authorization:")
    {
        prefix.push_str(header);
        prefix.push(' ');
        rest = after;
    }
    if let Some((scheme, after)) = split_word(rest)
        && (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("dpop"))
        && is_token68(after)
    {
        prefix.push_str(scheme);
        prefix.push(' ');
        return Err(Failure::usage(format!(
            "the access token starts with {prefix:?}, which is not part of it; remove the `{prefix}` prefix \
             and pass the access token alone"
        )));
    }
    for quote in ['"', '\''] {
        if let Some(inner) = text.strip_prefix(quote).and_then(|t| t.strip_suffix(quote))
            && is_token68(inner.trim_ascii())
        {
            return Err(Failure::usage(
                "the access token is in quotes, which are not part of it; remove the quotes",
            ));
        }
    }
    Err(Failure::usage(
        "the access token has characters no access token has (whitespace, quotes...): \
         pass it as sent after `Authorization: DPoP `",
    ))
}

/// The `token68` of HTTP authentication (RFC 7235 section 2.1), the form
/// of an access token in an `Authorization` header.
fn is_token68(text: &str) -> bool {
    let body = text.trim_end_matches('=');
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
}

/// What came along with a compact token copied from a request or a log.
#[derive(Debug, PartialEq, Eq)]
enum Pasted {
    /// The HTTP authentication scheme (`Bearer `, `DPoP `), perhaps after
    /// `Authorization: `: the prefix as typed, one space between words.
    Scheme(String),
    /// Quotes around it.
    Quoted,
    /// Spaces or line breaks inside it.
    Whitespace,
}

/// How a compact token was pasted with what is not part of it, if it was:
/// only when what is left looks like one (base64url parts joined by at
/// least two dots), so that other garbage is reported as the malformed
/// token it is. The JSON serializations (`{...}`) are left alone.
fn pasted(text: &str) -> Option<Pasted> {
    if text.starts_with('{') || looks_compact(text) {
        return None;
    }
    let mut prefix = String::new();
    let mut rest = text;
    if let Some((header, after)) = split_word(rest)
        && header.eq_ignore_ascii_case("authorization:")
    {
        prefix.push_str(header);
        prefix.push(' ');
        rest = after;
    }
    if let Some((scheme, after)) = split_word(rest)
        && (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("dpop"))
        && looks_compact(after)
    {
        prefix.push_str(scheme);
        prefix.push(' ');
        return Some(Pasted::Scheme(prefix));
    }
    for quote in ['"', '\''] {
        if let Some(inner) = text.strip_prefix(quote).and_then(|t| t.strip_suffix(quote))
            && looks_compact(inner.trim_ascii())
        {
            return Some(Pasted::Quoted);
        }
    }
    let joined: String = text.split_ascii_whitespace().collect();
    looks_compact(&joined).then_some(Pasted::Whitespace)
}

/// Base64url parts joined by at least two dots: the shape of a compact
/// JWS (three parts) or JWE (five).
fn looks_compact(text: &str) -> bool {
    text.bytes().filter(|&b| b == b'.').count() >= 2
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

/// The first word of `text` and what follows the whitespace after it.
fn split_word(text: &str) -> Option<(&str, &str)> {
    let (word, rest) = text.split_once(|c: char| c.is_ascii_whitespace())?;
    Some((word, rest.trim_start_matches(|c: char| c.is_ascii_whitespace())))
}

/// Writes `bytes` to stdout. A reader that went away (a closed pipe, as
/// with `| head`) is not an error: the command did its work.
pub fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::io("writing the output", &e)),
    }
}

/// Writes one line of text to stdout.
pub fn write_line(text: &str) -> Result<(), Failure> {
    let mut line = String::with_capacity(text.len() + 1);
    line.push_str(text);
    if !line.ends_with('\n') {
        line.push('\n');
    }
    write_stdout(line.as_bytes())
}

/// True when stdout is a terminal.
pub fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

/// True when stdin is a terminal (nothing was piped in).
pub fn stdin_is_terminal() -> bool {
    std::io::stdin().is_terminal()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEN: Limit = Limit {
        bytes: 10,
        advice: "raise it",
    };

    #[test]
    fn reads_up_to_the_limit_and_refuses_one_byte_more() {
        let read = |input: &[u8]| read_bounded(input, None, TEN, "the payload", "stdin").map_err(|f| f.code());
        assert_eq!(read(b"0123456789"), Ok(b"0123456789".to_vec()));
        assert_eq!(read(b"0123456789a"), Err(ERR_IO));
    }

    #[test]
    fn a_known_length_over_the_limit_is_refused_before_reading() {
        // An endless reader: only the length is looked at.
        let failure = read_bounded(std::io::repeat(0), Some(11), TEN, "the key", "\"k\"").err();
        assert_eq!(failure.map(|f| f.code()), Some(ERR_IO));
    }

    #[test]
    fn tokens_pasted_with_a_scheme_quotes_or_line_breaks_are_recognised() {
        let scheme = |p: &str| Some(Pasted::Scheme(p.to_owned()));
        assert_eq!(pasted("Bearer a.b.c"), scheme("Bearer "));
        assert_eq!(pasted("bearer  a.b.c"), scheme("bearer "));
        assert_eq!(pasted("DPoP a.b.c"), scheme("DPoP "));
        assert_eq!(pasted("Authorization: Bearer a.b.c"), scheme("Authorization: Bearer "));
        assert_eq!(pasted("authorization:\tbearer a.b.c"), scheme("authorization: bearer "));
        assert_eq!(pasted("\"a.b.c\""), Some(Pasted::Quoted));
        assert_eq!(pasted("'a.b.c'"), Some(Pasted::Quoted));
        assert_eq!(pasted("a.b\n.c"), Some(Pasted::Whitespace));
        for left_alone in [
            "a.b.c",
            "{\"payload\": 1}",
            "not a token at all",
            "Bearer",
            "Bearer opaque",
            "Basic dXNlcjpwdw",
            "\"a.b\"",
        ] {
            assert_eq!(pasted(left_alone), None, "{left_alone}");
        }
    }

    #[test]
    fn sizes_are_described_in_the_largest_exact_unit() {
        assert_eq!(describe_size(MAX_KEY_BYTES), "1 MiB");
        assert_eq!(describe_size(DEFAULT_MAX_INPUT_BYTES), "64 MiB");
        assert_eq!(describe_size(3 << 30), "3 GiB");
        assert_eq!(describe_size(1536), "1536 bytes");
        assert_eq!(describe_size(1 << 10), "1 KiB");
    }
}
