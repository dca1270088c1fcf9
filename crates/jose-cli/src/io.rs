//! Reading inputs (files, stdin, tokens) and writing outputs.

use std::io::{IsTerminal, Read, Write};

use jose::Error;

use crate::failure::Failure;

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

/// Everything on stdin.
pub fn read_stdin(what: &str) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::io(format!("reading {what} from stdin"), &e))?;
    Ok(bytes)
}

/// The bytes of a file, or of stdin for `-`.
pub fn read_source(spec: &str, what: &str) -> Result<Vec<u8>, Failure> {
    if is_stdin(spec) {
        return read_stdin(what);
    }
    std::fs::read(spec).map_err(|e| Failure::io(format!("reading {what} from {spec:?}"), &e))
}

/// A token or serialized message from the argument, or from stdin when
/// the argument is absent or `-`. Surrounding whitespace (a trailing
/// newline) is ignored. An empty input is a usage error; bytes that are
/// not UTF-8 are a malformed token, reported with `malformed`.
pub fn read_token(arg: Option<&str>, what: &str, malformed: fn(String) -> Error) -> Result<String, Failure> {
    let bytes = match arg {
        Some(text) if !is_stdin(text) => text.as_bytes().to_vec(),
        _ => {
            if stdin_is_terminal() {
                return Err(Failure::usage(format!("no {what}: pass it as an argument or on stdin")));
            }
            read_stdin(what)?
        }
    };
    let trimmed = bytes.trim_ascii();
    if trimmed.is_empty() {
        return Err(Failure::usage(format!("no {what}: the input is empty")));
    }
    match std::str::from_utf8(trimmed) {
        Ok(text) => Ok(text.to_owned()),
        Err(_) => Err(Failure::refused(malformed(format!("the {what} is not UTF-8 text")))),
    }
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
