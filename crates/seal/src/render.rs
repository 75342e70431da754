//! Lays a [`Sheet`] out on A4 pages as a Chinese official document (公文, after GB/T 9704):
//! title, 文号, addressee, indented justified paragraphs, the issuing bureau and date at the
//! foot of the text under the red seal, and a QR code to the public check in the margin.

use krilla::blend::BlendMode;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Transform};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::surface::Surface;
use krilla::{Document, SerializeSettings};

use crate::font::{Face, face};
use crate::stamp::{self, MM};
use crate::wrap::{Line, wrap};
use crate::{SealError, Sheet};

const PAGE_W: f32 = 210.0 * MM;
const PAGE_H: f32 = 297.0 * MM;
/// Text block: 37 mm from the top, 28 mm from the left, 156 mm wide, down to 262 mm.
const TOP: f32 = 37.0 * MM;
const LEFT: f32 = 28.0 * MM;
const BOTTOM: f32 = 262.0 * MM;
/// Body size (三号), and 28 characters to a line as GB/T 9704 asks.
const BODY: f32 = 15.75;
const TEXT_W: f32 = 28.0 * BODY;
/// 22 lines to the page.
const LINE_H: f32 = (BOTTOM - TOP) / 22.0;
/// Title size (二号).
const TITLE: f32 = 22.0;
/// The seal block below the body: bureau name, date and the seal over them.
const SIGNATURE_H: f32 = 3.0 * LINE_H + stamp::DIAMETER / 2.0 + 4.0 * MM;

/// What a row of the page holds.
#[derive(Debug, Clone)]
enum Row {
    Title(String),
    Number(String),
    Gap(f32),
    Body(Line),
    /// Bureau name, date; drawn with the seal.
    Signature,
}

impl Row {
    fn height(&self) -> f32 {
        match self {
            Row::Title(_) => TITLE * 1.5,
            Row::Number(_) | Row::Body(_) => LINE_H,
            Row::Gap(h) => *h,
            Row::Signature => SIGNATURE_H,
        }
    }
}

