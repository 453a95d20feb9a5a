//! The two views of the encoding audit report: [`Block`]s as Markdown and
//! as one self-contained HTML page (inline styles; no links, scripts or
//! fonts from elsewhere).

use super::Block;
use crate::markup::{escape_html, html_head, html_table_with, html_with_code, markdown_table};
use std::fmt::Write;

/// The blocks as Markdown: one blank line between blocks.
pub(super) fn markdown(blocks: &[Block]) -> String {
    let parts: Vec<String> = blocks
        .iter()
        .map(|block| match block {
            Block::Heading { level, text, .. } => format!("{} {text}", "#".repeat(usize::from(*level).max(1))),
            Block::Paragraph(text) => text.clone(),
            Block::Table { header, rows } => {
                let mut table = String::new();
                markdown_table(&mut table, header, rows);
                table.trim_matches('\n').to_string()
            }
        })
        .collect();
    parts.join("\n\n") + "\n"
}

/// A heading's `id`: its lowercase letters and digits, other runs as `-`.
fn slug(text: &str) -> String {
    let mut slug = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_matches('-').to_string()
}

/// Extra style: code spans, and tables that scroll rather than stretch
/// the page.
const STYLE: &str = "code{font-family:ui-monospace,monospace;font-size:.9em;background:#f4f4f4;padding:0 .2em}\
                     td code{background:none;padding:0}nav{margin:1em 0}nav a{margin-right:1em}";

/// The blocks as one HTML page, with links to its sections at the top.
pub(super) fn html(blocks: &[Block]) -> String {
    let title = blocks
        .iter()
        .find_map(|b| match b {
            Block::Heading { level: 1, text, .. } => Some(text.as_str()),
            _ => None,
        })
        .unwrap_or("Report");
    let mut out = html_head(title, STYLE);
    let sections: Vec<&str> = blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level: 2, text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    let mut nav_written = false;
    for block in blocks {
        match block {
            Block::Heading { level, text, bad } => {
                let level = (*level).clamp(1, 6);
                if level == 2 && !nav_written {
                    out.push_str("<nav>");
                    for section in &sections {
                        let _ = write!(out, "<a href=\"#{}\">{}</a>", slug(section), escape_html(section));
                    }
                    out.push_str("</nav>\n");
                    nav_written = true;
                }
                let class = if *bad { " class=\"bad\"" } else { "" };
                let _ = writeln!(out, "<h{level} id=\"{}\"{class}>{}</h{level}>", slug(text), html_with_code(text));
            }
            Block::Paragraph(text) => {
                let _ = writeln!(out, "<p>{}</p>", html_with_code(text));
            }
            Block::Table { header, rows } => html_table_with(&mut out, header, rows, html_with_code),
        }
    }
    out.push_str("</body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks() -> Vec<Block> {
        vec![
            Block::Heading { level: 1, text: "Title".into(), bad: false },
            Block::Paragraph("Lead with `code` & <angle>.".into()),
            Block::Heading { level: 2, text: "x86_64: defects".into(), bad: true },
            Block::table(&["form", "reason"], vec![vec!["`Alu.add|r`".into(), "a | b".into()]]),
        ]
    }

    #[test]
    fn markdown_joins_blocks() {
        assert_eq!(
            markdown(&blocks()),
            "# Title\n\nLead with `code` & <angle>.\n\n## x86_64: defects\n\n| form | reason |\n|---|---|\n\
             | `Alu.add\\|r` | a \\| b |\n"
        );
    }

    #[test]
    fn html_is_one_page_with_anchors() {
        let page = html(&blocks());
        assert!(page.starts_with("<!DOCTYPE html>") && page.ends_with("</body></html>\n"));
        assert!(page.contains("<title>Title</title>"));
        assert!(page.contains("<p>Lead with <code>code</code> &amp; &lt;angle&gt;.</p>"));
        assert!(page.contains("<nav><a href=\"#x86-64-defects\">x86_64: defects</a></nav>"));
        assert!(page.contains("<h2 id=\"x86-64-defects\" class=\"bad\">x86_64: defects</h2>"));
        assert!(page.contains("<td><code>Alu.add|r</code></td><td>a | b</td>"));
    }
}
