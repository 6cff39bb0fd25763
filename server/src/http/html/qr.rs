//! QR codes drawn as inline SVG: a few hundred bytes of paths, no image to fetch, sharp in print.

use maud::{Markup, PreEscaped};
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// A QR code of `text` (an address), labelled for screen readers with `label`. Medium error
/// correction survives a crease or a smudge on a printed sheet.
pub fn qr_svg(text: &str, label: &str) -> Markup {
    let Ok(code) = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M) else {
        // Only an address longer than a QR code holds (about 2 KB) gets here.
        return PreEscaped(String::new());
    };
    let drawn = code
        .render::<svg::Color<'_>>()
        .module_dimensions(1, 1)
        .quiet_zone(true)
        .build();
    let start = drawn.find("<svg").unwrap_or(0);
    let label = maud::html! { (label) }.into_string();
    PreEscaped(drawn[start..].replacen(
        "<svg ",
        &format!(r#"<svg class="qr" role="img" aria-label="{label}" "#),
        1,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_is_inline_svg_with_a_label_and_no_xml_prolog() {
        let svg = qr_svg(
            "http://example.org/board/demo-1?year=2026&quarter=4",
            "a \"label\"",
        )
        .into_string();
        assert!(
            svg.starts_with(r#"<svg class="qr" role="img" aria-label="a &quot;label&quot;" "#),
            "{svg}"
        );
        assert!(svg.ends_with("</svg>"));
        assert!(!svg.contains("<?xml"));
    }
}