/// Renders `sheet` for `bureau` to PDF bytes ending in `%%EOF\n`, deterministic for its input.
pub(crate) fn render(sheet: &Sheet, bureau: &str) -> Result<Vec<u8>, SealError> {
    let face = face().ok_or_else(|| SealError::Render("the embedded font does not parse".into()))?;
    let pages = paginate(rows(face, sheet));
    let count = pages.len();

    let mut document = Document::new_with(SerializeSettings::default());
    let mut metadata = Metadata::new()
        .title(clean(&sheet.title))
        .description(sheet.number.clone())
        .creator(clean(bureau))
        .language("zh-CN".into());
    metadata = metadata.document_id(format!("tongban-seal:{}", sheet.number));
    document.set_metadata(metadata);

    for (index, rows) in pages.iter().enumerate() {
        let settings =
            PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| SealError::Render("bad page size".into()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        let mut y = TOP;
        for row in rows {
            draw_row(&mut surface, face, row, y, sheet, bureau);
            y += row.height();
        }
        footer(&mut surface, face, &sheet.verify_url, index + 1, count);
        surface.finish();
        page.finish();
    }
    let mut pdf = document.finish().map_err(|e| SealError::Render(format!("{e:?}")))?;
    if !pdf.ends_with(b"\n") {
        pdf.push(b'\n');
    }
    Ok(pdf)
}

/// Control characters have no glyphs; a line feed inside a field reads as a space.
fn clean(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_string()
}

fn rows(face: &Face, sheet: &Sheet) -> Vec<Row> {
    let advance = |c| face.advance(c);
    let mut rows = Vec::new();
    for line in wrap(&clean(&sheet.title), 0.0, TEXT_W / TITLE, advance) {
        rows.push(Row::Title(line.text));
    }
    rows.push(Row::Gap(LINE_H * 0.25));
    rows.push(Row::Number(clean(&sheet.number)));
    rows.push(Row::Gap(LINE_H * 0.5));
    if let Some(addressee) = &sheet.addressee {
        for line in wrap(&clean(addressee), 0.0, TEXT_W / BODY, advance) {
            rows.push(Row::Body(Line { justify: false, ..line }));
        }
    }
    for paragraph in &sheet.paragraphs {
        let text = clean(paragraph);
        if text.is_empty() {
            continue;
        }
        rows.extend(wrap(&text, 2.0, TEXT_W / BODY, advance).into_iter().map(Row::Body));
    }
    rows.push(Row::Signature);
    rows
}

/// Splits rows into pages; the seal never stands alone on a page (at least two body lines
/// go over with it).
fn paginate(rows: Vec<Row>) -> Vec<Vec<Row>> {
    let mut pages: Vec<Vec<Row>> = vec![Vec::new()];
    let mut y = 0.0;
    for row in rows {
        let h = row.height();
        if y + h > BOTTOM - TOP + 0.01 {
            let mut carried = Vec::new();
            if matches!(row, Row::Signature) {
                if let Some(page) = pages.last_mut() {
                    for _ in 0..2 {
                        match page.last() {
                            Some(Row::Body(_)) if page.len() > 1 => carried.extend(page.pop()),
                            _ => break,
                        }
                    }
                }
                carried.reverse();
            }
            y = carried.iter().map(Row::height).sum();
            pages.push(carried);
        }
        y += h;
        if let Some(page) = pages.last_mut() {
            page.push(row);
        }
    }
    pages
}

fn black() -> Fill {
    Fill { paint: rgb::Color::black().into(), opacity: NormalizedF32::ONE, rule: Default::default() }
}

/// Draws `text` from `x` on the baseline `y`, extractable, each gap widened by `spacing` pt.
fn text(surface: &mut Surface<'_>, face: &Face, x: f32, y: f32, size: f32, text: &str, spacing: f32) {
    if text.is_empty() {
        return;
    }
    let glyphs = face.glyphs(text, spacing / size);
    surface.draw_glyphs(Point::from_xy(x, y), &glyphs, face.font.clone(), text, size, false);
}

/// The baseline of a row that starts at `top` and is `height` tall, for type of `size`.
fn baseline(top: f32, height: f32, size: f32) -> f32 {
    top + height / 2.0 + size * 0.38
}

fn draw_row(surface: &mut Surface<'_>, face: &Face, row: &Row, top: f32, sheet: &Sheet, bureau: &str) {
    surface.set_fill(Some(black()));
    match row {
        Row::Title(t) => {
            let w = face.width(t) * TITLE;
            text(surface, face, LEFT + (TEXT_W - w) / 2.0, baseline(top, row.height(), TITLE), TITLE, t, 0.0);
        }
        Row::Number(n) => {
            let w = face.width(n) * BODY;
            text(surface, face, LEFT + (TEXT_W - w) / 2.0, baseline(top, LINE_H, BODY), BODY, n, 0.0);
        }
        Row::Gap(_) => {}
        Row::Body(line) => {
            let x = LEFT + line.indent * BODY;
            let natural = face.width(&line.text) * BODY;
            let gaps = line.text.chars().count().saturating_sub(1);
            let spacing = if line.justify && gaps > 0 {
                ((TEXT_W - line.indent * BODY - natural) / gaps as f32).clamp(0.0, BODY * 0.5)
            } else {
                0.0
            };
            text(surface, face, x, baseline(top, LINE_H, BODY), BODY, &line.text, spacing);
        }
        Row::Signature => signature(surface, face, top, &clean(bureau), &clean(&sheet.date)),
    }
}

/// 发文机关署名 and 成文日期 (four characters in from the right), the seal over both with
/// them a little below its centre, as GB/T 9704 places a seal.
fn signature(surface: &mut Surface<'_>, face: &Face, top: f32, bureau: &str, date: &str) {
    let right = LEFT + TEXT_W - 4.0 * BODY;
    let date_w = face.width(date) * BODY;
    let date_x = right - date_w;
    let centre = date_x + date_w / 2.0;
    let name_w = face.width(bureau) * BODY;
    let name_x = (centre - name_w / 2.0).min(LEFT + TEXT_W - name_w).max(LEFT);
    let name_y = baseline(top + 2.0 * LINE_H, LINE_H, BODY);
    let date_y = name_y + LINE_H;
    text(surface, face, name_x, name_y, BODY, bureau, 0.0);
    text(surface, face, date_x, date_y, BODY, date, 0.0);
    // Ink, not paint: multiply lets the black text show through the red as on paper.
    surface.push_blend_mode(BlendMode::Multiply);
    stamp::draw(surface, face, bureau, centre, name_y - BODY * 0.9);
    surface.pop();
    surface.set_fill(Some(black()));
}

/// QR code to the public check and the URL beside it (bottom left), page number (right).
fn footer(surface: &mut Surface<'_>, face: &Face, url: &str, page: usize, pages: usize) {
    let size = 20.0 * MM;
    let x = LEFT;
    let y = PAGE_H - 12.0 * MM - size;
    surface.set_fill(Some(black()));
    qr(surface, url, x, y, size);
    let small = 7.0;
    let tx = x + size + 3.0 * MM;
    let label = "扫描二维码或访问以下网址核验本文书：";
    text(surface, face, tx, y + small * 1.5, small, label, 0.0);
    let url_lines = wrap(url, 0.0, 75.0 * MM / small, |c| face.advance(c));
    for (i, line) in url_lines.iter().take(4).enumerate() {
        text(surface, face, tx, y + small * (3.2 + 1.4 * i as f32), small, &line.text, 0.0);
    }
    if pages > 1 {
        let number = format!("第 {page} 页 共 {pages} 页");
        let w = face.width(&number) * 10.5;
        text(surface, face, LEFT + TEXT_W - w, PAGE_H - 18.0 * MM, 10.5, &number, 0.0);
    }
}

/// The modules of a QR code for `data` (level M), row by row. One fixed mask instead of the
/// best of eight: any mask reads, and scoring all eight cost more than the rest of the code.
fn qr_modules(data: &[u8]) -> Option<Vec<qrcode::Color>> {
    use qrcode::canvas::{Canvas, MaskPattern};
    let ec = qrcode::EcLevel::M;
    let bits = qrcode::bits::encode_auto(data, ec).ok()?;
    let version = bits.version();
    let (codewords, ec_codewords) = qrcode::ec::construct_codewords(&bits.into_bytes(), version, ec).ok()?;
    let mut canvas = Canvas::new(version, ec);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&codewords, &ec_codewords);
    canvas.apply_mask(MaskPattern::Checkerboard);
    Some(canvas.into_colors())
}

