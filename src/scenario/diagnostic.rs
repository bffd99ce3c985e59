//! Problems found in a scenario file: what they say, where they are, and how they are
//! collected.
//!
//! Owns the public [`Diagnostic`] and [`ScenarioError`], the translation of byte offsets
//! into line:column, the [`Sink`] that gathers every problem while the file is read, and
//! the "did you mean" suggestions (by edit distance). It knows nothing of TOML's grammar.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;

use crate::model::SimDuration;

/// One problem in a scenario file.
///
/// It prints as `scenarios/shop.toml:14:3: service.api.queue.capacity: must be >= 0`,
/// followed, when there is a hint, by a second line `  help: did you mean 'capacity'?`;
/// control characters in any part print escaped (see [`escape_controls`]).
/// A problem with no position (an unreadable file) has `line == 0` and prints without
/// `:line:column`; a problem with no key (a TOML syntax error) prints without `key: `.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file as the user named it.
    pub file: String,
    /// 1-based line, or 0 when the problem has no position.
    pub line: usize,
    /// 1-based column, counted in characters, or 0 when the problem has no position.
    pub column: usize,
    /// Dotted path of the offending key, such as `service.api.service_time.p99`; empty
    /// when the problem is not about a key.
    pub key: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when there is something more specific to say.
    pub help: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&escape_controls(&self.file))?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        f.write_str(": ")?;
        if !self.key.is_empty() {
            write!(f, "{}: ", escape_controls(&self.key))?;
        }
        f.write_str(&escape_controls(&self.message))?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {}", escape_controls(help))?;
        }
        Ok(())
    }
}

/// `text` with control characters (`\n`, ESC…) and bidirectional overrides written as
/// escapes, so that user text quoted in a message (a name, an unknown key) cannot recolour
/// the terminal, forge a line of output or reorder what is shown.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    let unsafe_char =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !text.contains(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            escaped.extend(c.escape_default());
        } else {
            escaped.push(c);
        }
    }
    Cow::Owned(escaped)
}

/// Something the reader accepted that may not say what its author meant: the scenario is
/// valid as read, and the CLI prints this on stderr without failing.
///
/// It prints as `scenarios/x.toml:12:20: service.api.service_time.mean: warning: a plain
/// number is read as seconds (20 s); write "20s" or "20ms" to say which`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Warning {
    /// The file as the user named it.
    pub file: String,
    /// 1-based line of the value; 0 for a value set by an override (a sweep's), which
    /// prints without a position.
    pub line: usize,
    /// 1-based column of the value, counted in characters (0 with line 0).
    pub column: usize,
    /// Dotted path of the key, such as `service.api.service_time.mean`.
    pub key: String,
    /// What was read.
    pub kind: WarningKind,
}

/// What a [`Warning`] is about.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WarningKind {
    /// A duration written as a plain number, read as that many seconds: `20` could have
    /// meant milliseconds.
    PlainSeconds {
        /// The number as read (`20`, `0.02`).
        number: String,
        /// The duration it was read as.
        read: SimDuration,
    },
}

impl Warning {
    /// What was read, and how to say it unambiguously.
    pub fn message(&self) -> String {
        match &self.kind {
            WarningKind::PlainSeconds { number, read } => format!(
                "a plain number is read as seconds ({read}); write \"{number}s\" or \"{number}ms\" \
                 to say which"
            ),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (file, key) = (escape_controls(&self.file), escape_controls(&self.key));
        let message = self.message();
        // A warning about an override (a sweep's value) has no position in the file.
        match self.line {
            0 => write!(f, "{file}: {key}: warning: {message}"),
            line => write!(
                f,
                "{file}:{line}:{}: {key}: warning: {message}",
                self.column
            ),
        }
    }
}

/// Every problem found in one file, in order of position.
///
/// Returned by [`parse`](crate::scenario::parse) and [`load`](crate::scenario::load); it is
/// never empty. It prints as one diagnostic after another, newline separated. Fix them all
/// and load the file again.
#[derive(Debug, thiserror::Error)]
#[error("{}", render(.diagnostics))]
pub struct ScenarioError {
    /// The problems, sorted by line and column.
    pub diagnostics: Vec<Diagnostic>,
}

fn render(diagnostics: &[Diagnostic]) -> String {
    let lines: Vec<String> = diagnostics.iter().map(Diagnostic::to_string).collect();
    lines.join("\n")
}

/// Collects the problems of one file while it is read, with their byte offsets.
///
/// Shared by reference between all the readers of one file (hence the `RefCell`), so that
/// reading never stops at the first problem.
pub(crate) struct Sink<'t> {
    file: &'t str,
    text: &'t str,
    line_starts: Vec<usize>,
    /// What the positions past the end of the text stand for: override `k` of a sweep or
    /// plan sits at `text.len() + 1 + k`.
    overrides: Vec<String>,
    found: RefCell<Vec<(usize, Diagnostic)>>,
    warnings: RefCell<Vec<(usize, Warning)>>,
}

