//! Source files, spans and diagnostics.
//!
//! Every phase of the compiler reports problems as [`Diagnostic`]s that point
//! at a [`Span`] of a rule file. A span is a pair of byte offsets plus the
//! [`FileId`] of the file it belongs to, so rules from several files can be
//! compiled into one automaton and still be reported precisely. Rendering
//! turns byte offsets into 1-based line and column numbers and shows the
//! source line with carets under the offending text, the way rustc does:
//!
//! ```text
//! error: unknown operator `iaddd`
//!   --> rules/algebra.peep:12:6
//!    |
//! 12 | (=> (iaddd $x 0) $x)
//!    |      ^^^^^
//! ```

use std::fmt;

/// Identifies a file in a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A half-open byte range `[start, end)` in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// The file the range belongs to.
    pub file: FileId,
    /// Offset of the first byte.
    pub start: u32,
    /// Offset one past the last byte.
    pub end: u32,
}

impl Span {
    /// A span covering `start..end` of `file`.
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        let start = u32::try_from(start).unwrap_or(u32::MAX);
        let end = u32::try_from(end).unwrap_or(u32::MAX);
        Span { file, start, end }
    }

    /// The smallest span covering both `self` and `other` (same file).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// One rule file: its name (as shown in diagnostics) and its text.
#[derive(Clone, Debug)]
pub struct SourceFile {
    name: String,
    text: String,
    /// Byte offset at which each line starts; always begins with 0.
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// A file called `name` with contents `text`.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            name: name.into(),
            text,
            line_starts,
        }
    }

    /// The file's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file's contents.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The 1-based line and column (in characters) of byte `offset`.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let offset = (offset as usize).min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let col = self.text[start..offset].chars().count() + 1;
        (line + 1, col)
    }

    /// The text of 1-based line `line`, without its line terminator.
    pub fn line_text(&self, line: usize) -> &str {
        let start = self.line_starts[line - 1];
        let end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    /// The source text a span covers.
    pub fn snippet(&self, span: Span) -> &str {
        let end = (span.end as usize).min(self.text.len());
        let start = (span.start as usize).min(end);
        &self.text[start..end]
    }
}

/// All the rule files of one compilation.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).expect("too many rule files"));
        self.files.push(SourceFile::new(name, text));
        id
    }

    /// The file with id `id`.
    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// Every file with its id.
    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    /// `file:line:column` of the start of `span`.
    pub fn location(&self, span: Span) -> String {
        let file = self.file(span.file);
        let (line, col) = file.line_col(span.start);
        format!("{}:{line}:{col}", file.name())
    }

    /// The source text a span covers.
    pub fn snippet(&self, span: Span) -> &str {
        self.file(span.file).snippet(span)
    }
}

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// The rule set cannot be used.
    Error,
    /// The rule set works but something in it is suspicious (a rule that can
    /// never fire, for instance).
    Warning,
}

/// A problem found in a rule file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// One line saying what is wrong.
    pub message: String,
    /// Where it is wrong, if it is anywhere in particular.
    pub span: Option<Span>,
    /// Further locations with an explanation each ("first bound here").
    pub notes: Vec<(Span, String)>,
    /// Free-standing explanations: a counterexample, a suggested fix.
    pub help: Vec<String>,
}

