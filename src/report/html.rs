//! The HTML report: one self-contained file (inline CSS, charts as inline SVG), readable
//! offline; it references no external resource.

use super::Report;
use super::charts::render_svg;
use super::document::{Block, ChartFile, blocks};

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;\
padding:0 1em;color:#222;line-height:1.45}\
table{border-collapse:collapse;margin:1em 0;font-size:0.92em}\
th,td{border:1px solid #ccc;padding:0.3em 0.6em;text-align:left}\
th{background:#f3f3f3}td{font-variant-numeric:tabular-nums}\
pre{background:#f6f6f6;padding:0.8em;overflow-x:auto;font-size:0.88em}\
figure{margin:1em 0}figure svg{max-width:100%;height:auto}\
h1{font-size:1.6em}h2{margin-top:1.8em;border-bottom:1px solid #ddd}";

/// `report.html`.
pub fn render(report: &Report<'_>) -> Vec<u8> {
    render_blocks(blocks(report), |chart| render_svg(report, chart))
}

/// Any report's blocks as one HTML page, each chart inline as the SVG `svg` draws.
pub(crate) fn render_blocks<C: ChartFile>(
    blocks: Vec<Block<C>>,
    svg: impl Fn(C) -> Vec<u8>,
) -> Vec<u8> {
    let title = match blocks.first() {
        Some(Block::Heading(_, text)) => text.clone(),
        _ => "spillway report".to_string(),
    };
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&title)
    );
    for block in blocks {
        match block {
            Block::Heading(level, text) => {
                out.push_str(&format!("<h{level}>{}</h{level}>\n", escape(&text)));
            }
            Block::Para(text) => out.push_str(&format!("<p>{}</p>\n", escape(&text))),
            Block::List(items) => {
                out.push_str("<ul>\n");
                for item in items {
                    out.push_str(&format!("<li>{}</li>\n", escape(&item)));
                }
                out.push_str("</ul>\n");
            }
            Block::Table { head, rows } => {
                out.push_str("<table>\n<tr>");
                for h in head {
                    out.push_str(&format!("<th>{}</th>", escape(&h)));
                }
                out.push_str("</tr>\n");
                for r in rows {
                    out.push_str("<tr>");
                    for c in r {
                        out.push_str(&format!("<td>{}</td>", escape(&c)));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</table>\n");
            }
            Block::Chart(chart) => {
                let svg = String::from_utf8(svg(chart)).expect("plotters writes UTF-8");
                out.push_str(&format!(
                    "<figure role=\"img\" aria-label=\"{}\">\n{}</figure>\n",
                    escape(chart.title()),
                    svg
                ));
            }
            Block::Code(text) => out.push_str(&format!("<pre>{}</pre>\n", escape(&text))),
        }
    }
    out.push_str("</body>\n</html>\n");
    out.into_bytes()
}

/// Escapes text for HTML element content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
