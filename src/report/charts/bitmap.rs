//! A bitmap backend whose text keeps each glyph's side bearings.
//!
//! plotters 0.3.7 draws ab_glyph text by rasterising every glyph at the origin and adding
//! only the pen position, truncated to whole pixels, to the coverage coordinates. Those
//! coordinates are relative to the glyph's pixel bounds, so the left side bearing is lost:
//! each glyph's ink starts at its pen position, and the space the font puts before a narrow
//! glyph ('i', 't', 'e') appears after it instead ("wai ting"). This backend forwards
//! everything to `BitMapBackend` except text, which it lays out with subpixel pen positions
//! and draws at each glyph's real bounds. Widths and the vertical placement are plotters' own,
//! so label areas and anchors are unchanged.

use ab_glyph::{Font, FontRef, ScaleFont, point};
use plotters::prelude::*;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind, FontStyle,
    text_anchor::{HPos, VPos},
};

type Error<'a> = DrawingErrorKind<<BitMapBackend<'a> as DrawingBackend>::ErrorType>;

/// `BitMapBackend` with correct glyph placement.
pub(super) struct PngBackend<'a> {
    inner: BitMapBackend<'a>,
    regular: FontRef<'static>,
    bold: FontRef<'static>,
}

impl<'a> PngBackend<'a> {
    /// Draws into `pixels` (RGB, `size.0 * size.1 * 3` bytes).
    pub(super) fn new(pixels: &'a mut [u8], size: (u32, u32)) -> PngBackend<'a> {
        let font =
            |bytes| FontRef::try_from_slice(bytes).expect("the bundled DejaVu font is valid");
        PngBackend {
            inner: BitMapBackend::with_buffer(pixels, size),
            regular: font(dejavu::sans::regular()),
            bold: font(dejavu::sans::bold()),
        }
    }
}

impl<'a> DrawingBackend for PngBackend<'a> {
    type ErrorType = <BitMapBackend<'a> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), Error<'a>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), Error<'a>> {
        self.inner.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<(), Error<'a>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), Error<'a>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), Error<'a>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), Error<'a>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), Error<'a>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), Error<'a>> {
        self.inner.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        (iw, ih): (u32, u32),
        src: &[u8],
    ) -> Result<(), Error<'a>> {
        self.inner.blit_bitmap(pos, (iw, ih), src)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), Error<'a>> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let ((min_x, min_y), (max_x, max_y)) = style
            .layout_box(text)
            .map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let (width, height) = (max_x - min_x, max_y - min_y);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        } - min_x;
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        } - min_y;
        let font = match style.style() {
            FontStyle::Bold => &self.bold,
            _ => &self.regular,
        };
        let size = style.size() as f32;
        let scaled = font.as_scaled(size);
        let transform = style.transform();
        let (w, h) = self.inner.get_size();
        // plotters puts the baseline half the pixel size below the top of the layout box.
        let baseline = size / 2.0;
        let mut pen = 0f32;
        let mut prev = None;
        let mut result = Ok(());
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(p) = prev {
                pen += scaled.kern(p, id);
            }
            prev = Some(id);
            let glyph = id.with_scale_and_position(size, point(pen, baseline));
            pen += scaled.h_advance(id);
            let Some(outline) = scaled.outline_glyph(glyph) else {
                continue;
            };
            let bounds = outline.px_bounds();
            let inner = &mut self.inner;
            outline.draw(|x, y, coverage| {
                let gx = bounds.min.x as i32 + x as i32 + dx;
                let gy = bounds.min.y as i32 + y as i32 + dy;
                let (tx, ty) = transform.transform(gx, gy);
                let (px, py) = (pos.0 + tx, pos.1 + ty);
                if result.is_ok() && px >= 0 && py >= 0 && px < w as i32 && py < h as i32 {
                    result = inner.draw_pixel((px, py), color.mix(f64::from(coverage)));
                }
            });
        }
        result
    }
}