impl Diagnostic {
    /// An error at `span`.
    pub fn error(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span: Some(span),
            notes: Vec::new(),
            help: Vec::new(),
        }
    }

    /// An error that is not about any particular location.
    pub fn global_error(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span: None,
            notes: Vec::new(),
            help: Vec::new(),
        }
    }

    /// A warning at `span`.
    pub fn warning(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(span, message)
        }
    }

    /// Adds a secondary location.
    pub fn with_note(mut self, span: Span, note: impl Into<String>) -> Diagnostic {
        self.notes.push((span, note.into()));
        self
    }

    /// Adds a free-standing explanation.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help.push(help.into());
        self
    }

    /// Is this an error (as opposed to a warning)?
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders the diagnostic with file, line, column and the source line
    /// with carets under the offending text.
    pub fn render(&self, sources: &SourceMap) -> String {
        let mut out = String::new();
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        out.push_str(&format!("{label}: {}\n", self.message));
        if let Some(span) = self.span {
            render_excerpt(&mut out, sources, span, None);
        }
        for (span, note) in &self.notes {
            render_excerpt(&mut out, sources, *span, Some(note));
        }
        for help in &self.help {
            for (i, line) in help.lines().enumerate() {
                let lead = if i == 0 { "  = " } else { "    " };
                out.push_str(lead);
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }
}

/// Writes `--> file:line:col`, the source line and a caret line.
fn render_excerpt(out: &mut String, sources: &SourceMap, span: Span, label: Option<&str>) {
    let file = sources.file(span.file);
    let (line, col) = file.line_col(span.start);
    let (end_line, end_col) = file.line_col(span.end);
    let text = file.line_text(line);
    let width = if end_line == line {
        end_col.saturating_sub(col).max(1)
    } else {
        // A span running past the end of the line: underline to the end.
        (text.chars().count() + 1).saturating_sub(col).max(1)
    };
    let gutter = line.to_string().len();
    let pad = " ".repeat(gutter);
    out.push_str(&format!("{pad}--> {}:{line}:{col}\n", file.name()));
    out.push_str(&format!("{pad} |\n"));
    out.push_str(&format!("{line} | {text}\n"));
    // Reproduce tabs so the carets line up under tabbed source text.
    let lead: String = text
        .chars()
        .take(col - 1)
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    out.push_str(&format!("{pad} | {lead}{}", "^".repeat(width)));
    if let Some(label) = label {
        out.push(' ');
        out.push_str(label);
    }
    out.push('\n');
}

/// The failure of a compilation: every diagnostic, plus the sources needed
/// to render them.
#[derive(Clone, Debug)]
pub struct CompileError {
    /// The files the diagnostics point into.
    pub sources: SourceMap,
    /// The problems found, errors and warnings.
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            f.write_str(&d.render(&self.sources))?;
        }
        Ok(())
    }
}

impl std::error::Error for CompileError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let f = SourceFile::new("t.peep", "ab\n\u{e9}cd\n\nx");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(1), (1, 2));
        assert_eq!(f.line_col(3), (2, 1));
        // 'é' is two bytes but one column.
        assert_eq!(f.line_col(5), (2, 2));
        assert_eq!(f.line_col(8), (3, 1));
        assert_eq!(f.line_col(9), (4, 1));
        assert_eq!(f.line_text(2), "\u{e9}cd");
        assert_eq!(f.line_text(3), "");
    }

    #[test]
    fn render_shows_location_source_line_and_caret() {
        let mut map = SourceMap::new();
        let id = map.add("rules/a.peep", ";; c\n(=> (iaddd $x 0) $x)\n");
        let d = Diagnostic::error(Span::new(id, 9, 14), "unknown operator `iaddd`")
            .with_help("did you mean `iadd`?");
        let text = d.render(&map);
        assert_eq!(
            text,
            "error: unknown operator `iaddd`\n \
             --> rules/a.peep:2:5\n  \
             |\n\
             2 | (=> (iaddd $x 0) $x)\n  \
             |     ^^^^^\n  \
             = did you mean `iadd`?\n"
        );
    }

    #[test]
    fn notes_render_their_own_excerpt_with_label() {
        let mut map = SourceMap::new();
        let id = map.add("f.peep", "(=> (bor $x $x) $x)");
        let d = Diagnostic::warning(Span::new(id, 0, 19), "rule never fires")
            .with_note(Span::new(id, 4, 15), "this pattern always wins");
        let text = d.render(&map);
        assert!(text.starts_with("warning: rule never fires\n"));
        assert!(text.contains("  |     ^^^^^^^^^^^ this pattern always wins\n"));
    }
}