/// The QR code's dark modules as filled rectangles, one per run of dark modules in a row,
/// drawn in module units so the content stream holds small integers; nothing if the URL is
/// too long for a QR code.
fn qr(surface: &mut Surface<'_>, url: &str, x: f32, y: f32, size: f32) {
    let Some(colours) = qr_modules(url.as_bytes()) else { return };
    let n = (colours.len() as f64).sqrt() as usize;
    let mut pb = PathBuilder::new();
    for (row, modules) in colours.chunks(n).enumerate() {
        let mut col = 0;
        while col < n {
            if modules[col] != qrcode::Color::Dark {
                col += 1;
                continue;
            }
            let start = col;
            while col < n && modules[col] == qrcode::Color::Dark {
                col += 1;
            }
            if let Some(r) = Rect::from_xywh(start as f32, row as f32, (col - start) as f32, 1.0) {
                pb.push_rect(r);
            }
        }
    }
    if let Some(path) = pb.finish() {
        let module = size / n as f32;
        surface.push_transform(&Transform::from_row(module, 0.0, 0.0, module, x, y));
        surface.draw_path(&path);
        surface.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qr_code_reads_back_as_the_verification_link() {
        let url =
            "https://zwfw.example.gov.cn/verify/%E5%85%B0%E5%AE%A1%E6%89%B9%E8%AE%B8%E3%80%942026%E3%80%95123%E5%8F%B7";
        let modules = qr_modules(url.as_bytes()).expect("fits a QR code");
        let n = (modules.len() as f64).sqrt() as usize;
        assert_eq!(n * n, modules.len());
        // Four pixels a module and a four-module quiet zone, as a phone's camera sees it.
        let (scale, quiet) = (4, 4);
        let side = (n + 2 * quiet) * scale;
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
            let (mx, my) = ((x / scale).wrapping_sub(quiet), (y / scale).wrapping_sub(quiet));
            if mx < n && my < n && modules[my * n + mx] == qrcode::Color::Dark { 0 } else { 255 }
        });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, content) = grids[0].decode().expect("decodes");
        assert_eq!(content, url);
    }
}
