//! The embedded font: Noto Serif CJK SC subset to GBK (see `fonts/README.md`), parsed once.
//!
//! krilla and skrifa both read the same static bytes; parsing a 16 MB font per document
//! would dominate the cost of sealing, so both faces live in a process-wide `OnceLock`.

use std::collections::HashMap;
use std::sync::{OnceLock, RwLock};

use krilla::geom::{Path, PathBuilder};
use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::charmap::Charmap;
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::outline::{DrawSettings, OutlineGlyphCollection, OutlinePen};
use skrifa::{FontRef, MetadataProvider as _};

static FONT_BYTES: &[u8] = include_bytes!("../fonts/NotoSerifSC-GBK.otf");

/// The parsed font: krilla's handle for drawing, skrifa's character map and metrics.
pub(crate) struct Face {
    pub(crate) font: Font,
    charmap: Charmap<'static>,
    metrics: GlyphMetrics<'static>,
    outlines: OutlineGlyphCollection<'static>,
    /// Outlines already drawn: the seal's ring text is the same on every document.
    drawn: RwLock<HashMap<char, Option<std::sync::Arc<Path>>>>,
    units_per_em: f32,
}

static FACE: OnceLock<Option<Face>> = OnceLock::new();

/// The font, parsed on first use; `None` only if the embedded file were corrupt.
pub(crate) fn face() -> Option<&'static Face> {
    FACE.get_or_init(|| {
        let font_ref = FontRef::from_index(FONT_BYTES, 0).ok()?;
        let font = Font::new(FONT_BYTES.into(), 0)?;
        let metrics = font_ref.glyph_metrics(Size::unscaled(), LocationRef::default());
        let units_per_em = f32::from(font_ref.metrics(Size::unscaled(), LocationRef::default()).units_per_em);
        let outlines = font_ref.outline_glyphs();
        Some(Face { font, charmap: font_ref.charmap(), metrics, outlines, drawn: RwLock::default(), units_per_em })
    })
    .as_ref()
}

impl Face {
    /// The glyph for `c` (.notdef if the font lacks it) and its advance in em.
    pub(crate) fn glyph(&self, c: char) -> (GlyphId, f32) {
        let id = self.charmap.map(c).unwrap_or_default();
        let advance = self.metrics.advance_width(id).unwrap_or(0.0);
        (GlyphId::new(id.to_u32()), advance / self.units_per_em)
    }

    /// The advance of `c` in em.
    pub(crate) fn advance(&self, c: char) -> f32 {
        self.glyph(c).1
    }

    /// Units per em of the font's design grid.
    pub(crate) fn units_per_em(&self) -> f32 {
        self.units_per_em
    }

    /// The outline of `c` in font units (y up), for drawing as a shape rather than text:
    /// whole-number coordinates keep the content stream small. `None` if the font lacks it.
    pub(crate) fn outline(&self, c: char) -> Option<std::sync::Arc<Path>> {
        if let Some(drawn) = self.drawn.read().ok().and_then(|d| d.get(&c).cloned()) {
            return drawn;
        }
        let path = self.draw(c).map(std::sync::Arc::new);
        if let Ok(mut drawn) = self.drawn.write() {
            // Bounded: a keyring seals with a handful of bureau names.
            if drawn.len() < 4096 {
                drawn.insert(c, path.clone());
            }
        }
        path
    }

    fn draw(&self, c: char) -> Option<Path> {
        let glyph = self.outlines.get(self.charmap.map(c)?)?;
        let mut pen = Pen(PathBuilder::new());
        glyph.draw(DrawSettings::unhinted(Size::unscaled(), LocationRef::default()), &mut pen).ok()?;
        pen.0.finish()
    }

    /// The width of `text` in em.
    pub(crate) fn width(&self, text: &str) -> f32 {
        text.chars().map(|c| self.advance(c)).sum()
    }

    /// One glyph per character of `text`, each advanced by its own width plus `spacing` em
    /// (inter-character spacing that justifies a line); text ranges keep it extractable.
    pub(crate) fn glyphs(&self, text: &str, spacing: f32) -> Vec<KrillaGlyph> {
        text.char_indices()
            .map(|(at, c)| {
                let (id, advance) = self.glyph(c);
                KrillaGlyph::new(id, advance + spacing, 0.0, 0.0, 0.0, at..at + c.len_utf8(), None)
            })
            .collect()
    }
}

/// Collects a glyph outline into a krilla path.
struct Pen(PathBuilder);

impl OutlinePen for Pen {
    fn move_to(&mut self, x: f32, y: f32) {
        self.0.move_to(x, y);
    }

    fn line_to(&mut self, x: f32, y: f32) {
        self.0.line_to(x, y);
    }

    fn quad_to(&mut self, cx0: f32, cy0: f32, x: f32, y: f32) {
        self.0.quad_to(cx0, cy0, x, y);
    }

    fn curve_to(&mut self, cx0: f32, cy0: f32, cx1: f32, cy1: f32, x: f32, y: f32) {
        self.0.cubic_to(cx0, cy0, cx1, cy1, x, y);
    }

    fn close(&mut self) {
        self.0.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_is_one_em_and_a_missing_character_is_notdef() {
        let Some(face) = face() else { panic!("the embedded font parses") };
        assert!((face.advance('审') - 1.0).abs() < 1e-3);
        // U+2A6D6 (𪛖) is outside GBK, so outside the subset.
        let (id, _) = face.glyph('\u{2A6D6}');
        assert_eq!(id.to_u32(), 0);
        assert_ne!(face.glyph('𠀀').0.to_u32(), face.glyph('审').0.to_u32());
    }
}
