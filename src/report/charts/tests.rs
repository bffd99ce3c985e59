use plotters::prelude::*;

use super::bitmap::PngBackend;
use super::{FONT, ensure_font};

/// The leftmost column with ink when `text` is drawn at x = 0, 40 px high.
fn first_ink_column(text: &str) -> Option<usize> {
    ensure_font();
    let (w, h) = (200u32, 60u32);
    let mut pixels = vec![255u8; (w * h * 3) as usize];
    {
        let root = PngBackend::new(&mut pixels, (w, h)).into_drawing_area();
        root.draw_text(text, &(FONT, 40).into_font().color(&BLACK), (0, 10))
            .expect("drawing to memory");
        root.present().expect("drawing to memory");
    }
    (0..w as usize).find(|&x| (0..h as usize).any(|y| pixels[(y * w as usize + x) * 3] < 128))
}

#[test]
fn png_text_keeps_the_left_side_bearing() {
    // DejaVu Sans 'i' has about 0.1 em of space before its stem; plotters' own drawing put
    // the stem at the pen position, which moved that space after the letter ("wai ting").
    let column = first_ink_column("i").expect("an 'i' has ink");
    assert!(column >= 3, "the stem starts at column {column}");
}