impl<'t> Sink<'t> {
    /// A sink for `text`, read from `file`.
    pub(crate) fn new(file: &'t str, text: &'t str) -> Sink<'t> {
        let newlines = text.match_indices('\n').map(|(i, _)| i + 1);
        Sink {
            file,
            text,
            line_starts: std::iter::once(0).chain(newlines).collect(),
            overrides: Vec::new(),
            found: RefCell::new(Vec::new()),
            warnings: RefCell::new(Vec::new()),
        }
    }

    /// The same sink, with `labels` (such as `service.api.workers = 0`) naming the values
    /// set past the end of the text, in order.
    pub(crate) fn with_overrides(self, labels: Vec<String>) -> Sink<'t> {
        Sink {
            overrides: labels,
            ..self
        }
    }

    /// Records a problem at byte offset `at`.
    pub(crate) fn error(&self, at: usize, key: &str, message: impl Into<String>) {
        self.error_with_help(at, key, message, None);
    }

    /// Records a problem at byte offset `at`, with a hint on how to fix it.
    pub(crate) fn error_with_help(
        &self,
        at: usize,
        key: &str,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        let diagnostic = self.diagnostic(at, key, message, help);
        self.found.borrow_mut().push((at, diagnostic));
    }

    /// A problem at byte offset `at`, not recorded.
    pub(crate) fn diagnostic(
        &self,
        at: usize,
        key: &str,
        message: impl Into<String>,
        help: Option<String>,
    ) -> Diagnostic {
        let (file, line, column) = self.origin(at);
        Diagnostic {
            file,
            line,
            column,
            key: key.to_string(),
            message: message.into(),
            help,
        }
    }

    /// Whether no problem has been recorded yet.
    pub(crate) fn is_clean(&self) -> bool {
        self.found.borrow().is_empty()
    }

    /// The 1-based line holding byte offset `at`.
    pub(crate) fn line_of(&self, at: usize) -> usize {
        self.position(at).0
    }

    /// Records a warning about the value at byte offset `at`. Within one array (keys
    /// ending in `[i]`) only the first is kept: one note per list of samples is enough.
    pub(crate) fn warn(&self, at: usize, key: &str, kind: WarningKind) {
        let list = |key: &str| key.rsplit_once('[').map(|(list, _)| list.to_string());
        let mut warnings = self.warnings.borrow_mut();
        if list(key).is_some_and(|l| {
            warnings
                .iter()
                .any(|(_, w)| list(&w.key) == Some(l.clone()))
        }) {
            return;
        }
        let (file, line, column) = self.origin(at);
        let warning = Warning {
            file,
            line,
            column,
            key: key.to_string(),
            kind,
        };
        warnings.push((at, warning));
    }

    /// Every problem recorded and every warning, each sorted by position (ties keep the
    /// order they were found in).
    pub(crate) fn into_sorted(self) -> (Vec<Diagnostic>, Vec<Warning>) {
        fn sorted<T>(mut found: Vec<(usize, T)>) -> Vec<T> {
            found.sort_by_key(|(at, _)| *at);
            found.into_iter().map(|(_, item)| item).collect()
        }
        (
            sorted(self.found.into_inner()),
            sorted(self.warnings.into_inner()),
        )
    }

    /// The file, line and column of byte offset `at`; past the end of the text, the
    /// override set there, named after the file, without a position.
    fn origin(&self, at: usize) -> (String, usize, usize) {
        match at.checked_sub(self.text.len() + 1) {
            Some(k) if k < self.overrides.len() => {
                (format!("{} (with {})", self.file, self.overrides[k]), 0, 0)
            }
            _ => {
                let (line, column) = self.position(at);
                (self.file.to_string(), line, column)
            }
        }
    }

    /// 1-based line and character column of byte offset `at` (clamped to the text).
    fn position(&self, at: usize) -> (usize, usize) {
        let at = at.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= at);
        let start = self.line_starts[line.saturating_sub(1)];
        let column = match self.text.get(start..at) {
            Some(prefix) => prefix.chars().count(),
            None => at - start,
        };
        (line, column + 1)
    }
}

/// Names longer than this are never suggested (nor compared).
const MAX_SUGGESTED_LENGTH: usize = 64;

/// A hint naming the candidate closest to `word`, if one is close enough to be a typo.
pub fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<String> {
    closest(word, candidates).map(|c| format!("did you mean '{c}'?"))
}

/// The candidate with the smallest edit distance to `word`, within a limit that grows with
/// the candidate's length (1 edit up to 3 characters, then 2), so that short words do not
/// match everything. The first candidate wins ties.
fn closest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let word = word.to_lowercase();
    let word_length = word.chars().count();
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let length = candidate.chars().count();
        let limit = if length <= 3 { 1 } else { 2 };
        // The distance is at least the difference in length; the cap keeps the quadratic
        // comparison cheap on absurdly long names.
        if word_length.abs_diff(length) > limit || length > MAX_SUGGESTED_LENGTH {
            continue;
        }
        let distance = edit_distance(&word, &candidate.to_lowercase());
        let close = distance <= limit && distance < length;
        if close && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Damerau–Levenshtein distance (optimal string alignment): insertions, deletions,
/// substitutions and swaps of adjacent characters each cost 1.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // rows[i][j] is the distance between a[..i] and b[..j].
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}
