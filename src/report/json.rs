//! The JSON document of `spillway run --json`.

use super::RunReport;
use super::schema::RunDoc;

/// One JSON document, pretty-printed, ending in a newline. Same input, same bytes.
pub fn render(report: &RunReport<'_>) -> Vec<u8> {
    let mut bytes =
        serde_json::to_vec_pretty(&RunDoc::new(report)).expect("plain data always serialises");
    bytes.push(b'\n');
    bytes
}
