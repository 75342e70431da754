//! The red circular electronic seal (电子印章), drawn as vectors from the bureau's name:
//! a ring, a five-pointed star in the middle and the name set clockwise along the upper
//! arc, each character turned to the tangent, as a 公章 is cut.

use std::f32::consts::PI;

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Transform};
use krilla::num::NormalizedF32;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;

use crate::font::Face;

/// Seal red (印泥红), close to #D7000F.
pub(crate) fn red() -> rgb::Color {
    rgb::Color::new(0xD7, 0x00, 0x0F)
}

/// Millimetres to PDF points.
pub(crate) const MM: f32 = 72.0 / 25.4;
/// The seal's diameter: 42 mm, the usual size of a bureau's 公章.
pub(crate) const DIAMETER: f32 = 42.0 * MM;

/// Draws the seal centred on (`cx`, `cy`) (y grows downwards).
pub(crate) fn draw(surface: &mut Surface<'_>, face: &Face, name: &str, cx: f32, cy: f32) {
    let radius = DIAMETER / 2.0;
    let ring = 1.2 * MM;
    let fill = Fill { paint: red().into(), opacity: NormalizedF32::ONE, rule: Default::default() };

    // Ring.
    if let Some(circle) = circle_path(cx, cy, radius - ring / 2.0) {
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke {
            paint: red().into(),
            width: ring,
            opacity: NormalizedF32::ONE,
            ..Default::default()
        }));
        surface.draw_path(&circle);
        surface.set_stroke(None);
    }

    // Star: outer radius about 3/10 of the seal's, points up.
    surface.set_fill(Some(fill));
    if let Some(star) = star_path(cx, cy, radius * 0.3) {
        surface.draw_path(&star);
    }

    // The name along the upper arc, clockwise from lower left to lower right, in strokes
    // a little heavier than the text face (seal characters are cut bold).
    surface.set_stroke(Some(Stroke { paint: red().into(), width: 0.35, ..Default::default() }));
    let chars: Vec<char> = name.chars().filter(|c| !c.is_whitespace()).collect();
    if chars.is_empty() {
        return;
    }
    let n = chars.len() as f32;
    let span = 235.0_f32.to_radians();
    let gap = 0.9 * MM;
    // Characters fill the arc, each about 0.95 of its size apart, as large as 18 pt.
    let mut size = 14.0_f32;
    for _ in 0..3 {
        let text_radius = radius - ring - gap - size * 0.56;
        size = (text_radius * span / (n * 0.95)).clamp(8.0, 18.0);
    }
    let text_radius = radius - ring - gap - size * 0.56;
    let step = if chars.len() > 1 { (span / (n - 1.0)).min(size * 1.3 / text_radius) } else { 0.0 };
    let first = -step * (n - 1.0) / 2.0;
    for (i, c) in chars.iter().enumerate() {
        let theta = first + step * i as f32;
        let x = cx + text_radius * theta.sin();
        let y = cy - text_radius * theta.cos();
        let Some(outline) = face.outline(*c) else { continue };
        let advance = face.advance(*c) * size;
        let scale = size / face.units_per_em();
        // Turn to the tangent; characters of a seal are cut taller than wide; centre the em
        // box on the point (CJK glyphs sit ~0.38 em above the baseline); font units, y up.
        let steps = [
            Transform::from_translate(x, y),
            Transform::from_rotate(theta * 180.0 / PI),
            Transform::from_scale(0.85, 1.12),
            Transform::from_translate(-advance / 2.0, size * 0.38),
            Transform::from_scale(scale, -scale),
        ];
        for step in &steps {
            surface.push_transform(step);
        }
        surface.draw_path(&outline);
        for _ in &steps {
            surface.pop();
        }
    }
    surface.set_stroke(None);
    surface.set_fill(None);
}

/// A circle as four cubic Béziers.
fn circle_path(cx: f32, cy: f32, r: f32) -> Option<krilla::geom::Path> {
    const K: f32 = 0.552_284_8;
    let k = K * r;
    let mut pb = PathBuilder::new();
    pb.move_to(cx + r, cy);
    pb.cubic_to(cx + r, cy + k, cx + k, cy + r, cx, cy + r);
    pb.cubic_to(cx - k, cy + r, cx - r, cy + k, cx - r, cy);
    pb.cubic_to(cx - r, cy - k, cx - k, cy - r, cx, cy - r);
    pb.cubic_to(cx + k, cy - r, cx + r, cy - k, cx + r, cy);
    pb.close();
    pb.finish()
}

/// A five-pointed star with its top point up.
fn star_path(cx: f32, cy: f32, outer: f32) -> Option<krilla::geom::Path> {
    let inner = outer * 0.382;
    let mut pb = PathBuilder::new();
    for i in 0..10 {
        let r = if i % 2 == 0 { outer } else { inner };
        let a = i as f32 * PI / 5.0;
        let (x, y) = (cx + r * a.sin(), cy - r * a.cos());
        if i == 0 { pb.move_to(x, y) } else { pb.line_to(x, y) }
    }
    pb.close();
    pb.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_and_circle_paths_build() {
        assert!(star_path(100.0, 100.0, 18.0).is_some());
        assert!(circle_path(100.0, 100.0, 59.0).is_some());
    }
}
