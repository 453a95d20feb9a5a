//! Markdown and HTML building blocks shared by the auditors' reports
//! (`diff::report`, `encode::report`): escaping, tables, and the head of a
//! self-contained HTML page (inline styles, no external references, so it
//! reads in a browser without a server).

use std::fmt::Write;

/// The page style of every HTML report.
const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;max-width:80em}table{border-collapse:collapse;\
     margin:.5em 0 1.5em}td,th{border:1px solid #bbb;padding:.25em .6em;text-align:left;vertical-align:top}\
     th{background:#eee}td{font-family:ui-monospace,monospace;font-size:.9em}.bad{color:#b00}";

/// `text` with the HTML special characters escaped.
pub(crate) fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// `text` as one Markdown table cell: `|` escaped, on one line.
pub(crate) fn markdown_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// Appends a Markdown table (preceded by an empty line).
pub(crate) fn markdown_table(out: &mut String, header: &[String], rows: &[Vec<String>]) {
    let _ = write!(out, "\n| {} |\n|{}\n", header.join(" | "), "---|".repeat(header.len()));
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| markdown_cell(c)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
}

/// Appends an HTML table; every cell is escaped.
pub(crate) fn html_table(out: &mut String, header: &[String], rows: &[Vec<String>]) {
    html_table_with(out, header, rows, escape_html);
}

/// Appends an HTML table whose cells are turned into HTML by `cell` (which
/// must escape them).
pub(crate) fn html_table_with(out: &mut String, header: &[String], rows: &[Vec<String>], cell: fn(&str) -> String) {
    out.push_str("<table>\n<tr>");
    for h in header {
        let _ = write!(out, "<th>{}</th>", cell(h));
    }
    out.push_str("</tr>\n");
    for row in rows {
        out.push_str("<tr>");
        for c in row {
            let _ = write!(out, "<td>{}</td>", cell(c));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
}

/// `text` escaped, with the spans between backticks as `<code>` (as
/// Markdown shows them); an unpaired backtick stays as it is.
pub(crate) fn html_with_code(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        let paired = i % 2 == 1 && i + 1 < parts.len();
        if paired {
            let _ = write!(out, "<code>{}</code>", escape_html(part));
        } else {
            if i % 2 == 1 {
                out.push('`');
            }
            out.push_str(&escape_html(part));
        }
    }
    out
}

/// The start of a page up to and including `<body>`: the title, and the
/// shared style followed by `extra_style`.
pub(crate) fn html_head(title: &str, extra_style: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\n<style>{STYLE}{extra_style}\
         </style>\n</head><body>\n",
        escape_html(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_escape_their_cells() {
        let header = vec!["a".to_string(), "b<".to_string()];
        let rows = vec![vec!["x | y".to_string(), "<p>\n&".to_string()]];
        let mut md = String::new();
        markdown_table(&mut md, &header, &rows);
        assert_eq!(md, "\n| a | b< |\n|---|---|\n| x \\| y | <p> & |\n");
        let mut html = String::new();
        html_table(&mut html, &header, &rows);
        assert_eq!(
            html,
            "<table>\n<tr><th>a</th><th>b&lt;</th></tr>\n<tr><td>x | y</td><td>&lt;p&gt;\n&amp;</td></tr>\n</table>\n"
        );
    }

    #[test]
    fn backticks_become_code() {
        assert_eq!(html_with_code("a `b<c>` d"), "a <code>b&lt;c&gt;</code> d");
        assert_eq!(html_with_code("`x` and `y"), "<code>x</code> and `y");
        assert_eq!(html_with_code("none"), "none");
    }

    #[test]
    fn the_head_is_self_contained() {
        let head = html_head("A & B", ".ok{color:#060}");
        assert!(head.starts_with("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>A &amp; B"));
        assert!(head.ends_with(".bad{color:#b00}.ok{color:#060}</style>\n</head><body>\n"));
        assert!(!head.contains("http") && !head.contains("<link") && !head.contains("<script"));
    }
}
