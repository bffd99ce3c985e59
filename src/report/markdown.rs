//! The Markdown report: the same content as the HTML one, charts as PNG files beside it.

use super::Report;
use super::document::{Block, ChartFile, blocks};

/// `report.md`, which links `<chart>.png` files in the same directory.
pub fn render(report: &Report<'_>) -> Vec<u8> {
    render_blocks(blocks(report))
}

/// Any report's blocks as Markdown, each chart a link to its PNG in the same directory.
pub(crate) fn render_blocks<C: ChartFile>(blocks: Vec<Block<C>>) -> Vec<u8> {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Heading(level, text) => {
                out.push_str(&format!("{} {text}\n\n", "#".repeat(usize::from(level))));
            }
            Block::Para(text) => out.push_str(&format!("{text}\n\n")),
            Block::List(items) => {
                for item in items {
                    out.push_str(&format!("- {item}\n"));
                }
                out.push('\n');
            }
            Block::Table { head, rows } => {
                out.push_str(&row(&head));
                out.push_str(&row(&vec!["---".to_string(); head.len()]));
                for r in rows {
                    out.push_str(&row(&r));
                }
                out.push('\n');
            }
            Block::Chart(chart) => {
                out.push_str(&format!(
                    "![{}]({}.png)\n\n",
                    chart.title(),
                    chart.file_stem()
                ));
            }
            Block::Code(text) => out.push_str(&format!("```\n{text}\n```\n\n")),
        }
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out.into_bytes()
}

fn row(cells: &[String]) -> String {
    let cells: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
    format!("| {} |\n", cells.join(" | "))
}
